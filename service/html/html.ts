// Small helpers for the HTML pages the service renders (the evidence certificate, the
// verification page). Every value from a record, a bundle or the configuration goes
// through escapeHtml; inline scripts are allowed by their SHA-256 hash in the page's
// Content-Security-Policy, never by 'unsafe-inline'.
import { createHash } from "node:crypto";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe in HTML element content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** JSON safe inside <script type="application/json">: no "</script>" or "<!--" can close it. */
export function jsonForScriptTag(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** The CSP source that allows exactly this inline script. */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
}

/**
 * A strict policy for a self-contained page: nothing loads from elsewhere, inline styles
 * are allowed (the page carries its own stylesheet), scripts only by hash. `connectSrc`
 * is where the page's scripts may fetch from.
 */
export function pageCsp(options: { scriptHashes: readonly string[]; connectSrc?: string }): string {
  return [
    "default-src 'none'",
    `script-src ${options.scriptHashes.length > 0 ? options.scriptHashes.join(" ") : "'none'"}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    `connect-src ${options.connectSrc ?? "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
