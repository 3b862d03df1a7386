// The evidence certificate: one printable HTML page that states what a record's evidence
// proves, for a court, an arbitrator or a customer dispute. renderCertificate is pure: it
// gets everything it shows (the bundle, the verification report run at request time, the
// times) and escapes every value. Times are written in UTC by the server; a tiny inline
// script (allowed by its hash, CERTIFICATE_SCRIPT_HASH) adds the viewer's local time.
import type { Bundle } from "../core/bundle.ts";
import { formatFingerprint } from "../core/notary-profile.ts";
import type { CheckResult, VerifyReport } from "../core/verify.ts";
import { escapeHtml, scriptHashSource } from "../html/html.ts";
import { CHECK_LABELS, STATUS_WORDS } from "./check-labels.ts";

export interface CertificateView {
  bundle: Bundle;
  /** When the service received the record (ISO 8601). */
  receivedAt: string;
  /** The report of verifyBundle(bundle, {chain}) run when the certificate was issued. */
  report: VerifyReport;
  /** When the certificate was issued (ISO 8601). */
  issuedAt: string;
}

const LOCAL_TIME_SCRIPT = `for (const e of document.querySelectorAll("[data-local]")) {
  e.textContent = new Date(e.getAttribute("data-local")).toLocaleString(undefined, { dateStyle: "long", timeStyle: "long" });
}
const p = document.getElementById("print");
if (p) { p.hidden = false; p.addEventListener("click", () => window.print()); }`;

/** The CSP script-src source that allows the certificate's only script. */
export const CERTIFICATE_SCRIPT_HASH = scriptHashSource(LOCAL_TIME_SCRIPT);

export function renderCertificate(view: CertificateView): string {
  const b = view.bundle;
  const anchoredAt = new Date(b.anchor.timestamp * 1000).toISOString();
  const json = JSON.stringify(b, null, 2);
  const download = `data:application/json;charset=utf-8,${encodeURIComponent(json)}`;
  const fileName = `evidence-${b.recordId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100)}.json`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Evidence certificate: ${escapeHtml(b.recordId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <button id="print" type="button" class="no-print" hidden>Print or save as PDF</button>
  <h1>Evidence certificate</h1>
  <p class="subtitle">Blockchain notarization of record <code>${escapeHtml(b.recordId)}</code></p>
  ${verdict(view.report)}
</header>

<section>
  <h2>1. The record</h2>
  <table>
    ${row("Record id", code(b.recordId))}
    ${row("Digest (SHA-256 of the record in RFC 8785 canonical form)", code(b.digest))}
    ${row("Salt (random, for this record only)", code(b.salt))}
    ${row("Leaf hash, SHA-256(0x00 ‖ salt ‖ digest)", code(b.leafHash))}
  </table>
  <p class="note">The service keeps only the digest, never the record itself. Whoever holds the
  record can show that it matches this digest (see section 5); any change to the record gives a
  different digest.</p>
</section>

<section>
  <h2>2. When</h2>
  <table>
    <tr><th></th><th>UTC</th><th>Local time of this viewer</th></tr>
    ${timeRow("Received by the service", view.receivedAt)}
    ${timeRow("Anchored on the blockchain (block time)", anchoredAt)}
    ${timeRow("Certificate issued", view.issuedAt)}
  </table>
  <p class="note">The block time is set by the blockchain: the record existed, unchanged, no later than that moment.</p>
</section>

<section>
  <h2>3. Where it is anchored</h2>
  <table>
    ${notaryRows(view.report)}
    ${row("Batch (sequence number in the contract)", escapeHtml(b.batch))}
    ${row("Position in the batch", `leaf ${escapeHtml(b.leafIndex)} of ${escapeHtml(b.treeSize)}`)}
    ${row("Merkle root of the batch", code(b.root))}
    ${row("Chain id", escapeHtml(b.anchor.chainId))}
    ${row("Evidence contract", code(b.anchor.contract))}
    ${row("Transaction hash", code(b.anchor.txHash))}
    ${row("Block number", escapeHtml(b.anchor.blockNumber))}
    ${row("Block hash", code(b.anchor.blockHash))}
  </table>
</section>

<section class="checks">
  <h2>4. Verification, step by step</h2>
  <p class="note">${escapeHtml(checkedAgainst(view.report))}</p>
  <ol>
    ${view.report.checks.map(checkItem).join("\n    ")}
  </ol>
</section>

<section>
  <h2>5. How anyone can check this without trusting us</h2>
  <p>Everything above can be re-checked independently, with only the evidence bundle (section 6),
  the record, and read access to the blockchain:</p>
  <ul>
    <li>in a browser: open the service's <code>/verify</code> page (it can be saved and used
    offline), drop the bundle and the record, and press Verify;</li>
    <li>on a command line: <code>npm run verify -- ${escapeHtml(fileName)} --record record.json --notary notary.json --rpc &lt;chain JSON-RPC URL&gt;</code>,
    where <code>notary.json</code> is the notary's profile (<code>GET /v1/notary</code> on its service) whose
    fingerprint you have compared with the one the notary publishes;</li>
    <li>by hand: SHA-256 over the RFC 8785 form of the record gives the digest; RFC 9162 §2.1.3 gives
    the root from the leaf and the audit path; the contract's <code>getAnchor(${escapeHtml(b.batch)})</code> returns the root.</li>
  </ul>
</section>

<section class="bundle">
  <h2>6. The evidence bundle</h2>
  <p><a class="no-print" href="${escapeHtml(download)}" download="${escapeHtml(fileName)}">Download ${escapeHtml(fileName)}</a></p>
  <pre>${escapeHtml(json)}</pre>
</section>
<script>${LOCAL_TIME_SCRIPT}</script>
</body>
</html>
`;
}

function verdict(report: VerifyReport): string {
  const failed = report.checks.filter((c) => c.status === "fail");
  const ran = report.checks.filter((c) => c.status !== "skip").length;
  if (failed.length > 0) {
    const names = failed.map((c) => CHECK_LABELS[c.name].title.toLowerCase()).join("; ");
    return `<p class="verdict fail" data-verdict="invalid">The evidence does NOT verify. Failed: ${escapeHtml(names)}.</p>`;
  }
  return `<p class="verdict pass" data-verdict="valid">The evidence verifies: all ${ran} checks that were run passed.</p>`;
}

/** The notary the checks pinned: its name and fingerprint, to compare with the one it publishes. */
function notaryRows(report: VerifyReport): string {
  if (report.notary === undefined) return "";
  return `${row("Notary", escapeHtml(report.notary.name))}
    ${row("Notary fingerprint (compare with the one the notary publishes)", code(formatFingerprint(report.notary.fingerprint)))}`;
}

function checkedAgainst(report: VerifyReport): string {
  const chainChecked = report.checks.some((c) => c.name === "anchor_tx" && c.status !== "skip");
  return chainChecked
    ? "Checked when this certificate was issued, against the blockchain itself."
    : "Checked when this certificate was issued; the blockchain was not consulted, so the steps that need it were not run.";
}

function checkItem(check: CheckResult): string {
  const label = CHECK_LABELS[check.name];
  const mismatch =
    check.expected === undefined && check.actual === undefined
      ? ""
      : `<dl><dt>The evidence says</dt><dd><code>${escapeHtml(check.expected ?? "")}</code></dd><dt>Found</dt><dd><code>${escapeHtml(check.actual ?? "")}</code></dd></dl>`;
  return `<li class="check ${check.status}" data-check="${check.name}" data-status="${check.status}">
      <p class="check-title"><span class="badge">${STATUS_WORDS[check.status]}</span> ${escapeHtml(label.title)}</p>
      <p class="explains">${escapeHtml(label.explains)}</p>
      <p class="result">Result: ${escapeHtml(check.message)}.</p>${mismatch}
    </li>`;
}

function row(label: string, valueHtml: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${valueHtml}</td></tr>`;
}

function code(value: string): string {
  return `<code>${escapeHtml(value)}</code>`;
}

function timeRow(label: string, iso: string): string {
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return `<tr><th>${escapeHtml(label)}</th><td><time datetime="${escapeHtml(iso)}">${escapeHtml(utc)}</time></td><td data-local="${escapeHtml(iso)}">(shown in a browser)</td></tr>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; margin: 0 0 .2rem; }
h2 { font-size: 1.15rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
.subtitle { margin: 0 0 1rem; color: #444; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
code { overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e5e5e5; }
th { font-weight: 600; width: 38%; }
.note { color: #555; font-size: .9em; }
.verdict { padding: .7rem 1rem; border-radius: 6px; font-weight: 600; }
.verdict.pass { background: #e6f4ea; border: 1px solid #2e7d32; color: #1b5e20; }
.verdict.fail { background: #fdecea; border: 1px solid #c62828; color: #8e0000; }
.checks ol { padding-left: 1.4rem; }
.check { margin-bottom: .8rem; break-inside: avoid; page-break-inside: avoid; }
.check p { margin: .1rem 0; }
.check-title { font-weight: 600; }
.badge { display: inline-block; min-width: 4.5rem; text-align: center; border-radius: 4px;
  padding: 0 .4rem; font-size: .8em; font-weight: 700; text-transform: uppercase; color: #fff; }
.pass .badge { background: #2e7d32; }
.fail .badge { background: #c62828; }
.skip .badge { background: #757575; }
.explains { color: #555; font-size: .9em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; font-size: .9em; }
dd { margin: 0; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: .8rem; white-space: pre-wrap; word-break: break-all; }
#print { float: right; padding: .4rem .8rem; font: inherit; cursor: pointer; }
table, tr, pre, .verdict { break-inside: avoid; page-break-inside: avoid; }
@page { size: A4; margin: 16mm 15mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  .no-print { display: none !important; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .bundle { break-before: page; page-break-before: always; }
  pre { font-size: 8pt; background: none; }
  .verdict, .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;
