// How a verifier reads a bundle, a record or a notary profile (docs/evidence-format.md
// section 2, "Reading the files"): UTF-8 JSON text that is I-JSON, or nothing is decided.
//
// Nothing is repaired. RFC 8259 section 8.1 and RFC 7493 section 2.1 require UTF-8:
//   - bytes that are not UTF-8 (a Latin-1 "ø", a UTF-16 file, a cut multi-byte sequence) are
//     refused, never replaced by U+FFFD: a repaired record hashes to a text its holder never
//     had (an honest record would look tampered with), and a repaired bundle is not the one
//     that was handed over (a changed byte would look genuine);
//   - a leading byte-order mark (U+FEFF) is refused. RFC 8259 forbids adding one and lets a
//     parser ignore it or refuse it; all verifiers must do the same, and refusing needs no
//     rule about what else may be stripped. It is an input error, not evidence of anything.
// Then JSON.parse, and the I-JSON scan (i-json.ts).
import { InvalidArgumentError } from "./errors.ts";
import { assertIJson } from "./i-json.ts";

const BYTE_ORDER_MARK = 0xfeff;

/**
 * The text of a JSON file's bytes. Throws InvalidArgumentError (invalid_json) when they are not
 * UTF-8 or begin with a byte-order mark; its message reads after "the file …".
 */
export function decodeJsonBytes(bytes: Uint8Array): string {
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where refuseByteOrderMark sees it.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InvalidArgumentError("invalid_json", `is not UTF-8: ${describeBadUtf8(bytes)}`, {
      details: { problem: "not_utf8" },
    });
  }
  refuseByteOrderMark(text);
  return text;
}

/**
 * JSON.parse, refusing a leading byte-order mark and anything that is not I-JSON. Throws
 * InvalidArgumentError (invalid_json) whose message reads after "the file …" ("is not JSON: …").
 */
export function parseJsonText(text: string): unknown {
  refuseByteOrderMark(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError("invalid_json", `is not JSON: ${(error as Error).message}`, {
      details: { problem: "not_json" },
    });
  }
  try {
    assertIJson(text);
  } catch (error) {
    throw new InvalidArgumentError("invalid_json", `is not I-JSON: ${(error as Error).message}`, {
      details: { problem: "not_i_json", field: (error as InvalidArgumentError).details?.field },
    });
  }
  return value;
}

/** A file's bytes to its JSON value: decodeJsonBytes, then parseJsonText. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return parseJsonText(decodeJsonBytes(bytes));
}

function refuseByteOrderMark(text: string): void {
  if (text.charCodeAt(0) !== BYTE_ORDER_MARK) return;
  throw new InvalidArgumentError(
    "invalid_json",
    "starts with a byte-order mark (U+FEFF, bytes ef bb bf), which JSON text must not have: save it as UTF-8 without a BOM",
    { details: { problem: "byte_order_mark" } },
  );
}

/** Where `bytes` (not UTF-8) stop being UTF-8: the offending bytes, their offset and line. */
function describeBadUtf8(bytes: Uint8Array): string {
  // A prefix decodes in streaming mode (a cut sequence at its end is held back, not an
  // error) until it holds the first bad sequence, so the shortest failing prefix ends at it.
  const decodes = (length: number, stream: boolean) => {
    try {
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, length), {
        stream,
      });
      return true;
    } catch {
      return false;
    }
  };
  if (decodes(bytes.length, true)) return "it ends in the middle of a multi-byte sequence";
  let good = 0;
  let bad = bytes.length;
  while (bad - good > 1) {
    const mid = (good + bad) >>> 1;
    if (decodes(mid, true)) good = mid;
    else bad = mid;
  }
  // The bad sequence begins where the text before it is complete (at most 3 bytes back).
  let start = bad - 1;
  while (start > 0 && start > bad - 4 && !decodes(start, false)) start--;
  const shown = [...bytes.subarray(start, bad)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const line = bytes.subarray(0, start).filter((b) => b === 0x0a).length + 1;
  return `the bytes ${shown} at offset ${start} (line ${line}) are not a UTF-8 sequence; save the file as UTF-8 (nothing was repaired)`;
}
