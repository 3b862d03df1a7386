// Part 1: building an RFC 6962 tree and serving proofs, ours (service/core/merkle.ts) against
// merkletreejs set up as an RFC 6962 tree (the set-up test/core/merkle.test.ts proves equal
// to ours) on the same leaves, roots asserted equal; and OpenZeppelin's SimpleMerkleTree on
// a slice of them (a different tree: keccak-256, sorted pairs, so timed but not compared).
import { createHash, randomBytes, randomInt } from "node:crypto";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import {
  buildTree,
  bytesEqual,
  HASH_BYTES,
  inclusionPath,
  treeRoot,
  verifyInclusion,
} from "../../service/core/merkle.ts";
import { type BenchPart, fmtInt, fmtMs, fmtRatio, perSecond, target, timed } from "./part.ts";

// A tenth of the leaves, at most 100,000: its keccak tree is too slow for more in a bench run.
const OPENZEPPELIN_MAX_LEAVES = 100_000;

/** merkletreejs as an RFC 6962 tree; given node:crypto SHA-256, its fastest hash here. */
function merkletreejsTree(leaves: Buffer[]): MerkleTreeJs {
  return new MerkleTreeJs(leaves, (data: Buffer) => createHash("sha256").update(data).digest(), {
    hashLeaves: false,
    sortPairs: false,
    duplicateOdd: false,
    isBitcoinTree: false,
    concatenator: (parts: Buffer[]) => Buffer.concat([Buffer.from([0x01]), ...parts]),
  });
}

export const merklePart: BenchPart = {
  name: "merkle",
  title: "Merkle tree: build and proofs",
  size: { meaning: "leaves", full: 1_000_000, quick: 50_000 },
  async run({ size, log }) {
    const leaves = new Uint8Array(randomBytes(size * HASH_BYTES));
    const leafBuffers = Array.from({ length: size }, (_, i) =>
      Buffer.from(leaves.buffer, leaves.byteOffset + i * HASH_BYTES, HASH_BYTES),
    );

    log(`  ours: building over ${fmtInt(size)} leaves`);
    const ours = await timed(() => buildTree(leaves));
    const ourRoot = treeRoot(ours.value);
    log(`  merkletreejs: building over ${fmtInt(size)} leaves`);
    const theirs = await timed(() => {
      const tree = merkletreejsTree(leafBuffers);
      return { tree, root: tree.getRoot() };
    });
    if (!bytesEqual(ourRoot, theirs.value.root)) {
      throw new Error(
        `roots differ: ours ${Buffer.from(ourRoot).toString("hex")}, merkletreejs ${theirs.value.root.toString("hex")}`,
      );
    }

    const ozSize = Math.min(Math.ceil(size / 10), OPENZEPPELIN_MAX_LEAVES);
    const ozLeaves = leafBuffers.slice(0, ozSize);
    log(`  OpenZeppelin SimpleMerkleTree: building over ${fmtInt(ozSize)} leaves`);
    const oz = await timed(() => SimpleMerkleTree.of(ozLeaves).root);
    const oursAtOz = await timed(() => treeRoot(buildTree(leaves.subarray(0, ozSize * HASH_BYTES))));

    const proofCount = Math.min(size, 100_000);
    const indexes = Array.from({ length: proofCount }, () => randomInt(size));
    const ourProofs = await timed(() => {
      let nodes = 0;
      for (const i of indexes) nodes += inclusionPath(ours.value, i).length;
      return nodes;
    });
    const theirProofs = await timed(() => {
      let nodes = 0;
      for (const i of indexes) nodes += theirs.value.tree.getProof(leafBuffers[i] as Buffer, i).length;
      return nodes;
    });
    // The two libraries must hand out the same audit paths, and ours must verify.
    for (const i of indexes.slice(0, 100)) {
      const path = inclusionPath(ours.value, i);
      const theirPath = theirs.value.tree.getProof(leafBuffers[i] as Buffer, i).map((p) => p.data);
      const same =
        path.length === theirPath.length && path.every((n, k) => bytesEqual(n, theirPath[k] as Buffer));
      if (!same || !verifyInclusion(leaves.subarray(i * 32, i * 32 + 32), i, size, path, ourRoot)) {
        throw new Error(`the audit paths for leaf ${i} differ or do not verify`);
      }
    }

    const speedup = theirs.ms / ours.ms;
    const ourProofRate = perSecond(proofCount, ourProofs.ms);
    const theirProofRate = perSecond(proofCount, theirProofs.ms);
    /** A timed row: `ms` for `count` items, and how many times slower than ours (`oursMs`). */
    const row = (name: string, count: number, ms: number, oursMs: number, unit = "") => [
      name,
      fmtInt(count),
      fmtMs(ms),
      `${fmtInt(perSecond(count, ms))}${unit}`,
      fmtRatio(ms / oursMs),
    ];
    const rows = [
      row("ours (service/core/merkle.ts)", size, ours.ms, ours.ms),
      row("merkletreejs 0.6 (RFC 6962 set-up)", size, theirs.ms, ours.ms),
      row("ours", ozSize, oursAtOz.ms, oursAtOz.ms),
      row("@openzeppelin/merkle-tree SimpleMerkleTree (keccak, sorted pairs)", ozSize, oz.ms, oursAtOz.ms),
      row("proofs: ours inclusionPath by index", proofCount, ourProofs.ms, ourProofs.ms, " proofs/s"),
      row(
        "proofs: merkletreejs getProof(leaf, index)",
        proofCount,
        theirProofs.ms,
        ourProofs.ms,
        " proofs/s",
      ),
    ];
    return {
      columns: ["implementation", "leaves / proofs", "time", "leaves/s", "ours is faster by"],
      rows,
      targets: [
        target(
          "build ≥ 10× faster than merkletreejs",
          "≥ 10×",
          `${speedup.toFixed(1)}× at ${fmtInt(size)} leaves`,
          speedup >= 10,
        ),
      ],
      notes: [
        `Roots asserted equal: 0x${Buffer.from(ourRoot).toString("hex")}. The first 100 proofs are asserted equal node for node and verified.`,
        "merkletreejs gets node:crypto (OpenSSL) SHA-256 as its hash function; ours uses @noble/hashes, because service/core must also run in a browser.",
        "OpenZeppelin's tree is a different shape (keccak-256, sorted pairs), so its root is not compared; it is timed on the first leaves of the same set.",
      ],
      data: {
        leaves: size,
        oursMs: ours.ms,
        merkletreejsMs: theirs.ms,
        speedup,
        openZeppelin: { leaves: ozSize, ms: oz.ms, oursMs: oursAtOz.ms },
        proofs: { count: proofCount, oursPerSecond: ourProofRate, merkletreejsPerSecond: theirProofRate },
        root: `0x${Buffer.from(ourRoot).toString("hex")}`,
      },
    };
  },
};
