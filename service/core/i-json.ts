// Request bodies must be I-JSON (RFC 7493), the JSON that RFC 8785 (JCS) canonicalizes.
// JSON.parse accepts three things that would let two parties disagree on what was
// notarized, so a body that JSON.parse accepted is scanned once more for them:
//   - duplicate member names ({"id":"a","id":"b"}: JSON.parse silently keeps the last);
//   - strings with a lone surrogate ("\ud800" is valid JSON, but not Unicode text);
//   - numbers that are not finite doubles (1e400 parses to Infinity).
// Nesting deeper than MAX_BODY_DEPTH is refused too, and, for request bodies
// (refusePrototypeNames), so are the member names that pollute prototypes when a parsed body
// is merged into another object: "__proto__", and "prototype" inside "constructor" (what
// secure-json-parse, Fastify's parser, checks with a second pass of its own; doing it here
// makes this the only pass after JSON.parse). The scan
// is one pass with an explicit stack (no recursion), so deep or large bodies cannot exhaust
// the call stack; strings and numbers are skipped with native searches where nothing in them
// needs a look.
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

/** Longest number literal that could still overflow a double without an exponent: 309 digits and a sign. */
const MAX_PLAIN_NUMBER = 309;

/**
 * Throws InvalidArgumentError (code invalid_json, details.field) unless `text` (valid JSON) is
 * I-JSON; with `refusePrototypeNames`, also when it names "__proto__" or "constructor"."prototype".
 */
export function assertIJson(text: string, options: { refusePrototypeNames?: boolean } = {}): void {
  const refusePrototypeNames = options.refusePrototypeNames === true;
  const stack: Frame[] = [];
  let expectName = false;
  const where = () => ["body", ...stack.map((f) => f.at)].join("/");
  const fail = (problem: string) =>
    new InvalidArgumentError("invalid_json", `${problem} at ${where()}`, { details: { field: where() } });

  // The next backslash at or after some position: searched again only once passed, so the
  // searches cost one pass over the text in all.
  let backslash = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      // Valid JSON: the string ends at the first quote no backslash escapes.
      let end = text.indexOf('"', i + 1);
      let escaped = false;
      if (backslash !== Number.POSITIVE_INFINITY && backslash <= i) {
        backslash = text.indexOf("\\", i + 1);
        if (backslash === -1) backslash = Number.POSITIVE_INFINITY;
      }
      if (backslash < end) {
        escaped = true;
        for (end = backslash; text.charCodeAt(end) !== QUOTE; end++) {
          if (text.charCodeAt(end) === BACKSLASH) end++;
        }
      }
      i = end;
      const frame = stack[stack.length - 1];
      const isName = expectName && frame?.names;
      if (!isName && !escaped) continue;
      // Only an escape can make a name differ from its spelling, or a lone surrogate appear.
      const value = escaped ? (JSON.parse(text.slice(start, end + 1)) as string) : text.slice(start + 1, end);
      if (isName && frame?.names) {
        frame.at = value;
        if (escaped && LONE_SURROGATE.test(value)) throw fail("member name contains a lone surrogate");
        if (frame.names.has(value)) throw fail("duplicate member name");
        if (refusePrototypeNames && value === "__proto__") throw fail("member name __proto__ is not allowed");
        if (refusePrototypeNames && value === "prototype" && stack[stack.length - 2]?.at === "constructor") {
          throw fail("member name prototype inside constructor is not allowed");
        }
        frame.names.add(value);
        expectName = false;
      } else if (LONE_SURROGATE.test(value)) {
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
      let exponent = false;
      for (;;) {
        const d = text.charCodeAt(i + 1);
        if ((d >= 48 && d <= 57) || d === 46 /* . */ || d === 45 /* - */ || d === 43 /* + */) i++;
        else if (d === 101 /* e */ || d === 69 /* E */) {
          exponent = true;
          i++;
        } else break;
      }
      // Without an exponent, only a literal of over 309 digits can overflow a double.
      if (!exponent && i + 1 - start <= MAX_PLAIN_NUMBER) continue;
      if (!Number.isFinite(Number(text.slice(start, i + 1)))) {
        throw fail(`number ${abbreviate(text.slice(start, i + 1))} is too large for a double`);
      }
    }
  }
}

function abbreviate(s: string): string {
  return s.length > 24 ? `${s.slice(0, 20)}…(${s.length} chars)` : s;
}
