// Request bodies must be I-JSON (RFC 7493), the JSON that RFC 8785 (JCS) canonicalizes.
// JSON.parse accepts three things that would let two parties disagree on what was
// notarized, so a body that JSON.parse accepted is scanned once more for them:
//   - duplicate member names ({"id":"a","id":"b"}: JSON.parse silently keeps the last);
//   - strings with a lone surrogate ("\ud800" is valid JSON, but not Unicode text);
//   - numbers that are not finite doubles (1e400 parses to Infinity).
// Nesting deeper than MAX_BODY_DEPTH is refused too. The scan is one pass with an explicit
// stack (no recursion), so deep or large bodies cannot exhaust the call stack.
import { InvalidArgumentError } from "./errors.ts";

/** No API body needs more; records themselves stop at MAX_DEPTH (core/canonical.ts). */
export const MAX_BODY_DEPTH = 512;

const LONE_SURROGATE = /\p{Surrogate}/u;
const QUOTE = 34;
const BACKSLASH = 92;

interface Frame {
  /** Member names seen so far; null for an array. */
  names: Set<string> | null;
  /** The member name or array index being read, for error paths. */
  at: string;
  index: number;
}

/** Throws InvalidArgumentError (code invalid_json, details.field) unless `text` (valid JSON) is I-JSON. */
export function assertIJson(text: string): void {
  const stack: Frame[] = [];
  let expectName = false;
  const where = () => ["body", ...stack.map((f) => f.at)].join("/");
  const fail = (problem: string) =>
    new InvalidArgumentError("invalid_json", `${problem} at ${where()}`, { details: { field: where() } });

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) {
          escaped = true;
          i++;
        }
      }
      // Only an escape can make a name differ from its spelling, or a lone surrogate appear.
      const value = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i);
      const frame = stack[stack.length - 1];
      if (expectName && frame?.names) {
        frame.at = value;
        if (LONE_SURROGATE.test(value)) throw fail("member name contains a lone surrogate");
        if (frame.names.has(value)) throw fail("duplicate member name");
        frame.names.add(value);
        expectName = false;
      } else if (escaped && LONE_SURROGATE.test(value)) {
        throw fail("string contains a lone surrogate");
      }
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (stack.length >= MAX_BODY_DEPTH) throw fail(`nested deeper than ${MAX_BODY_DEPTH} levels`);
      stack.push({ names: c === 123 ? new Set() : null, at: c === 123 ? "" : "0", index: 0 });
      expectName = c === 123;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
    } else if (c === 44 /* , */) {
      const frame = stack[stack.length - 1];
      if (frame?.names) expectName = true;
      else if (frame) frame.at = String(++frame.index);
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57) /* 0-9 */) {
      const start = i;
      while (i + 1 < text.length && /[-+.eE0-9]/.test(text[i + 1] as string)) i++;
      if (!Number.isFinite(Number(text.slice(start, i + 1)))) {
        throw fail(`number ${abbreviate(text.slice(start, i + 1))} is too large for a double`);
      }
    }
  }
}

function abbreviate(s: string): string {
  return s.length > 24 ? `${s.slice(0, 20)}…(${s.length} chars)` : s;
}
