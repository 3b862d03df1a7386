import { describe, expect, it } from "vitest";
import {
  BUNDLE_FORMAT,
  type Bundle,
  type BundleParts,
  buildBundle,
  checkBundleSchema,
  parseBundle,
} from "../../service/core/bundle.ts";
import { InvalidArgumentError, InvariantError } from "../../service/core/errors.ts";
import { fromHex, type Hex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath } from "../../service/core/merkle.ts";
import { makeBatch, makeParts } from "./fixtures.ts";

const RECORDS = [{ a: 1 }, { b: "two" }, { c: [3] }];
const valid = (): Bundle => structuredClone(makeBatch(RECORDS)[1] as Bundle);

describe("parseBundle", () => {
  it("returns a valid bundle unchanged", () => {
    const b = valid();
    expect(parseBundle(structuredClone(b))).toEqual(b);
    expect(b.format).toBe(BUNDLE_FORMAT);
  });

  it("ignores unknown fields, at the top and inside anchor (v1 readers)", () => {
    const b = { ...valid(), extra: { any: "thing" }, anchor: { ...valid().anchor, note: 1 } };
    expect(() => parseBundle(b)).not.toThrow();
  });

  it.each<[string, (b: Record<string, unknown>) => void, string]>([
    ["uppercase hex", (b) => (b.root = (b.root as string).toUpperCase().replace("0X", "0x")), "/root"],
    ["missing 0x", (b) => (b.salt = (b.salt as string).slice(2)), "/salt"],
    ["a hash one byte too long", (b) => (b.digest = `${b.digest}00`), "/digest"],
    ["a hash one hex digit short", (b) => (b.leafHash = (b.leafHash as string).slice(0, -1)), "/leafHash"],
    ["a proof node in uppercase", (b) => ((b.proof as string[])[0] = `0x${"AB".repeat(32)}`), "/proof/0"],
    [
      "a checksummed contract address",
      (b) => ((b.anchor as Bundle["anchor"]).contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Hex),
      "/anchor/contract",
    ],
    ["a negative index", (b) => (b.leafIndex = -1), "/leafIndex"],
    ["a fractional index", (b) => (b.leafIndex = 1.5), "/leafIndex"],
    ["an index as a string", (b) => (b.leafIndex = "1"), "/leafIndex"],
    ["an empty tree", (b) => (b.treeSize = 0), "/treeSize"],
    ["a batch above 2^53", (b) => (b.batch = 2 ** 53), "/batch"],
    ["a missing field", (b) => delete b.root, "/root"],
    ["a missing anchor field", (b) => delete (b.anchor as Record<string, unknown>).txHash, "/anchor/txHash"],
    ["another format", (b) => (b.format = "evidence-bundle/v2"), "/format"],
    ["an empty recordId", (b) => (b.recordId = ""), "/recordId"],
  ])("rejects %s, naming the path", (_name, mutate, path) => {
    const b = valid() as unknown as Record<string, unknown>;
    mutate(b);
    expect(checkBundleSchema(b).map((p) => p.path)).toContain(path);
    let thrown: unknown;
    try {
      parseBundle(b);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).code).toBe("invalid_bundle");
    expect((thrown as Error).message).toContain(path);
  });

  it("lists every failing path, not just the first", () => {
    const b = { ...valid(), root: "0xAB", leafIndex: -1 } as unknown;
    expect(() => parseBundle(b)).toThrow(/\/leafIndex must be >= 0; \/root must be a 32-byte hash/);
  });

  it.each([null, [], "bundle", 7])("rejects a non-object: %j", (value) => {
    expect(() => parseBundle(value)).toThrow(InvalidArgumentError);
  });
});

describe("buildBundle", () => {
  const records = [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }];
  const all = makeParts(records, 0);
  const leaves = all.map((p) => hashLeaf(p.salt, p.digest));
  const tree = buildTree(leaves);
  // Hex as ethers hands it over: a checksummed address, an uppercase hash.
  const parts = (i: number): BundleParts => ({
    ...(all[i] as BundleParts),
    anchor: {
      ...(all[i] as BundleParts).anchor,
      contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      txHash: `0x${"AA".repeat(32)}`,
    },
  });

  it("assembles a bundle that parses, in canonical lowercase hex", () => {
    const b = buildBundle(parts(4));
    expect(parseBundle(JSON.parse(JSON.stringify(b)))).toEqual(b);
    expect(b.anchor.contract).toBe("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    expect(b.anchor.txHash).toBe(`0x${"aa".repeat(32)}`);
    expect(fromHex(b.leafHash)).toEqual(leaves[4]);
    expect(Object.keys(b)).toEqual([
      "format",
      "recordId",
      "digest",
      "salt",
      "leafHash",
      "leafIndex",
      "treeSize",
      "proof",
      "root",
      "batch",
      "anchor",
    ]);
  });

  it.each<[string, (p: BundleParts) => BundleParts, RegExp]>([
    ["a proof for another leaf", (p) => ({ ...p, proof: inclusionPath(tree, 3) }), /root:/],
    ["a wrong root", (p) => ({ ...p, root: leaves[0] as Uint8Array }), /root:/],
    ["a stored leaf hash that does not match", (p) => ({ ...p, leafHash: leaves[0] as Uint8Array }), /leaf:/],
    ["a record that does not match the digest", (p) => ({ ...p, record: { n: 99 } }), /digest:/],
    ["an index out of range", (p) => ({ ...p, leafIndex: 9 }), /root:.*out of range/],
    [
      "a non-canonical anchor field",
      (p) => ({ ...p, anchor: { ...p.anchor, blockHash: "0x12" } }),
      /schema:/,
    ],
    // The shape the schema requires is checked on the bytes (buildBundle says why).
    ["an empty record id", (p) => ({ ...p, recordId: "" }), /schema: .*\/recordId/],
    ["a 31-byte salt", (p) => ({ ...p, salt: p.salt.subarray(1) }), /schema: .*\/salt must be 32 bytes/],
    [
      "a 33-byte audit path node",
      (p) => ({ ...p, proof: [new Uint8Array(33), ...p.proof.slice(1)] }),
      /schema: .*\/proof\/0 must be 32 bytes/,
    ],
    ["a tree of no leaves", (p) => ({ ...p, treeSize: 0 }), /schema: .*\/treeSize/],
    ["a fractional batch number", (p) => ({ ...p, batch: 1.5 }), /schema: .*\/batch/],
    ["chain id 0", (p) => ({ ...p, anchor: { ...p.anchor, chainId: 0 } }), /schema: .*\/anchor\/chainId/],
    [
      "a 19-byte contract address",
      (p) => ({ ...p, anchor: { ...p.anchor, contract: `0x${"ab".repeat(19)}` } }),
      /schema: .*\/anchor\/contract/,
    ],
  ])("refuses to hand out a bundle with %s (InvariantError)", (_name, change, message) => {
    let thrown: unknown;
    try {
      buildBundle(change(parts(2)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvariantError);
    expect((thrown as Error).message).toMatch(message);
  });

  it("builds only what the JSON Schema accepts: every bundle of a tree, with and without a stored leaf", () => {
    for (const [i, p] of all.entries()) {
      expect(checkBundleSchema(buildBundle(p))).toEqual([]);
      expect(checkBundleSchema(buildBundle({ ...p, leafHash: leaves[i] as Uint8Array }))).toEqual([]);
    }
  });

  it("works without the record (crypto-shredded) and checks the rest", () => {
    const { record: _dropped, ...withoutRecord } = parts(1);
    expect(buildBundle(withoutRecord).leafIndex).toBe(1);
  });
});
