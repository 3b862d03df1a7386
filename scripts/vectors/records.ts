// The records of the test vectors, the forged one, and how the vectors' bundles are built
// and tampered with (scripts/gen-vectors.ts). Salts are derived from a fixed string so the
// output is reproducible; real salts are random (leaf.ts newSalt).
import { sha256 } from "@noble/hashes/sha2.js";
import { type Bundle, type BundleParts, buildBundle } from "../../service/core/bundle.ts";
import { digestRecord, type JsonObject } from "../../service/core/canonical.ts";
import type { Hex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath, treeRoot } from "../../service/core/merkle.ts";
import { ANCHOR, BATCH } from "./bundle-vectors.ts";

export const RECORDS: JsonObject[] = [
  {
    recordId: "ev-0001",
    caseId: "2024-CR-0117",
    kind: "photo",
    sha256: "9f2c".repeat(16),
    takenAt: "2024-03-01T09:14:00Z",
  },
  {
    recordId: "ev-0002",
    caseId: "2024-CR-0117",
    kind: "note",
    text: "Seal intact, bag №3 – signed by officer Ødegård",
  },
  {
    recordId: "ev-0003",
    caseId: "2024-CR-0117",
    kind: "measurement",
    weightKg: 1.5,
    readings: [1e21, 1e-7, 333333333.3333333],
  },
  { recordId: "ev-0004", caseId: "2024-CR-0118", kind: "custody", from: "lab", to: "court", emoji: "📦" },
  { recordId: "ev-0005", caseId: "2024-CR-0118", kind: "flag", sealed: true, witness: null },
];

/** A record that was never notarized, for the forged vectors. */
export const FORGED_RECORD: JsonObject = {
  recordId: "ev-0003",
  caseId: "2024-CR-0117",
  kind: "measurement",
  weightKg: 0.5,
  readings: [1e21, 1e-7, 333333333.3333333],
};

export function testSalt(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`evidence-notary test vector salt ${i}`));
}

/** One batch of `records` with `salts`: digests, tree and root. */
export function batchTree(records: JsonObject[], salts: Uint8Array[]) {
  const digests = records.map(digestRecord);
  const tree = buildTree(digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d)));
  return { digests, tree, root: treeRoot(tree) };
}

/** Every record's bundle, `records` (with `salts`) being one batch that claims `anchor` as `batch`. */
export function bundlesOf(
  records: JsonObject[],
  salts: Uint8Array[],
  batch: number,
  anchor: Bundle["anchor"],
): Bundle[] {
  const { digests, tree, root } = batchTree(records, salts);
  return records.map((record, i) =>
    buildBundle({
      recordId: record.recordId as string,
      digest: digests[i] as Uint8Array,
      salt: salts[i] as Uint8Array,
      leafIndex: i,
      treeSize: tree.size,
      proof: inclusionPath(tree, i),
      root,
      batch,
      anchor,
      record,
    }),
  );
}

/** Bundles for `records` (salts from testSalt) as BATCH, anchored as ANCHOR says unless `anchor` is given. */
export function batchOf(records: JsonObject[], anchor: Bundle["anchor"] = ANCHOR): Bundle[] {
  return bundlesOf(
    records,
    records.map((_, i) => testSalt(i)),
    BATCH,
    anchor,
  );
}

/** Flips one bit (the 4th of the first hex digit) of proof[index]. */
export function flipProofNode(proof: readonly Hex[], index: number): Hex[] {
  return proof.map((node, i) =>
    i === index
      ? (`0x${(Number.parseInt(node[2] as string, 16) ^ 8).toString(16)}${node.slice(3)}` as Hex)
      : node,
  );
}
export function flipBit(hex: Hex): Hex {
  return flipProofNode([hex], 0)[0] as Hex;
}
export function upper(hex: Hex): string {
  return `0x${hex.slice(2).toUpperCase()}`;
}

/** The record {"deep":[[…[1]…]]}, nested `levels` levels deep (the record object is level 1, each array adds one). */
export function nestedRecord(levels: number): JsonObject {
  let value: unknown = 1;
  for (let level = 2; level <= levels; level++) value = [value];
  return { deep: value } as JsonObject;
}

/**
 * The bundle of `digest` as the only leaf of its tree (root = leaf hash, empty path), anchored
 * as `batch` by `anchor`. Its digest is checked against `record` when one is given.
 */
export function singleLeafBundle(
  recordId: string,
  digest: Uint8Array,
  salt: Uint8Array,
  at: Pick<BundleParts, "batch" | "anchor" | "record">,
): Bundle {
  const leaf = hashLeaf(salt, digest);
  return buildBundle({ recordId, digest, salt, leafIndex: 0, treeSize: 1, proof: [], root: leaf, ...at });
}
