// The verification page's HTML: a static, self-contained page (stylesheet and script
// inline), so that "Save page as" gives a verifier that works without the service. The
// only values from the service are the default JSON-RPC URL and the notary profile the page
// pins (the service's own), injected as JSON.
import type { NotaryProfile } from "../core/notary-profile.ts";
import { jsonForScriptTag, pageCsp, scriptHashSource } from "../html/html.ts";

export interface VerifyPage {
  html: string;
  /** Allows exactly the page's inline script (no eval) and fetches to any chain endpoint. */
  csp: string;
}

export function renderVerifyPage(options: {
  script: string;
  rpcUrl: string;
  /** The notary profile the page pins (the service's own). */
  notary: NotaryProfile;
}): VerifyPage {
  const csp = pageCsp({ scriptHashes: [scriptHashSource(options.script)], connectSrc: "http: https:" });
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify evidence</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Verify an evidence bundle</h1>
<p class="lead">Everything runs in this browser, with the same code as the command-line verifier
(<code>npm run verify</code>): nothing you drop here is sent to the notarization service. The only
network access is to the blockchain's JSON-RPC endpoint below, to read the anchor.</p>

<div class="inputs">
  <label for="bundle">1. Evidence bundle (JSON): paste it, drop the file here, or <input id="bundle-file" type="file" accept=".json,application/json"></label>
  <textarea id="bundle" spellcheck="false" placeholder='{"format":"evidence-bundle/v1", …}'></textarea>
  <label for="record">2. The record (JSON), optional: without it the record itself is not compared <input id="record-file" type="file" accept=".json,application/json"></label>
  <textarea id="record" spellcheck="false" placeholder="optional"></textarea>
  <label for="rpc">3. Blockchain JSON-RPC URL (empty: check the bundle only, not the chain)</label>
  <input id="rpc" type="url" spellcheck="false" value="">
  <button id="verify" type="button">Verify</button>
</div>

<p id="verdict" class="verdict" data-state="loading" role="status">Loading the verifier…</p>
<ol id="checks"></ol>

<details>
  <summary>What is checked</summary>
  <p>The record's canonical form (RFC 8785) is hashed with SHA-256 into the digest; the digest
  and the record's salt give the leaf; the audit path leads from the leaf to the batch's Merkle
  root (RFC 9162); and the blockchain shows that the evidence contract recorded that root in a
  successful transaction, in the stated block, at the stated time. Green: passed. Red: failed,
  the evidence does not prove what it claims. Grey: not run (no record, no chain, or the chain
  could not be reached; that decides nothing).</p>
</details>
<script type="application/json" id="page-config">${jsonForScriptTag({ rpcUrl: options.rpcUrl, notary: options.notary })}</script>
<noscript><p class="verdict fail">This page needs JavaScript: the verification runs in your browser.</p></noscript>
<script>${options.script}</script>
</body>
</html>
`;
  return { html, csp };
}

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
  max-width: 56rem; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
.lead { color: #444; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.inputs { display: grid; gap: .4rem; margin: 1.2rem 0; }
label { font-weight: 600; margin-top: .6rem; }
label input[type=file] { font-weight: normal; font-size: .85em; margin-left: .4rem; }
textarea { min-height: 8rem; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; padding: .5rem; border: 1px solid #bbb; border-radius: 4px; }
textarea.dragging { border: 2px dashed #1565c0; background: #e3f2fd; }
#rpc { font: 13px ui-monospace, "DejaVu Sans Mono", monospace; padding: .4rem; border: 1px solid #bbb; border-radius: 4px; }
#verify { justify-self: start; margin-top: .6rem; padding: .5rem 1.4rem; font: inherit; font-weight: 600; cursor: pointer; }
.verdict { padding: .7rem 1rem; border-radius: 6px; font-weight: 600; background: #f1f1f1; border: 1px solid #ccc; }
.verdict.pass { background: #e6f4ea; border-color: #2e7d32; color: #1b5e20; }
.verdict.fail { background: #fdecea; border-color: #c62828; color: #8e0000; }
#checks { padding-left: 1.4rem; }
.check { margin: .6rem 0; padding: .4rem .7rem; border-left: 5px solid #9e9e9e; background: #fafafa; }
.check.pass { border-color: #2e7d32; }
.check.fail { border-color: #c62828; background: #fff5f5; }
.check p { margin: .1rem 0; }
.check-title { font-weight: 600; }
.check-title .name { color: #666; font-weight: normal; }
.badge { display: inline-block; min-width: 4.5rem; text-align: center; border-radius: 4px; padding: 0 .4rem;
  font-size: .8em; font-weight: 700; text-transform: uppercase; color: #fff; background: #757575; }
.pass .badge { background: #2e7d32; }
.fail .badge { background: #c62828; }
.explains { color: #555; font-size: .9em; }
.result { font-size: .95em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .6rem; font-size: .85em; margin: .3rem 0 0; }
dd { margin: 0; font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
details { margin-top: 2rem; color: #444; }`;
