import canonicalize from "canonicalize";
import { describe, expect, it } from "vitest";
import { digestRecord } from "../../service/core/canonical.ts";
import {
  ERASURE_STATEMENT_FORMAT,
  erasureStatement,
  parseErasureStatement,
  statementDigest,
} from "../../service/core/erasure-statement.ts";
import { fromHex, toHex } from "../../service/core/hex.ts";

const LEAF = "0x9580772ba4838b35144866931632b9f0b941b92a0722edacce351af93f0fde87";
const EXAMPLE = {
  format: ERASURE_STATEMENT_FORMAT,
  erasedLeaf: LEAF,
  erasedAt: "2026-12-02T09:15:00.000Z",
  reference: "DSR-2026-0042",
} as const;

describe("erasure-statement/v1", () => {
  it("is built from the leaf, the instant and the reference, and nothing else", () => {
    const statement = erasureStatement({
      erasedLeaf: fromHex(LEAF),
      erasedAt: new Date("2026-12-02T09:15:00Z"),
      reference: "DSR-2026-0042",
    });
    expect(statement).toEqual(EXAMPLE);
  });

  it("is notarized like a record: its digest is SHA-256 of its JCS text", () => {
    const { text, digest } = statementDigest(EXAMPLE);
    expect(text).toBe(canonicalize(EXAMPLE));
    expect(text).toBe(
      `{"erasedAt":"2026-12-02T09:15:00.000Z","erasedLeaf":"${LEAF}","format":"erasure-statement/v1","reference":"DSR-2026-0042"}`,
    );
    // printf '%s' '<that text>' | sha256sum
    expect(toHex(digest)).toBe("0xe59daac26b54cc3273bd6755a71f6ec080f9f62c714418db9a0c2123595c21d9");
    // The verifier's digest check of a record gives the same: the statement stands in for the record.
    expect(toHex(digestRecord(JSON.parse(text)))).toBe(toHex(digest));
  });

  it.each([
    ["another format", { ...EXAMPLE, format: "erasure-statement/v2" }, "/format"],
    ["an extra field (the reason)", { ...EXAMPLE, reason: "customer asked" }, "(statement)"],
    ["uppercase hex", { ...EXAMPLE, erasedLeaf: LEAF.toUpperCase().replace("0X", "0x") }, "/erasedLeaf"],
    ["a leaf of 31 bytes", { ...EXAMPLE, erasedLeaf: LEAF.slice(0, -2) }, "/erasedLeaf"],
    ["an instant without milliseconds", { ...EXAMPLE, erasedAt: "2026-12-02T09:15:00Z" }, "/erasedAt"],
    ["an instant in another zone", { ...EXAMPLE, erasedAt: "2026-12-02T10:15:00.000+01:00" }, "/erasedAt"],
    ["an empty reference", { ...EXAMPLE, reference: "" }, "/reference"],
    ["a reference of 201 characters", { ...EXAMPLE, reference: "r".repeat(201) }, "/reference"],
    ["a control character in the reference", { ...EXAMPLE, reference: "a\nb" }, "/reference"],
    [
      "a missing field",
      { format: EXAMPLE.format, erasedLeaf: LEAF, erasedAt: EXAMPLE.erasedAt },
      "reference",
    ],
    ["not an object", [EXAMPLE], "(statement)"],
  ])("refuses %s", (_name, statement, path) => {
    expect(() => parseErasureStatement(statement)).toThrow(path);
  });

  it("takes a reference of 200 characters, spaces and any script included", () => {
    expect(parseErasureStatement({ ...EXAMPLE, reference: "r".repeat(200) }).reference).toHaveLength(200);
    expect(parseErasureStatement({ ...EXAMPLE, reference: "Art. 17 DSGVO – Antrag 42 / 删除" })).toBeTruthy();
  });

  it("refuses a leaf of the wrong length before anything is stated", () => {
    expect(() =>
      erasureStatement({ erasedLeaf: new Uint8Array(31), erasedAt: new Date(), reference: "r" }),
    ).toThrow(/32 bytes/);
  });
});
