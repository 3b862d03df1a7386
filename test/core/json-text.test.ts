// Reading a bundle, record or profile file: UTF-8 JSON text that is I-JSON, refused (never
// repaired) otherwise, with a message that says where and why.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import { decodeJsonBytes, parseJsonBytes, parseJsonText } from "../../service/core/json-text.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...utf8(p)] : p)));

function refusal(run: () => unknown): { message: string; problem: unknown } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const e = error as InvalidArgumentError;
    expect(e.code).toBe("invalid_json");
    return { message: e.message, problem: e.details?.problem };
  }
  throw new Error("not refused");
}

describe("decodeJsonBytes", () => {
  it("decodes UTF-8, multi-byte characters included", () => {
    const text = '{"note":"Seal №7 – Ødegård 📦"}';
    expect(decodeJsonBytes(utf8(text))).toBe(text);
  });

  it.each([
    ["a Latin-1 byte (ø written as f8)", bytes('{"n":"', [0xf8], '"}'), "f8", 6],
    [
      "a lead byte without its continuation (Latin-1 é before a quote)",
      bytes('{"n":"', [0xe9], '"}'),
      "e9 22",
      6,
    ],
    ["a stray continuation byte", bytes('{"n":', [0x80], "1}"), "80", 5],
    ["an overlong encoding of /", bytes('{"n":"', [0xc0, 0xaf], '"}'), "c0", 6],
    ["an encoded surrogate (CESU-8)", bytes('{"n":"', [0xed, 0xa0, 0x80], '"}'), "ed a0", 6],
    ["UTF-16 with its byte-order mark", new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), "ff", 0],
  ])("refuses %s, naming the bytes and where they are", (_, input, shown, offset) => {
    const { message, problem } = refusal(() => decodeJsonBytes(input));
    expect(problem).toBe("not_utf8");
    expect(message).toBe(
      `is not UTF-8: the bytes ${shown} at offset ${offset} (line 1) are not a UTF-8 sequence; save the file as UTF-8 (nothing was repaired)`,
    );
  });

  it("counts lines to the bad bytes, and names a sequence cut at the end of the file", () => {
    expect(refusal(() => decodeJsonBytes(bytes('{\n"a":\n"', [0xf8], '"}'))).message).toMatch(
      /at offset 8 \(line 3\)/,
    );
    expect(refusal(() => decodeJsonBytes(bytes('"ab', [0xe2, 0x80]))).message).toBe(
      "is not UTF-8: it ends in the middle of a multi-byte sequence",
    );
  });

  it("refuses a leading byte-order mark, and keeps one inside a string", () => {
    const { message, problem } = refusal(() => decodeJsonBytes(bytes([0xef, 0xbb, 0xbf], "{}")));
    expect(problem).toBe("byte_order_mark");
    expect(message).toMatch(/^starts with a byte-order mark \(U\+FEFF, bytes ef bb bf\)/);
    expect(decodeJsonBytes(utf8('{"a":"\ufeff"}'))).toBe('{"a":"\ufeff"}');
  });

  it("gives back every UTF-8 text unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        const text = JSON.stringify({ s });
        expect(decodeJsonBytes(utf8(text))).toBe(text);
      }),
    );
  });
});

describe("parseJsonText and parseJsonBytes", () => {
  it("parse I-JSON", () => {
    expect(parseJsonText('{"a":[1,"x",null]}')).toEqual({ a: [1, "x", null] });
    expect(parseJsonBytes(utf8(' {"a":"ø"}\n'))).toEqual({ a: "ø" });
  });

  it.each([
    ["text that is not JSON", "{nope", "not_json", /^is not JSON: /],
    ["an empty file", "", "not_json", /^is not JSON: /],
    [
      "a duplicate member name",
      '{"a":1,"a":2}',
      "not_i_json",
      /^is not I-JSON: duplicate member name at body\/a$/,
    ],
    [
      "a text starting with U+FEFF (pasted)",
      '\ufeff{"a":1}',
      "byte_order_mark",
      /^starts with a byte-order mark/,
    ],
  ])("refuse %s", (_, text, expectedProblem, message) => {
    const { message: got, problem } = refusal(() => parseJsonText(text));
    expect(problem).toBe(expectedProblem);
    expect(got).toMatch(message);
    expect(refusal(() => parseJsonBytes(utf8(text))).problem).toBe(expectedProblem);
  });
});
