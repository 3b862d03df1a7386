// The verification page's HTML: a static, self-contained page (stylesheet and script
// inline), so that "Save page as" gives a verifier that works without the service. The
// only values from the service are the default JSON-RPC URL and the notary profile the page
// pins (the service's own), injected as JSON; the profile's name and fingerprint are also
// written into the HTML, escaped, so they show before the script runs.
import { formatFingerprint, type NotaryProfile, notaryFingerprint } from "../core/notary-profile.ts";
import { escapeHtml, jsonForScriptTag, pageCsp, scriptHashSource } from "../html/html.ts";
import { VERIFY_PAGE_STYLE } from "./page-style.ts";

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
  const { notary } = options;
  const csp = pageCsp({ scriptHashes: [scriptHashSource(options.script)], connectSrc: "http: https:" });
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify evidence</title>
<style>${VERIFY_PAGE_STYLE}</style>
</head>
<body>
<h1>Verify an evidence bundle</h1>
<p class="lead">Everything runs in this browser, with the same code as the command-line verifier
(<code>npm run verify</code>): nothing you drop here is sent to the notarization service. The only
network access is to the blockchain's JSON-RPC endpoint below, to read the anchor.</p>

<section id="notary" class="notary" data-source="built-in" aria-labelledby="notary-heading">
  <h2 id="notary-heading">The notary this page checks against</h2>
  <p class="notary-name"><strong id="notary-name">${escapeHtml(notary.name)}</strong>
    <span id="notary-source" class="source">(built into this page by the service that served it)</span>
    <button id="notary-reset" type="button" hidden>Back to the built-in profile</button></p>
  <p class="fingerprint-line">Fingerprint <code id="notary-fingerprint" class="fingerprint">${escapeHtml(formatFingerprint(notaryFingerprint(notary)))}</code></p>
  <p class="notary-chain">Its anchors: <code id="notary-chain">chain ${escapeHtml(notary.chainId)}, contract ${escapeHtml(notary.contract)}</code></p>
  <p class="compare"><strong>Compare this fingerprint with the one the notary publishes</strong> (on its
  website, in a court filing, in your contract with it). Evidence counts only when it was anchored by the
  notary whose profile this is, and whoever serves a page can build any profile into it: that comparison,
  not this page, is what makes the check independent.</p>
  <details id="notary-other">
    <summary>Check against another notary's profile</summary>
    <p>Choose or drop its profile file (<code>notary.json</code>, as its service serves it at
    <code>/v1/notary</code>), or paste it below and press "Use this profile". The page then pins that
    profile instead; its fingerprint shows above, to compare in the same way.</p>
    <input id="notary-file" type="file" accept=".json,application/json" aria-label="Notary profile file">
    <textarea id="notary-text" spellcheck="false" placeholder='{"format":"notary-profile/v1", …}' aria-label="Notary profile (JSON)"></textarea>
    <button id="notary-load" type="button">Use this profile</button>
  </details>
  <p id="notary-error" class="error" role="alert" hidden></p>
</section>

<div class="inputs">
  <label for="bundle">1. Evidence bundle (JSON): paste it, drop the file here, or <input id="bundle-file" type="file" accept=".json,application/json"></label>
  <textarea id="bundle" spellcheck="false" placeholder='{"format":"evidence-bundle/v1", …}'></textarea>
  <label for="record">2. The record (JSON), optional: without it the record itself is not compared <input id="record-file" type="file" accept=".json,application/json"></label>
  <textarea id="record" spellcheck="false" placeholder="optional"></textarea>
  <label for="rpc">3. JSON-RPC URL of the notary's blockchain (empty: the evidence is checked offline only, with no verdict on its anchoring)</label>
  <input id="rpc" type="url" spellcheck="false" value="">
  <button id="verify" type="button">Verify</button>
</div>

<p id="verdict" class="verdict" data-state="loading" role="status">Loading the verifier…</p>
<p id="verdict-notary" class="verdict-notary"></p>
<ol id="checks"></ol>

<details>
  <summary>What is checked</summary>
  <p>The record's canonical form (RFC 8785) is hashed with SHA-256 into the digest; the digest
  and the record's salt give the leaf; the audit path leads from the leaf to the batch's Merkle
  root (RFC 9162); the chain and contract the evidence names are the pinned notary's, and the
  blockchain is that notary's own (its first block, the block where its contract was created, and
  the contract's code, as the profile states them); and the notary's contract recorded that root in a
  successful transaction, in the stated block, at the stated time.</p>
  <p>Green VALID: every check passed, the notary and the anchoring on its chain included. Red
  INVALID: a check failed, the evidence does not prove what it claims (evidence anchored by anyone
  else, or on another chain, is invalid). Amber NOT CHECKED AGAINST THE CHAIN: nothing failed, but
  the chain was not asked (no URL) or could not be reached, so there is no verdict on anchoring.
  Grey CANNOT JUDGE: the evidence uses a format this verifier does not know. A grey check was not
  run (no record, no chain, or the chain could not be reached).</p>
</details>
<script type="application/json" id="page-config">${jsonForScriptTag({ rpcUrl: options.rpcUrl, notary })}</script>
<noscript><p class="verdict fail">This page needs JavaScript: the verification runs in your browser.</p></noscript>
<script>${options.script}</script>
</body>
</html>
`;
  return { html, csp };
}
