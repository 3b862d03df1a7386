// The notary the page pins, on screen: its name, fingerprint, chain and contract, and the
// way to pin another notary's profile instead (a file chosen, dropped or pasted, accepted
// only when parseNotaryProfile does) and to return to the one built into the page.
//
// The built-in profile is the one the serving notary put in the page. Whoever serves a page
// can put any profile in it, so the page asks the user to compare the fingerprint with the
// one the notary publishes; loading a profile file obtained elsewhere is the other way.
import { formatFingerprint, type NotaryProfile, notaryFingerprint } from "../core/notary-profile.ts";
import { acceptFiles, element } from "./dom.ts";
import { parseProfileText } from "./profile-text.ts";

export interface NotaryPanel {
  /** The profile every verification pins now. */
  current(): NotaryProfile;
}

export function startNotaryPanel(
  builtIn: NotaryProfile,
  changed: (profile: NotaryProfile) => void,
): NotaryPanel {
  const name = element("notary-name");
  const source = element("notary-source");
  const fingerprint = element("notary-fingerprint");
  const chain = element("notary-chain");
  const text = element<HTMLTextAreaElement>("notary-text");
  const load = element<HTMLButtonElement>("notary-load");
  const reset = element<HTMLButtonElement>("notary-reset");
  const problem = element("notary-error");
  const panel = element("notary");
  const builtInFingerprint = notaryFingerprint(builtIn);
  let pinned = builtIn;

  const show = (profile: NotaryProfile, from: string | undefined) => {
    pinned = profile;
    const own = notaryFingerprint(profile);
    name.textContent = profile.name;
    fingerprint.textContent = formatFingerprint(own);
    chain.textContent = `chain ${profile.chainId}, contract ${profile.contract}`;
    source.textContent =
      from === undefined
        ? "(built into this page by the service that served it)"
        : `(loaded from ${from}${own === builtInFingerprint ? ", the same as the built-in profile" : ""})`;
    panel.dataset.source = from === undefined ? "built-in" : "loaded";
    panel.dataset.fingerprint = own;
    reset.hidden = from === undefined;
    problem.hidden = true;
    problem.textContent = "";
  };
  const refuse = (why: string) => {
    problem.textContent = `${why}. The page still pins "${pinned.name}".`;
    problem.hidden = false;
  };
  const use = (from: string) => {
    let profile: NotaryProfile;
    try {
      profile = parseProfileText(text.value);
    } catch (error) {
      refuse((error as Error).message);
      return;
    }
    show(profile, from);
    changed(profile);
  };

  acceptFiles(text, element<HTMLInputElement>("notary-file"), {
    loaded: (fileName) => use(`the file ${fileName}`),
    refused: (fileName, why) => refuse(`this is not a notary profile: the file ${fileName} ${why}`),
  });
  load.addEventListener("click", () => use("pasted text"));
  reset.addEventListener("click", () => {
    text.value = "";
    show(builtIn, undefined);
    changed(builtIn);
  });
  show(builtIn, undefined);
  return { current: () => pinned };
}
