import { sha256 } from "@noble/hashes/sha2.js";
import serializeJcs from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalize, canonicalText, digestRecord, MAX_DEPTH } from "../../service/core/canonical.ts";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import { toHex } from "../../service/core/hex.ts";

const text = (value: unknown) => new TextDecoder().decode(canonicalize(value));

/** IEEE 754 binary64 from its 16 hex digits, as RFC 8785 Appendix B lists them. */
function ieee754(hex: string): number {
  return new DataView(
    Uint8Array.from(hex.match(/../g) as string[], (b) => Number.parseInt(b, 16)).buffer,
  ).getFloat64(0);
}

describe("canonicalize (RFC 8785 JCS)", () => {
  it("matches the RFC 8785 section 3.2 example (numbers, string escapes, literals, key order)", () => {
    // Input and output copied from RFC 8785 section 3.2 (the "numbers / string / literals" example).
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(text(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it("sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)", () => {
    const input = JSON.parse(
      '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
        ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
    );
    // The RFC lists the sorted values in this order: U+000D, "1", U+0080, U+00F6, U+20AC, U+1F600 (D83D DE00), U+FB33.
    // By code point U+1F600 would come last; by UTF-16 code unit 0xD83D sorts before 0xFB33.
    const keys = [...text(input).matchAll(/"([^"]*)":"/g)].map((m) => m[1]);
    expect(keys).toEqual(["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
  });

  // RFC 8785 Appendix B: IEEE 754 bit pattern -> JCS text.
  const appendixB: Array<[string, string]> = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"], // minus zero
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"], // round to even
  ];
  it.each(appendixB)("serializes binary64 %s as %s (RFC 8785 Appendix B)", (bits, want) => {
    expect(text({ n: ieee754(bits) })).toBe(`{"n":${want}}`);
  });

  it("serializes the literals 1e21, -0 and 1e-7 as ECMAScript does", () => {
    expect(text({ a: 1e21, b: -0, c: 1e-7, d: 1e20 })).toBe(
      '{"a":1e+21,"b":0,"c":1e-7,"d":100000000000000000000}',
    );
  });

  it("escapes only what JSON requires, in lowercase \\u form", () => {
    expect(text({ s: '\u0000\u0008\t\n\u000c\r\u001f"\\/\u007f\u2028' })).toBe(
      '{"s":"\\u0000\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f\u2028"}',
    );
  });

  it("emits UTF-8", () => {
    expect(toHex(canonicalize({ "€": "😀" }))).toBe("0x7b22e282ac223a22f09f9880227d");
  });

  it("digestRecord is SHA-256 of the JCS bytes", () => {
    const record = { b: [1, 2], a: "x" };
    expect(toHex(digestRecord(record))).toBe(toHex(sha256(new TextEncoder().encode('{"a":"x","b":[1,2]}'))));
    expect(toHex(digestRecord({ a: "x", b: [1, 2] }))).toBe(toHex(digestRecord(record)));
  });

  it("accepts objects without a prototype and shared (non-circular) references", () => {
    const bare = Object.assign(Object.create(null), { z: 1, a: 2 });
    const shared = { k: 1 };
    expect(text({ bare, x: shared, y: shared })).toBe('{"bare":{"a":2,"z":1},"x":{"k":1},"y":{"k":1}}');
  });
});

describe("canonicalize against the canonicalize package (the reference implementation's port)", () => {
  it("writes the same text for any JSON object", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue()), (record) => {
        expect(canonicalText(record)).toBe(serializeJcs(record));
      }),
      { numRuns: 500 },
    );
  });

  it("writes the same text for any object of any Unicode, numbers of any magnitude and deep nesting", () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.string({ unit: "binary" }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: "binary" }), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: "binary" }), value), (record) => {
        expect(canonicalText(record)).toBe(serializeJcs(record));
      }),
      { numRuns: 500 },
    );
  });
});

describe("canonicalize rejects what JCS cannot encode", () => {
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const holey: unknown[] = new Array(3);
  holey[0] = 1;
  holey[2] = 3;
  let deep: unknown = 1;
  for (let i = 0; i <= MAX_DEPTH; i++) deep = [deep];

  const cases: Array<[string, unknown, RegExp]> = [
    ["NaN", { n: Number.NaN }, /\$\["n"\]: NaN is not a finite number/],
    ["Infinity", { n: [1, Number.POSITIVE_INFINITY] }, /\$\["n"\]\[1\]: Infinity is not a finite number/],
    ["-Infinity", { n: Number.NEGATIVE_INFINITY }, /-Infinity is not a finite number/],
    ["a lone high surrogate in a string", { s: "a\ud800b" }, /lone surrogate/],
    ["a lone low surrogate in a string", { s: "\udc00" }, /lone surrogate/],
    ["reversed surrogates", { s: "\udc00\ud800" }, /lone surrogate/],
    ["a lone surrogate in a key", { "k\ud83d": 1 }, /key contains a lone surrogate/],
    ["undefined", { u: undefined }, /undefined has no JSON form/],
    ["a hole in an array", { a: holey }, /\$\["a"\]\[1\]: a value of type undefined/],
    ["a function", { f: () => 1 }, /function has no JSON form/],
    ["a bigint", { b: 10n }, /bigint has no JSON form/],
    ["a symbol", { s: Symbol("x") }, /symbol has no JSON form/],
    ["a Date", { d: new Date(0) }, /class Date is not a plain object/],
    ["a Map", { m: new Map() }, /class Map is not a plain object/],
    ["a class instance", { c: new (class Thing {})() }, /class Thing is not a plain object/],
    ["a boxed string", { s: new String("x") }, /class String is not a plain object/],
    ["a typed array", { t: new Uint8Array(2) }, /class Uint8Array/],
    ["symbol keys", { [Symbol("k")]: 1 }, /symbol keys/],
    ["a circular reference", circular, /circular reference/],
    ["nesting deeper than MAX_DEPTH", { deep }, /nested deeper than/],
    ["a top-level array", [1, 2], /must be a JSON object, got an array/],
    ["a top-level string", "record", /must be a JSON object, got a value of type string/],
    ["a top-level number", 42, /must be a JSON object, got the number 42/],
    ["top-level null", null, /must be a JSON object, got null/],
  ];
  it.each(cases)("rejects %s", (_name, value, message) => {
    let thrown: unknown;
    try {
      canonicalize(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).code).toBe("record_not_canonicalizable");
    expect((thrown as Error).message).toMatch(message);
    expect(() => digestRecord(value)).toThrow(InvalidArgumentError);
  });
});
