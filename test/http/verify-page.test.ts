// GET /verify in a real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): the page verifies bundles in the browser with the core code, pinned to
// a notary profile, against real chains, and shows the right check red for each kind of
// tampering. It is green only when every chain check, `notary` included, passed: a bundle
// of another contract or chain is red, even on a look-alike chain (same chain id, same
// contract address and code, another genesis) that a second chain here plays; with no RPC
// URL, or a chain that cannot be reached, it is amber, never green. Loading the
// look-alike's profile makes the look-alike's bundle green: the profile decides, not the
// bundle. The run saves test-results/verify-page*.png and the evidence certificate printed
// to test-results/certificate.pdf.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bundle } from "../../service/core/bundle.ts";
import { formatFingerprint, notaryFingerprint } from "../../service/core/notary-profile.ts";
import { CHECK_NAMES } from "../../service/core/verify.ts";
import { VERIFY_PAGE_SCRIPT_FILE } from "../../service/verify-page/prebuilt-script.ts";
import { hasChromium, launchChromium } from "../helpers/chromium.ts";
import { forPglite } from "../helpers/databases.ts";
import type { TestChain } from "../helpers/local-chain.ts";
import { anchorOneRecord, startLookAlikeChain } from "../helpers/look-alike-chain.ts";
import { closedPort, REPO_ROOT } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { verifyInPage as verifyWith } from "../helpers/verify-page.ts";

const RESULTS = join(REPO_ROOT, "test-results");
const RECORDS = [
  { id: "wire-1", record: { amount: "12.50", currency: "EUR", to: "FR1420041010050500013M02606" } },
  { id: "wire-2", record: { amount: "7.00", currency: "EUR", to: "DE89370400440532013000" } },
  { id: "wire-3", record: { amount: "1.99", currency: "USD", to: "GB29NWBK60161331926819" } },
];
const FORGED_RECORD = { amount: "250000.00", currency: "EUR", to: "CH9300762011623852957" };
const CHAIN_CHECKS = ["notary", "anchor_tx", "anchor_root", "anchor_block", "onchain_inclusion"];
const GREEN = "rgb(46, 125, 50)";

/** Flips the last hex digit of a 0x… value. */
function flipLastHexDigit(hex: string): string {
  const last = hex.at(-1) === "0" ? "1" : "0";
  return `${hex.slice(0, -1)}${last}`;
}

forPglite((target) => {
  // The page reads nothing from the database: one database kind is enough (PGlite).
  describe.skipIf(!hasChromium)("verification page in Chromium", () => {
    let s: TestService;
    let lookAlike: TestChain;
    let browser: Browser;
    let page: Page;
    // biome-ignore lint/suspicious/noExplicitAny: the bundle as served by /proof
    let bundle: any;
    /** Genuine on the look-alike chain; names the service's chain id and contract. */
    let forged: Bundle;
    const cspViolations: string[] = [];
    const requests: string[] = [];

    beforeAll(async () => {
      s = await startTestService(target);
      const ack = await s.call("POST", "/v1/records/batch", {
        key: s.keys.submitter,
        body: { records: RECORDS },
      });
      expect(ack.status).toBe(202);
      const proof = await s.call("GET", "/v1/records/wire-2/proof?wait=20", { key: s.keys.reader });
      expect(proof.status).toBe(200);
      bundle = proof.json;
      expect(bundle.proof.length).toBeGreaterThan(0);

      lookAlike = await startLookAlikeChain(s.dataDir);
      forged = await anchorOneRecord(lookAlike, "wire-forged", FORGED_RECORD);
      // The look-alike is as close as it gets: only the chain's own history differs.
      expect(forged.anchor).toMatchObject({ chainId: s.service.chainId, contract: s.service.contract });
      expect(lookAlike.chain.notary.codeHash).toBe(s.service.notary.codeHash);
      expect(lookAlike.chain.notary.genesisHash).not.toBe(s.service.notary.genesisHash);

      await mkdir(RESULTS, { recursive: true });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      page.on("console", (message) => {
        if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      page.on("request", (request) => requests.push(request.url()));
      const res = await page.goto(`${s.url}/verify`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector("#verdict[data-state=ready]", { timeout: 20_000 });
    });
    afterAll(async () => {
      await browser?.close();
      await lookAlike?.stop();
      await s?.stop();
    });

    const verifyInPage = (untrustedBundle: unknown, record?: unknown, rpcUrl?: string) =>
      verifyWith(page, { bundle: untrustedBundle, record, rpcUrl: rpcUrl ?? s.service.chainUrl });

    const verdictColour = () => page.$eval("#verdict", (e) => getComputedStyle(e).backgroundColor);
    const shownNotary = async () => ({
      name: await page.textContent("#notary-name"),
      fingerprint: await page.textContent("#notary-fingerprint"),
      source: await page.getAttribute("#notary", "data-source"),
    });
    async function loadProfile(name: string, text: string): Promise<void> {
      await page.setInputFiles("#notary-file", {
        name,
        mimeType: "application/json",
        buffer: Buffer.from(text),
      });
    }

    it("serves the script that npm run build wrote, byte for byte (nothing is bundled at run time)", async () => {
      const html = await (await fetch(`${s.url}/verify`)).text();
      const inline = /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html)?.[1];
      expect(inline).toBe(await readFile(VERIFY_PAGE_SCRIPT_FILE, "utf8"));
    });

    it("defaults the RPC URL to the service's chain", async () => {
      expect(await page.inputValue("#rpc")).toBe(s.service.chainUrl);
    });

    it("shows the pinned notary's name and fingerprint, and asks to compare the fingerprint", async () => {
      expect(await shownNotary()).toEqual({
        name: s.service.notary.name,
        fingerprint: formatFingerprint(notaryFingerprint(s.service.notary)),
        source: "built-in",
      });
      expect(await page.isVisible("#notary-fingerprint")).toBe(true);
      expect(await page.textContent("#notary")).toMatch(
        /Compare this fingerprint with the one the notary publishes/,
      );
      expect(await page.textContent("#notary-chain")).toBe(
        `chain ${s.service.chainId}, contract ${s.service.contract}`,
      );
    });

    it("shows every check green for the service's own bundle and its record", async () => {
      const { statuses, verdict, text } = await verifyInPage(bundle, RECORDS[1]?.record);
      expect(statuses).toEqual(Object.fromEntries(CHECK_NAMES.map((name) => [name, "pass"])));
      expect(verdict).toBe("valid");
      expect(text).toMatch(/^VALID/);
      expect(await page.textContent("#verdict-notary")).toBe(
        `Checked against the notary "${s.service.notary.name}", fingerprint ${formatFingerprint(notaryFingerprint(s.service.notary))}.`,
      );
      // Green means green on screen, too.
      const colour = await page.$eval(
        '#checks li[data-check="anchor_root"] .badge',
        (e) => getComputedStyle(e).backgroundColor,
      );
      expect(colour).toBe(GREEN);
      await page.screenshot({ path: join(RESULTS, "verify-page.png"), fullPage: true });
    });

    it("takes the bundle as a dropped file and the record from the file picker", async () => {
      await page.fill("#bundle", "");
      await page.fill("#record", "");
      const bundleText = JSON.stringify(bundle);
      const dataTransfer = await page.evaluateHandle((text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "bundle.json", { type: "application/json" }));
        return transfer;
      }, bundleText);
      await page.dispatchEvent("#bundle", "drop", { dataTransfer });
      const recordText = JSON.stringify(RECORDS[1]?.record);
      await page.setInputFiles("#record-file", {
        name: "record.json",
        mimeType: "application/json",
        buffer: Buffer.from(recordText),
      });
      await page.waitForFunction(
        ([b, r]) =>
          (document.getElementById("bundle") as HTMLTextAreaElement).value === b &&
          (document.getElementById("record") as HTMLTextAreaElement).value === r,
        [bundleText, recordText],
        { timeout: 10_000 },
      );
    });

    it("refuses a file that is not UTF-8 or starts with a byte-order mark, says why, and verifies nothing", async () => {
      // File.text() would have put U+FFFD for the Latin-1 byte and dropped the BOM, silently.
      const refused = async (picker: string, area: string, name: string, buffer: Buffer) => {
        await page.fill(area, "{}");
        await page.setInputFiles(picker, { name, mimeType: "application/json", buffer });
        await page.waitForSelector("#verdict[data-state=error]", { timeout: 10_000 });
        expect(await page.inputValue(area)).toBe("");
        expect(await page.$$("#checks li")).toEqual([]);
        return (await page.textContent("#verdict")) ?? "";
      };
      const latin1Record = Buffer.from(JSON.stringify({ ...RECORDS[1]?.record, to: "Ødegård" }), "latin1");
      expect(await refused("#record-file", "#record", "record.json", latin1Record)).toMatch(
        /^Could not read record\.json: it is not UTF-8: the bytes d8 64 at offset \d+ \(line 1\) are not a UTF-8 sequence.*Nothing was verified\.$/,
      );
      const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(bundle))]);
      expect(await refused("#bundle-file", "#bundle", "bundle.json", withBom)).toMatch(
        /^Could not read bundle\.json: it starts with a byte-order mark \(U\+FEFF/,
      );
      await loadProfile("notary.json", `\ufeff${JSON.stringify(s.service.notary)}`);
      await page.waitForSelector("#notary-error:not([hidden])", { timeout: 10_000 });
      expect(await page.textContent("#notary-error")).toMatch(
        /^this is not a notary profile: the file notary\.json starts with a byte-order mark .*The page still pins/,
      );
      expect((await shownNotary()).source).toBe("built-in");
    });

    it("shows digest red for a tampered record", async () => {
      const { statuses, verdict, text } = await verifyInPage(bundle, {
        ...RECORDS[1]?.record,
        amount: "7000.00",
      });
      expect(statuses).toMatchObject({
        digest: "fail",
        leaf: "pass",
        root: "pass",
        onchain_inclusion: "pass",
      });
      expect(verdict).toBe("invalid");
      expect(text).toMatch(/^INVALID: failed checks: digest\./);
      await page.screenshot({ path: join(RESULTS, "verify-page-tampered.png"), fullPage: true });
    });

    it("shows leaf red for a tampered salt", async () => {
      const { statuses } = await verifyInPage(
        { ...bundle, salt: flipLastHexDigit(bundle.salt) },
        RECORDS[1]?.record,
      );
      expect(statuses).toMatchObject({ digest: "pass", leaf: "fail", root: "pass" });
    });

    it("shows root red (and the contract's inclusion check red) for a tampered path node", async () => {
      const proof = [flipLastHexDigit(bundle.proof[0]), ...bundle.proof.slice(1)];
      const { statuses } = await verifyInPage({ ...bundle, proof }, RECORDS[1]?.record);
      expect(statuses).toMatchObject({
        leaf: "pass",
        root: "fail",
        onchain_inclusion: "fail",
        anchor_root: "pass",
      });
    });

    describe("never green for a bundle of another contract or chain", () => {
      const otherContract = () => ({
        ...bundle,
        anchor: { ...bundle.anchor, contract: `0x${"5a".repeat(20)}` },
      });
      const otherChainId = () => ({ ...bundle, anchor: { ...bundle.anchor, chainId: 1 } });

      it("is red, notary failed, for a bundle naming another contract or chain id", async () => {
        for (const changed of [otherContract(), otherChainId()]) {
          const { statuses, verdict, text } = await verifyInPage(changed, RECORDS[1]?.record);
          expect(verdict).toBe("invalid");
          expect(text).toMatch(/^INVALID: failed checks: notary\./);
          // An answer from another contract or chain means nothing: the other chain checks are not run.
          expect(statuses).toMatchObject({
            root: "pass",
            notary: "fail",
            anchor_tx: "skip",
            anchor_root: "skip",
          });
        }
        expect(await verdictColour()).toBe("rgb(253, 236, 234)");
      });

      it("is red for those even with no RPC URL, or a chain that cannot be reached", async () => {
        const down = `http://127.0.0.1:${await closedPort()}/`;
        for (const rpcUrl of ["", down]) {
          const { statuses, verdict } = await verifyInPage(otherContract(), RECORDS[1]?.record, rpcUrl);
          expect(verdict).toBe("invalid");
          expect(statuses.notary).toBe("fail");
        }
      });

      it("is amber, not green, for the service's own bundle with no RPC URL: no verdict on anchoring", async () => {
        const { statuses, verdict, text } = await verifyInPage(bundle, RECORDS[1]?.record, "");
        expect(verdict).toBe("unchecked");
        expect(text).toMatch(/^NOT CHECKED AGAINST THE CHAIN: no verdict on anchoring\./);
        expect(text).not.toMatch(/VALID/);
        for (const name of CHAIN_CHECKS) expect(statuses[name]).toBe("skip");
        expect(await verdictColour()).toBe("rgb(255, 248, 225)");
        await page.screenshot({ path: join(RESULTS, "verify-page-unchecked.png"), fullPage: true });
      });

      it("is amber when the chain cannot be reached, and decides nothing about the chain checks", async () => {
        const { statuses, verdict } = await verifyInPage(
          bundle,
          RECORDS[1]?.record,
          `http://127.0.0.1:${await closedPort()}/`,
        );
        expect(verdict).toBe("unchecked");
        expect(statuses).toMatchObject({
          root: "pass",
          notary: "skip",
          anchor_tx: "skip",
          onchain_inclusion: "skip",
        });
        expect(await page.textContent('#checks li[data-check="notary"] .result')).toMatch(
          /^not run: could not .* from the chain at/,
        );
      });

      it("cannot judge (neutral, not red) a bundle of a format it does not know", async () => {
        const { verdict, text } = await verifyInPage({ ...bundle, format: "evidence-bundle/v9" });
        expect(verdict).toBe("unsupported");
        expect(text).toMatch(/^CANNOT JUDGE: this verifier knows only evidence-bundle\/v1/);
        expect(await verdictColour()).toBe("rgb(236, 239, 241)");
      });
    });

    describe("a look-alike on a second chain (same chain id, contract address and code)", () => {
      it("is red on the look-alike's own chain: its genesis is not the notary's", async () => {
        const { statuses, verdict } = await verifyInPage(forged, FORGED_RECORD, lookAlike.chain.url);
        expect(verdict).toBe("invalid");
        expect(statuses).toMatchObject({ digest: "pass", leaf: "pass", root: "pass", notary: "fail" });
        for (const name of CHAIN_CHECKS.slice(1)) expect(statuses[name]).toBe("skip");
        expect(await page.textContent('#checks li[data-check="notary"] .result')).toMatch(
          /another chain with the same chain id: its genesis block is not the notary/,
        );
        await page.screenshot({ path: join(RESULTS, "verify-page-look-alike.png"), fullPage: true });
      });

      it("is red on the notary's chain, and amber with no RPC URL: never green", async () => {
        const onNotaryChain = await verifyInPage(forged, FORGED_RECORD);
        expect(onNotaryChain.verdict).toBe("invalid");
        expect(onNotaryChain.statuses).toMatchObject({ notary: "pass", anchor_tx: "fail" });
        const offline = await verifyInPage(forged, FORGED_RECORD, "");
        expect(offline.verdict).toBe("unchecked");
      });

      it("is green once the look-alike's own profile is loaded: the pinned profile decides, not the bundle", async () => {
        const profileText = await readFile(join(lookAlike.dataDir, "notary.json"), "utf8");
        await loadProfile("look-alike-notary.json", profileText);
        await page.waitForSelector("#notary[data-source=loaded]", { timeout: 10_000 });
        expect(await shownNotary()).toEqual({
          name: "Look-alike notary",
          fingerprint: formatFingerprint(notaryFingerprint(lookAlike.chain.notary)),
          source: "loaded",
        });
        expect(await page.textContent("#notary-source")).toBe(
          "(loaded from the file look-alike-notary.json)",
        );
        // Results shown against the previous profile are cleared.
        expect(await page.$$("#checks li")).toHaveLength(0);
        expect(await page.getAttribute("#verdict", "data-verdict")).toBeNull();

        const green = await verifyInPage(forged, FORGED_RECORD, lookAlike.chain.url);
        expect(green.verdict).toBe("valid");
        expect(green.statuses).toEqual(Object.fromEntries(CHECK_NAMES.map((name) => [name, "pass"])));
        expect(await page.textContent("#verdict-notary")).toContain('"Look-alike notary"');
        // …and the service's own bundle, pinned to the look-alike's profile, is not: it names
        // the same chain id and address, but the look-alike's contract never anchored it.
        const service = await verifyInPage(bundle, RECORDS[1]?.record, lookAlike.chain.url);
        expect(service.verdict).toBe("invalid");
        expect(service.statuses).toMatchObject({ notary: "pass", anchor_tx: "fail" });
        await page.screenshot({ path: join(RESULTS, "verify-page-other-profile.png"), fullPage: true });
      });

      it("goes back to the built-in profile, and the look-alike is red again", async () => {
        await page.click("#notary-reset");
        expect(await shownNotary()).toEqual({
          name: s.service.notary.name,
          fingerprint: formatFingerprint(notaryFingerprint(s.service.notary)),
          source: "built-in",
        });
        expect(await page.isHidden("#notary-reset")).toBe(true);
        const { verdict } = await verifyInPage(forged, FORGED_RECORD, lookAlike.chain.url);
        expect(verdict).toBe("invalid");
      });
    });

    describe("loading a profile that is not one", () => {
      it("refuses a file that is not JSON, says why, and keeps the pinned profile", async () => {
        await loadProfile("photo.json", "\u0089PNG not json");
        await page.waitForSelector("#notary-error:not([hidden])", { timeout: 10_000 });
        const error = (await page.textContent("#notary-error")) ?? "";
        expect(error).toMatch(/^this is not a notary profile: it is not JSON: /);
        expect(error).toContain(`The page still pins "${s.service.notary.name}".`);
        expect((await shownNotary()).source).toBe("built-in");
      });

      it("refuses pasted JSON that is not a profile, naming the fields, then accepts a pasted profile", async () => {
        await page.click("#notary-other summary");
        await page.fill("#notary-text", JSON.stringify(bundle));
        await page.click("#notary-load");
        expect(await page.textContent("#notary-error")).toMatch(
          /^this is not a valid notary profile \(notary-profile\/v1\): \/name is missing; .*is not a notary-profile\/v1 field/,
        );
        expect((await shownNotary()).source).toBe("built-in");

        // The service's own profile, pasted: accepted, and recognised as the built-in one.
        await page.fill("#notary-text", JSON.stringify(s.service.notary));
        await page.click("#notary-load");
        expect(await page.isHidden("#notary-error")).toBe(true);
        expect(await page.textContent("#notary-source")).toBe(
          "(loaded from pasted text, the same as the built-in profile)",
        );
        const { verdict } = await verifyInPage(bundle, RECORDS[1]?.record);
        expect(verdict).toBe("valid");
        await page.click("#notary-reset");
      });
    });

    it("runs under its strict CSP (no eval) and sends nothing to the service", () => {
      expect(cspViolations).toEqual([]);
      const afterLoad = requests.slice(1);
      expect(afterLoad.filter((url) => url.startsWith(s.url))).toEqual([]);
      expect(afterLoad.some((url) => url.startsWith(s.service.chainUrl))).toBe(true);
    });

    it("prints the evidence certificate to an A4 PDF, with the viewer's local time filled in", async () => {
      const context = await browser.newContext({
        extraHTTPHeaders: { authorization: `Bearer ${s.keys.reader}` },
      });
      try {
        const certificate = await context.newPage();
        const res = await certificate.goto(`${s.url}/v1/records/wire-2/certificate`);
        expect(res?.status()).toBe(200);
        const local = await certificate.$$eval("[data-local]", (cells) => cells.map((c) => c.textContent));
        expect(local).toHaveLength(3);
        for (const text of local) expect(text).not.toBe("(shown in a browser)");
        expect(await certificate.isVisible("#print")).toBe(true);
        const path = join(RESULTS, "certificate.pdf");
        await certificate.pdf({ path, format: "A4", printBackground: true });
        const pdf = await readFile(path);
        expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
        // The bundle starts on its own page: at least two A4 pages.
        expect((pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBeGreaterThanOrEqual(2);
      } finally {
        await context.close();
      }
    });
  });
});
