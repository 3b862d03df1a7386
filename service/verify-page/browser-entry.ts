// The verification page's script, run in the user's browser. It verifies with exactly the
// code the CLI runs (core/verify.ts, and chain/chain-reader.ts for JSON-RPC over fetch);
// the service only serves the page, so a saved copy works without it. Everything shown is
// set as text (never as HTML): a bundle or record is untrusted input.
import { createChainReader } from "../chain/chain-reader.ts";
import { ChainUnavailableError } from "../core/errors.ts";
import { type NotaryProfile, parseNotaryProfile } from "../core/notary-profile.ts";
import {
  CHECK_NAMES,
  type CheckResult,
  type VerifyReport,
  verifyBundle,
  verifyBundleOffline,
} from "../core/verify.ts";
import { CHECK_LABELS, STATUS_WORDS } from "../evidence/check-labels.ts";

const FIRST_CHAIN_CHECK = CHECK_NAMES.indexOf("notary");

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

function make(tag: string, className: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (className !== "") e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A textarea that also takes a dropped file, or one chosen with its file input. */
function acceptFiles(area: HTMLTextAreaElement, picker: HTMLInputElement): void {
  const load = async (file: File | undefined) => {
    if (file !== undefined) area.value = await file.text();
  };
  area.addEventListener("dragover", (event) => {
    event.preventDefault();
    area.classList.add("dragging");
  });
  area.addEventListener("dragleave", () => area.classList.remove("dragging"));
  area.addEventListener("drop", (event) => {
    event.preventDefault();
    area.classList.remove("dragging");
    void load(event.dataTransfer?.files[0]);
  });
  picker.addEventListener("change", () => void load(picker.files?.[0]));
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the ${what} is not valid JSON: ${(error as Error).message}`);
  }
}

async function verify(
  bundleText: string,
  recordText: string,
  rpcUrl: string,
  trustedNotary: NotaryProfile,
): Promise<VerifyReport> {
  const bundle = parseJson(bundleText, "evidence bundle");
  const record = recordText.trim() === "" ? undefined : parseJson(recordText, "record");
  const options = { ...(record === undefined ? {} : { record }), trustedNotary };
  if (rpcUrl === "") return verifyBundle(bundle, options);
  // The chain to expect is the pinned notary's, never the one the bundle names.
  const chain = createChainReader(rpcUrl, trustedNotary.chainId);
  try {
    return await verifyBundle(bundle, { ...options, chain });
  } catch (error) {
    if (!(error instanceof ChainUnavailableError)) throw error;
    // Could not ask the chain: that decides nothing. Show the offline checks, the rest grey.
    const offline = verifyBundleOffline(bundle, options);
    const message = `not run: ${error.message}`;
    for (const name of CHECK_NAMES.slice(FIRST_CHAIN_CHECK))
      offline.checks.push({ name, status: "skip", message });
    return offline;
  } finally {
    chain.destroy();
  }
}

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

function renderVerdict(verdict: HTMLElement, report: VerifyReport): void {
  const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  verdict.className = `verdict ${failed.length === 0 ? "pass" : "fail"}`;
  verdict.textContent =
    failed.length === 0
      ? `VALID: every check that was run passed${skipped > 0 ? ` (${skipped} not run, in grey)` : ""}.`
      : `INVALID: failed checks: ${failed.join(", ")}.`;
}

function start(): void {
  const bundleArea = element<HTMLTextAreaElement>("bundle");
  const recordArea = element<HTMLTextAreaElement>("record");
  const rpc = element<HTMLInputElement>("rpc");
  const checks = element<HTMLOListElement>("checks");
  const verdict = element<HTMLElement>("verdict");
  const button = element<HTMLButtonElement>("verify");
  acceptFiles(bundleArea, element<HTMLInputElement>("bundle-file"));
  acceptFiles(recordArea, element<HTMLInputElement>("record-file"));
  const config = JSON.parse(element("page-config").textContent ?? "{}") as {
    rpcUrl?: string;
    notary?: unknown;
  };
  if (rpc.value === "") rpc.value = config.rpcUrl ?? "";
  const notary = parseNotaryProfile(config.notary);

  button.addEventListener("click", async () => {
    button.disabled = true;
    verdict.dataset.state = "running";
    verdict.className = "verdict";
    verdict.textContent = "Verifying…";
    checks.replaceChildren();
    try {
      const report = await verify(bundleArea.value, recordArea.value, rpc.value.trim(), notary);
      checks.replaceChildren(...report.checks.map(renderCheck));
      renderVerdict(verdict, report);
      verdict.dataset.state = "done";
    } catch (error) {
      verdict.className = "verdict fail";
      verdict.textContent = `Could not verify: ${(error as Error).message}`;
      verdict.dataset.state = "error";
    } finally {
      button.disabled = false;
    }
  });
  verdict.dataset.state = "ready";
}

start();
