// The contract's on-chain RFC 9162 inclusion check against audit paths computed off-chain
// by service/core/merkle.ts, on a real Hardhat network.
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvidenceAnchorContract } from "../../service/chain/anchor-contract.ts";
import { toHex } from "../../service/core/hex.ts";
import { buildTree, inclusionPath, type MerkleTree, treeRoot } from "../../service/core/merkle.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";

const SIZES = [1, 2, 3, 5, 8, 1000];

let t: TestChain;
let anchor: EvidenceAnchorContract;
const trees = new Map<number, { seq: number; tree: MerkleTree }>();

function leaves(size: number): Uint8Array[] {
  return Array.from({ length: size }, (_, i) => sha256(new TextEncoder().encode(`leaf ${size}/${i}`)));
}

function leafAt(tree: MerkleTree, i: number): string {
  return toHex((tree.levels[0] as Uint8Array).subarray(i * 32, i * 32 + 32));
}

function pathOf(tree: MerkleTree, i: number): string[] {
  return inclusionPath(tree, i).map(toHex);
}

beforeAll(async () => {
  t = await startTestChain();
  anchor = t.anchor;
  let seq = Number(await anchor.nextSeq());
  for (const size of SIZES) {
    const tree = buildTree(leaves(size));
    await (await anchor.anchor(seq, toHex(treeRoot(tree)), size)).wait();
    trees.set(size, { seq, tree });
    seq++;
  }
});

afterAll(async () => {
  await t?.stop();
});

describe.each(SIZES)("tree of %i leaves", (size) => {
  const indexes = (n: number) =>
    n <= 8 ? [...Array(n).keys()] : [0, 1, 2, 255, 256, 511, 512, 767, 998, 999];

  it("accepts the audit path of every sampled leaf", async () => {
    const { seq, tree } = trees.get(size) as { seq: number; tree: MerkleTree };
    for (const i of indexes(size)) {
      expect(await anchor.verifyInclusion(seq, leafAt(tree, i), i, pathOf(tree, i)), `leaf ${i}`).toBe(true);
    }
  });

  it("rejects a wrong leaf, a wrong index, an index past the end and a wrong seq", async () => {
    const { seq, tree } = trees.get(size) as { seq: number; tree: MerkleTree };
    const i = size - 1;
    const wrongLeaf = toHex(sha256(new TextEncoder().encode("not a leaf")));
    expect(await anchor.verifyInclusion(seq, wrongLeaf, i, pathOf(tree, i))).toBe(false);
    expect(await anchor.verifyInclusion(seq, leafAt(tree, i), size, pathOf(tree, i))).toBe(false);
    expect(await anchor.verifyInclusion(seq + 100, leafAt(tree, i), i, pathOf(tree, i))).toBe(false);
    if (size > 1) {
      expect(await anchor.verifyInclusion(seq, leafAt(tree, i), i - 1, pathOf(tree, i))).toBe(false);
    }
  });

  it("rejects a path that is one node too long or too short", async () => {
    const { seq, tree } = trees.get(size) as { seq: number; tree: MerkleTree };
    const path = pathOf(tree, 0);
    expect(await anchor.verifyInclusion(seq, leafAt(tree, 0), 0, [...path, path[0] ?? leafAt(tree, 0)])).toBe(
      false,
    );
    if (path.length > 0) {
      expect(await anchor.verifyInclusion(seq, leafAt(tree, 0), 0, path.slice(0, -1))).toBe(false);
    }
  });
});
