// The I-JSON check of request bodies: duplicate names, lone surrogates, non-finite numbers
// and depth are refused with the path of the offending value; everything else passes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import { assertIJson, MAX_BODY_DEPTH } from "../../service/core/i-json.ts";

function problemOf(
  text: string,
  options: { refusePrototypeNames?: boolean } = {},
): { message: string; field: unknown } | undefined {
  JSON.parse(text); // every input here is valid JSON
  try {
    assertIJson(text, options);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    const e = error as InvalidArgumentError;
    expect(e.code).toBe("invalid_json");
    return { message: e.message, field: e.details?.field };
  }
}

describe("assertIJson", () => {
  it("refuses duplicate member names, naming where", () => {
    expect(problemOf('{"id":"a","id":"b"}')).toEqual({
      message: "duplicate member name at body/id",
      field: "body/id",
    });
    expect(problemOf('{"records":[{"id":"x"},{"id":"y","record":{"a":1,"b":{},"a":2}}]}')?.field).toBe(
      "body/records/1/record/a",
    );
  });

  it("compares names after unescaping", () => {
    expect(problemOf('{"a":1,"\\u0061":2}')?.field).toBe("body/a");
    expect(problemOf('{"a\\"b":1,"a\\u0022b":2}')?.message).toMatch(/^duplicate member name/);
  });

  it("allows the same name in different objects, and names that only look alike", () => {
    expect(problemOf('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}')).toBeUndefined();
    expect(problemOf('{"a":1,"A":2,"a ":3,"\\\\u0061":4}')).toBeUndefined();
    expect(problemOf('{"k":"{\\"k\\":1,\\"k\\":2}"}')).toBeUndefined();
  });

  it("refuses lone surrogates in strings and names, not escaped backslashes or pairs", () => {
    expect(problemOf('{"record":{"note":"x\\ud800"}}')).toEqual({
      message: "string contains a lone surrogate at body/record/note",
      field: "body/record/note",
    });
    expect(problemOf('{"a":["ok","\\udfff"]}')?.field).toBe("body/a/1");
    expect(problemOf('{"\\udc00":1}')?.message).toMatch(/^member name contains a lone surrogate/);
    expect(problemOf('{"a":"\\ud83d\\ude00","b":"\\\\ud800","c":"😀"}')).toBeUndefined();
  });

  it("refuses numbers that are not finite doubles", () => {
    expect(problemOf('{"record":{"amount":1e400}}')).toEqual({
      message: "number 1e400 is too large for a double at body/record/amount",
      field: "body/record/amount",
    });
    expect(problemOf(`[0,-${"9".repeat(400)}]`)?.field).toBe("body/1");
    expect(problemOf('{"a":[1.5e308,-0,0.1e-400,12,"1e400"]}')).toBeUndefined();
  });

  it(`refuses nesting deeper than ${MAX_BODY_DEPTH} levels, without recursion`, () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(problemOf(deep(MAX_BODY_DEPTH))).toBeUndefined();
    expect(problemOf(deep(MAX_BODY_DEPTH + 1))?.message).toMatch(/^nested deeper than/);
    expect(problemOf(`{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}`)?.message).toMatch(/nested/);
  });

  it("passes every JSON.stringify output of plain JSON values", () => {
    fc.assert(
      fc.property(fc.json({ depthSize: "medium" }), (text) => {
        expect(problemOf(text)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("finds an injected duplicate member anywhere", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.nat(), (obj, n) => {
        const names = Object.keys(obj);
        const name = names[n % names.length] as string;
        const text = `{"outer":${JSON.stringify(obj).slice(0, -1)},${JSON.stringify(name)}:0}}`;
        expect(problemOf(text)?.message).toMatch(/^(duplicate member name|member name contains)/);
      }),
      { numRuns: 200 },
    );
  });
});

const P = { refusePrototypeNames: true };

describe("assertIJson with refusePrototypeNames (request bodies) refuses the names that pollute prototypes", () => {
  it("__proto__ anywhere, and prototype inside constructor, spelled plainly or escaped", () => {
    expect(problemOf('{"a":{"__proto__":{"x":1}}}', P)).toEqual({
      message: "member name __proto__ is not allowed at body/a/__proto__",
      field: "body/a/__proto__",
    });
    expect(problemOf('{"\\u005f_proto__":1}', P)?.message).toMatch(/__proto__ is not allowed/);
    expect(problemOf('{"x":[{"constructor":{"prototype":{"y":1}}}]}', P)?.field).toBe(
      "body/x/0/constructor/prototype",
    );
    expect(problemOf('{"c\\u006fnstructor":{"prototype":1}}', P)?.message).toMatch(
      /prototype inside constructor/,
    );
    // Without the option (a record or a bundle read by the CLI or the page), they are plain names.
    expect(problemOf('{"__proto__":1,"constructor":{"prototype":1}}')).toBeUndefined();
    // Only as names, and only that pairing.
    expect(
      problemOf('{"s":"__proto__","constructor":1,"prototype":{},"p":{"constructor":[{"prototype":1}]}}', P),
    ).toBeUndefined();
  });

  it("skips over strings with escapes and long numbers exactly as the slow way would", () => {
    expect(problemOf('{"a":"x\\\\","b":"\\"","b":1}')?.field).toBe("body/b");
    expect(problemOf(`{"n":${"9".repeat(309)},"m":1}`)).toBeUndefined();
    expect(problemOf(`{"n":${"9".repeat(310)}}`)?.message).toMatch(/too large for a double/);
    expect(problemOf('{"n":-1.5E+3,"n":2}')?.field).toBe("body/n");
  });
});
