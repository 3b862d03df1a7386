// The verification page's script, run in the user's browser. It verifies with exactly the
// code the CLI runs (core/verify.ts, and chain/chain-reader.ts for JSON-RPC over fetch),
// pinned to a notary profile: the one built into the page, or one the user loads
// (notary-panel.ts). The service only serves the page, so a saved copy works without it.
//
// For tests and tools, #verdict carries data-state (loading, ready, running, done, error)
// and, once done, data-verdict (valid, invalid, unchecked, unsupported: page-verdict.ts).
import { formatFingerprint, type NotaryProfile, parseNotaryProfile } from "../core/notary-profile.ts";
import type { CheckResult, VerifyReport } from "../core/verify.ts";
import { CHECK_LABELS, STATUS_WORDS } from "../evidence/check-labels.ts";
import { acceptFiles, element, make } from "./dom.ts";
import { startNotaryPanel } from "./notary-panel.ts";
import { type PageVerdict, pageVerdict, verdictText } from "./page-verdict.ts";
import { verifyTexts } from "./verify-texts.ts";

const VERDICT_CLASS: Record<PageVerdict, string> = {
  valid: "pass",
  invalid: "fail",
  unchecked: "unchecked",
  unsupported: "unsupported",
};

function renderCheck(check: CheckResult): HTMLElement {
  const label = CHECK_LABELS[check.name];
  const item = make("li", `check ${check.status}`);
  item.dataset.check = check.name;
  item.dataset.status = check.status;
  const title = make("p", "check-title");
  title.append(
    make("span", "badge", STATUS_WORDS[check.status]),
    ` ${label.title} `,
    make("code", "name", check.name),
  );
  item.append(title, make("p", "explains", label.explains), make("p", "result", check.message));
  if (check.expected !== undefined || check.actual !== undefined) {
    const list = make("dl", "");
    list.append(
      make("dt", "", "The evidence says"),
      make("dd", "", check.expected ?? ""),
      make("dt", "", "Found"),
      make("dd", "", check.actual ?? ""),
    );
    item.append(list);
  }
  return item;
}

function start(): void {
  const bundleArea = element<HTMLTextAreaElement>("bundle");
  const recordArea = element<HTMLTextAreaElement>("record");
  const rpc = element<HTMLInputElement>("rpc");
  const checks = element<HTMLOListElement>("checks");
  const verdict = element<HTMLElement>("verdict");
  const against = element<HTMLElement>("verdict-notary");
  const button = element<HTMLButtonElement>("verify");
  const config = JSON.parse(element("page-config").textContent ?? "{}") as {
    rpcUrl?: string;
    notary?: unknown;
  };
  if (rpc.value === "") rpc.value = config.rpcUrl ?? "";

  const show = (state: "ready" | "running" | "done" | "error", className: string, text: string) => {
    verdict.className = `verdict ${className}`.trim();
    verdict.textContent = text;
    verdict.dataset.state = state;
  };
  const refused = (fileName: string, problem: string) => {
    checks.replaceChildren();
    against.textContent = "";
    delete verdict.dataset.verdict;
    show("error", "fail", `Could not read ${fileName}: it ${problem}. Nothing was verified.`);
  };
  acceptFiles(bundleArea, element<HTMLInputElement>("bundle-file"), { refused });
  acceptFiles(recordArea, element<HTMLInputElement>("record-file"), { refused });
  const notary = startNotaryPanel(parseNotaryProfile(config.notary), (profile: NotaryProfile) => {
    // Results against the previous profile mean nothing for this one.
    checks.replaceChildren();
    against.textContent = "";
    delete verdict.dataset.verdict;
    show("ready", "", `Now pinning "${profile.name}": press Verify to check the evidence against it.`);
  });

  button.addEventListener("click", async () => {
    button.disabled = true;
    delete verdict.dataset.verdict;
    show("running", "", "Verifying…");
    checks.replaceChildren();
    against.textContent = "";
    try {
      const report: VerifyReport = await verifyTexts({
        bundleText: bundleArea.value,
        recordText: recordArea.value,
        rpcUrl: rpc.value,
        trustedNotary: notary.current(),
      });
      const outcome = pageVerdict(report);
      checks.replaceChildren(...report.checks.map(renderCheck));
      if (report.notary !== undefined) {
        against.textContent = `Checked against the notary "${report.notary.name}", fingerprint ${formatFingerprint(report.notary.fingerprint)}.`;
      }
      verdict.dataset.verdict = outcome;
      show("done", VERDICT_CLASS[outcome], verdictText(report, outcome));
    } catch (error) {
      show("error", "fail", `Could not verify: ${(error as Error).message}`);
    } finally {
      button.disabled = false;
    }
  });
  show("ready", "", "Ready: give the evidence bundle and press Verify.");
}

start();
