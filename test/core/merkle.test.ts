import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import { fromHex, type Hex, toHex } from "../../service/core/hex.ts";
import {
  auditPathPositions,
  buildTree,
  inclusionPath,
  nodeAt,
  rootFromPath,
  treeRoot,
  verifyInclusion,
} from "../../service/core/merkle.ts";

/** RFC 6962 leaf hash of raw entry data: SHA-256(0x00 || data). */
const rfc6962Leaf = (data: Uint8Array) => sha256(Uint8Array.of(0, ...data));
const hex = (h: string) => fromHex(`0x${h}` as Hex);

// The Certificate Transparency reference data: 8 entries, the roots of the trees made of the
// first 1..8 of them, and four inclusion proofs. Copied from transparency-dev/merkle
// proof/verify_test.go (`leaves`, `roots`, `inclusionProofs`, whose leaf numbers are
// 1-based), which carries them over from the C++ CT log implementation.
const CT_ENTRIES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map((h) => (h === "" ? new Uint8Array(0) : hex(h)));
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const CT_INCLUSION: Array<{ index: number; size: number; proof: string[] }> = [
  {
    index: 0,
    size: 8,
    proof: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1,
    size: 5,
    proof: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];
const CT_LEAVES = CT_ENTRIES.map(rfc6962Leaf);

/** merkletreejs set up as an RFC 6962 tree: no leaf hashing, no sorting, 0x01 node prefix, odd node carried up. */
function merkletreejsTree(leaves: Uint8Array[]): MerkleTreeJs {
  return new MerkleTreeJs(
    leaves.map((l) => Buffer.from(l)),
    (data: Buffer) => Buffer.from(sha256(data)),
    {
      hashLeaves: false,
      sortPairs: false,
      duplicateOdd: false,
      isBitcoinTree: false,
      concatenator: (parts: Buffer[]) => Buffer.concat([Buffer.from([0x01]), ...parts]),
    },
  );
}

const leavesArb = (max: number) =>
  fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: max });

describe("merkle (RFC 6962 / RFC 9162)", () => {
  it("matches the CT reference roots for every size 1..8", () => {
    for (let n = 1; n <= 8; n++) {
      expect(toHex(treeRoot(buildTree(CT_LEAVES.slice(0, n)))), `size ${n}`).toBe(`0x${CT_ROOTS[n - 1]}`);
    }
  });

  it.each(CT_INCLUSION)(
    "matches the CT reference proof for leaf $index of $size",
    ({ index, size, proof }) => {
      const tree = buildTree(CT_LEAVES.slice(0, size));
      expect(inclusionPath(tree, index).map((n) => toHex(n).slice(2))).toEqual(proof);
      const root = rootFromPath(CT_LEAVES[index] as Uint8Array, index, size, proof.map(hex));
      expect(toHex(root)).toBe(`0x${CT_ROOTS[size - 1]}`);
    },
  );

  it("agrees with merkletreejs (configured for RFC 6962) on roots and proofs", () => {
    fc.assert(
      fc.property(leavesArb(40), (leaves) => {
        const ours = buildTree(leaves);
        const theirs = merkletreejsTree(leaves);
        expect(toHex(treeRoot(ours))).toBe(`0x${theirs.getRoot().toString("hex")}`);
        for (let i = 0; i < leaves.length; i++) {
          const theirProof = theirs
            .getProof(Buffer.from(leaves[i] as Uint8Array), i)
            .map((p) => toHex(p.data));
          expect(inclusionPath(ours, i).map(toHex)).toEqual(theirProof);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("proves every leaf of every tree of size 1..70", () => {
    for (let size = 1; size <= 70; size++) {
      const leaves = Array.from({ length: size }, (_, i) => sha256(Uint8Array.of(i, size)));
      const tree = buildTree(leaves);
      const root = treeRoot(tree);
      for (let i = 0; i < size; i++) {
        expect(verifyInclusion(leaves[i] as Uint8Array, i, size, inclusionPath(tree, i), root)).toBe(true);
      }
    }
  });

  it("property: every leaf proves, and no other leaf, index or root does", () => {
    fc.assert(
      fc.property(leavesArb(64), fc.nat(), (leaves, pick) => {
        const tree = buildTree(leaves);
        const root = treeRoot(tree);
        const i = pick % leaves.length;
        const path = inclusionPath(tree, i);
        const leaf = leaves[i] as Uint8Array;
        expect(verifyInclusion(leaf, i, leaves.length, path, root)).toBe(true);
        expect(toHex(rootFromPath(leaf, i, leaves.length, path))).toBe(toHex(root));
        const otherLeaf = sha256(leaf);
        expect(verifyInclusion(otherLeaf, i, leaves.length, path, root)).toBe(false);
        if (leaves.length > 1) {
          const j = (i + 1) % leaves.length;
          if (toHex(leaves[j] as Uint8Array) !== toHex(leaf)) {
            expect(verifyInclusion(leaf, j, leaves.length, path, root)).toBe(false);
          }
        }
        expect(verifyInclusion(leaf, i, leaves.length, path, sha256(root))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("property: auditPathPositions names exactly the nodes inclusionPath returns", () => {
    fc.assert(
      fc.property(leavesArb(80), fc.nat(), (leaves, pick) => {
        const tree = buildTree(leaves);
        const i = pick % leaves.length;
        const positions = auditPathPositions(i, leaves.length);
        expect(positions.map((p) => toHex(nodeAt(tree, p.level, p.index)))).toEqual(
          inclusionPath(tree, i).map(toHex),
        );
        // Bottom-up: one node per level at most, levels strictly increasing.
        for (let k = 1; k < positions.length; k++) {
          expect((positions[k] as { level: number }).level).toBeGreaterThan(
            (positions[k - 1] as { level: number }).level,
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  it("rejects paths of the wrong length and out-of-range indexes with a clear error", () => {
    const tree = buildTree(CT_LEAVES);
    const path = inclusionPath(tree, 2);
    expect(() => rootFromPath(CT_LEAVES[2] as Uint8Array, 2, 8, [...path, path[0] as Uint8Array])).toThrow(
      /must have 3 nodes, got 4/,
    );
    expect(() => rootFromPath(CT_LEAVES[2] as Uint8Array, 2, 8, path.slice(0, 2))).toThrow(
      /must have 3 nodes, got 2/,
    );
    expect(() => rootFromPath(CT_LEAVES[2] as Uint8Array, 8, 8, path)).toThrow(InvalidArgumentError);
    expect(() => rootFromPath(CT_LEAVES[2] as Uint8Array, 0, 0, [])).toThrow(/tree size must be a positive/);
    expect(verifyInclusion(CT_LEAVES[2] as Uint8Array, 2, 8, path.slice(1), treeRoot(tree))).toBe(false);
  });
});
