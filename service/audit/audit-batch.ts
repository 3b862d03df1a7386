// The audit of one sealed batch, from what is stored and what the chain says. Pure: the
// runner (run-audit.ts) reads the rows, the anchor and the anchoring transaction's receipt;
// this file only recomputes and compares.
//
// Three sources must agree, and each disagreement names where it is:
//   entries   each entry's leaf = SHA-256(0x00 || salt || digest) (leaf.ts), and the batch's
//             range of the log [firstIndex, firstIndex + size) holds an entry at every index;
//   the tree  the stored levels 1 and up (what proofs are served from) are the RFC 6962 tree
//             of those leaves, and its root is the batch's root. Level 0 is not stored apart
//             (the entries are the leaves), so a changed, swapped or replaced leaf shows as
//             the stored level-1 node above it, and the audit names both records under it;
//   the chain getAnchor(seq) holds the batch's root and size, and the row's transaction and
//             block are where the contract recorded it (audit-anchor.ts).
// A record whose digest and salt were erased cannot be recomputed by design: its stored leaf
// still counts in the tree, and audit-erasures.ts tells a lawful erasure (reported as erased,
// with its anchored erasure) from content removed outside the service (a finding).
import { toHex } from "../core/hex.ts";
import { hashLeaf } from "../core/leaf.ts";
import { buildTree, bytesEqual, HASH_BYTES, levelSizes, treeRoot } from "../core/merkle.ts";
import { type AnchorEvidence, type AnchoredBatchRow, auditAnchor } from "./audit-anchor.ts";
import {
  auditErasures,
  type BatchErasures,
  type EntryRow,
  type ErasedRecord,
  type ErasureGrace,
} from "./audit-erasures.ts";
import type { Finding } from "./findings.ts";

/** The batch row, as the anchor audit reads it (audit-anchor.ts). */
export type StoredBatch = AnchoredBatchRow;

/** An entry of the batch: a record (kind 0) or an erasure entry (kind 1); leafIndex is its index minus the batch's first index. */
export type StoredLeafRow = EntryRow;

/** What one batch's audit reads: its row, anchor and transaction's receipt (AnchorEvidence), its entries and tree. */
export interface BatchEvidence extends AnchorEvidence {
  /** Every entry in the batch's range of the log. */
  rows: readonly StoredLeafRow[];
  /** The stored tree: position l holds level l for l >= 1 (position 0, the leaves, is not stored); a missing level is an empty array. */
  levels: readonly Uint8Array[];
  /** The erasures of the batch's records, and the rows of its erasure entries. */
  erasures: BatchErasures;
  /** Without it, an unanchored erasure is never late. */
  grace?: ErasureGrace;
}

export interface BatchAudit {
  seq: number;
  records: number;
  /** Records lawfully erased. */
  erased: ErasedRecord[];
  findings: Finding[];
}

export function auditBatch(evidence: BatchEvidence): BatchAudit {
  const { batch } = evidence;
  const { findings, erased } = auditErasures(batch.seq, evidence.rows, evidence.erasures, evidence.grace);
  for (const row of evidence.rows) {
    if (row.digest === null || row.salt === null) continue; // audit-erasures.ts judged it
    const finding = checkLeaf(batch.seq, row, row.salt, row.digest);
    if (finding !== undefined) findings.push(finding);
  }
  const placed = placeRows(batch, evidence.rows, findings);
  const recordLeaves = concatLeaves(placed.ordered);
  if (recordLeaves.length === 0) {
    findings.push({
      kind: "root_mismatch",
      seq: batch.seq,
      recordId: null,
      message: `batch ${batch.seq} has no records, so its root cannot be recomputed`,
      actual: toHex(batch.root),
    });
  } else {
    const tree = buildTree(recordLeaves);
    const root = treeRoot(tree);
    if (!bytesEqual(root, batch.root)) {
      findings.push({
        kind: "root_mismatch",
        seq: batch.seq,
        recordId: null,
        message: `the root recomputed from the ${placed.ordered.length} stored records of batch ${batch.seq} is not the batch's stored root`,
        expected: toHex(root),
        actual: toHex(batch.root),
      });
    }
    if (placed.exact)
      findings.push(...checkStoredLevels(batch.seq, tree.levels, evidence.levels, placed.ordered));
  }
  findings.push(...auditAnchor(evidence));
  return { seq: batch.seq, records: evidence.rows.length, erased, findings };
}

function checkLeaf(
  seq: number,
  row: StoredLeafRow,
  salt: Uint8Array,
  digest: Uint8Array,
): Finding | undefined {
  let expected: Uint8Array;
  try {
    expected = hashLeaf(salt, digest);
  } catch (error) {
    return {
      kind: "leaf_mismatch",
      seq,
      recordId: row.id,
      leafIndex: row.leafIndex,
      message: `record ${row.id} in batch ${seq}: its leaf cannot be recomputed (${(error as Error).message})`,
    };
  }
  if (bytesEqual(expected, row.leaf)) return undefined;
  return {
    kind: "leaf_mismatch",
    seq,
    recordId: row.id,
    leafIndex: row.leafIndex,
    message: `record ${row.id} in batch ${seq}: its stored leaf is not SHA-256(0x00 || salt || digest); its digest, salt or leaf was changed`,
    expected: toHex(expected),
    actual: toHex(row.leaf),
  };
}

/**
 * Puts the rows in leaf order and checks that they hold exactly 0..size-1. Returns the rows in
 * index order (rows with an impossible or taken index last, as stored), and whether the
 * indexes were exact.
 */
function placeRows(
  batch: StoredBatch,
  rows: readonly StoredLeafRow[],
  findings: Finding[],
): { ordered: StoredLeafRow[]; exact: boolean } {
  const bySlot: Array<StoredLeafRow | undefined> = new Array(batch.size);
  const extra: StoredLeafRow[] = [];
  for (const row of [...rows].sort((a, b) => a.leafIndex - b.leafIndex)) {
    const inRange = Number.isInteger(row.leafIndex) && row.leafIndex >= 0 && row.leafIndex < batch.size;
    if (inRange && bySlot[row.leafIndex] === undefined) {
      bySlot[row.leafIndex] = row;
      continue;
    }
    extra.push(row);
    findings.push({
      kind: "record_unexpected",
      seq: batch.seq,
      recordId: row.id,
      leafIndex: row.leafIndex,
      message: inRange
        ? `record ${row.id} claims leaf index ${row.leafIndex} of batch ${batch.seq}, which another record holds`
        : `record ${row.id} claims leaf index ${row.leafIndex}, outside batch ${batch.seq} of ${batch.size} leaves: it was inserted or moved`,
    });
  }
  for (let index = 0; index < batch.size; index++) {
    if (bySlot[index] !== undefined) continue;
    findings.push({
      kind: "record_missing",
      seq: batch.seq,
      recordId: null,
      leafIndex: index,
      message: `batch ${batch.seq} has no record at leaf index ${index}: it was deleted or moved`,
    });
  }
  const ordered = [...bySlot.filter((row): row is StoredLeafRow => row !== undefined), ...extra];
  return { ordered, exact: extra.length === 0 && ordered.length === batch.size };
}

/**
 * Levels 1..top of the stored tree against the tree rebuilt from the records' leaves. Only the
 * lowest level that differs is reported: everything above it differs as a consequence. At
 * level 1, node j is the hash of leaves 2j and 2j+1, so both records are named.
 */
function checkStoredLevels(
  seq: number,
  rebuilt: readonly Uint8Array[],
  stored: readonly Uint8Array[],
  records: readonly StoredLeafRow[],
): Finding[] {
  const sizes = levelSizes(rebuilt[0] ? rebuilt[0].length / HASH_BYTES : 0);
  const findings: Finding[] = [];
  if (stored.length > sizes.length) {
    findings.push({
      kind: "tree_node_mismatch",
      seq,
      recordId: null,
      message: `the stored tree of batch ${seq} has ${stored.length} levels, a tree of its size has ${sizes.length}`,
      expected: sizes.length,
      actual: stored.length,
    });
  }
  for (let level = 1; level < sizes.length; level++) {
    const want = rebuilt[level] as Uint8Array;
    const have = stored[level];
    if (have === undefined || have.length !== want.length) {
      findings.push({
        kind: "tree_node_mismatch",
        seq,
        recordId: null,
        message: `level ${level} of the stored tree of batch ${seq} is missing or has the wrong number of nodes`,
        expected: want.length / HASH_BYTES,
        actual: (have?.length ?? 0) / HASH_BYTES,
      });
      return findings;
    }
    const differing = differingNodes(want, have);
    if (differing.length === 0) continue;
    if (level === 1) {
      for (const node of differing) {
        for (const record of records.slice(2 * node, 2 * node + 2)) {
          findings.push({
            kind: "tree_leaf_mismatch",
            seq,
            recordId: record.id,
            leafIndex: record.leafIndex,
            message: `the stored tree node above leaves ${2 * node} and ${2 * node + 1} of batch ${seq} is not their hash: record ${record.id} at leaf ${record.leafIndex}, or its neighbour, was changed, swapped or replaced`,
            expected: toHex(nodeOf(want, node)),
            actual: toHex(nodeOf(have, node)),
          });
        }
      }
    } else {
      const index = differing[0] as number;
      findings.push({
        kind: "tree_node_mismatch",
        seq,
        recordId: null,
        message: `node ${index} of level ${level} of the stored tree of batch ${seq} is not the hash of its children: proofs served from it are wrong`,
        expected: toHex(nodeOf(want, index)),
        actual: toHex(nodeOf(have, index)),
      });
    }
    return findings;
  }
  return findings;
}

function nodeOf(level: Uint8Array, index: number): Uint8Array {
  return level.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
}

/** Indexes of the 32-byte nodes where two equally long levels differ. */
function differingNodes(a: Uint8Array, b: Uint8Array): number[] {
  if (bytesEqual(a, b)) return [];
  const nodes: number[] = [];
  for (let i = 0; i < a.length / HASH_BYTES; i++) {
    if (!bytesEqual(nodeOf(a, i), nodeOf(b, i))) nodes.push(i);
  }
  return nodes;
}

function concatLeaves(rows: readonly StoredLeafRow[]): Uint8Array {
  const out = new Uint8Array(rows.length * HASH_BYTES);
  for (const [i, row] of rows.entries()) {
    // A leaf of the wrong length is already a leaf_mismatch; keep the tree buildable.
    out.set(row.leaf.subarray(0, HASH_BYTES), i * HASH_BYTES);
  }
  return out;
}
