// What an audit can find. Each finding names the batch (seq) and, where one is involved,
// the record: by id, or by leaf index when the record's entry itself is gone.
import type { Hex } from "../core/hex.ts";

export type FindingKind =
  /** A record's stored leaf is not SHA-256(0x00 || salt || digest): its digest, salt or leaf was changed. */
  | "leaf_mismatch"
  /** The batch's range of the log has no entry at this leaf index: a record was deleted (or moved out). */
  | "record_missing"
  /** An entry where none can be: past the end of the log, or outside its batch. Inserted or moved. */
  | "record_unexpected"
  /** The stored tree node above this record's leaf is not the hash of it and its neighbour: one of them changed, swapped or replaced. */
  | "tree_leaf_mismatch"
  /** The stored tree (served in proofs) is not the tree of its own leaves, or is missing a level. */
  | "tree_node_mismatch"
  /** The root recomputed from the batch's stored records is not the batch's stored root. */
  | "root_mismatch"
  /** The batch is recorded as anchored, but the contract holds no anchor for its seq. */
  | "anchor_missing"
  /** The contract's root for this seq is not the batch's stored root. */
  | "anchor_root_mismatch"
  /** The contract's treeSize for this seq is not the batch's stored size. */
  | "anchor_size_mismatch"
  /** The batch row names another contract or chain than the one audited. */
  | "anchor_elsewhere"
  /**
   * The batch row's transaction hash is not the anchoring transaction: the chain has no such
   * transaction, or it failed, went to another address, did not emit the contract's
   * RootAnchored(seq, root), or is not in the block the contract recorded. Every bundle of the
   * batch carries it (anchor.txHash) and fails the verifier's anchor_tx check.
   */
  | "anchor_tx_mismatch"
  /**
   * The batch row's block number or timestamp is not the one getAnchor(seq) recorded, or its
   * block hash is not the anchoring transaction's block. Every bundle of the batch carries
   * them (anchor.blockNumber, blockHash, timestamp) and fails anchor_root or anchor_block.
   */
  | "anchor_block_mismatch"
  /** Sealed longer than the threshold ago and still not recorded as anchored. */
  | "batch_not_anchored"
  /** A seq below the highest stored one has no batch: batches must be dense from 0. */
  | "batch_missing"
  /** A batch's range of the log does not start where the previous batch's ended: entries left out of every batch, or in two. */
  | "batch_range_mismatch"
  /** The contract holds an anchor for a seq the database has no batch for. */
  | "unknown_onchain_batch"
  /** A record has been pending (not in any batch) longer than the threshold. */
  | "stale_pending"
  /** A record's digest or salt is missing without a recorded erasure (removed outside the service), or an erasure entry's. */
  | "content_missing"
  /** A recorded erasure whose entry or statement does not hold: missing, not of kind 1, not hashing to the entry's digest, or naming another leaf, time or reference. */
  | "erasure_mismatch"
  /** An erasure is recorded, but the record still holds its digest or salt. */
  | "erasure_incomplete"
  /** A record's content was removed longer than the threshold ago, and its erasure is still not anchored. */
  | "erasure_not_anchored";

export interface Finding {
  kind: FindingKind;
  /** The batch concerned; null for a pending record. */
  seq: number | null;
  /** The record concerned, when its row exists. */
  recordId: string | null;
  /** The leaf index concerned, when one is. */
  leafIndex?: number;
  message: string;
  /** What it should be (the reference: recomputed value, chain, stored tree). */
  expected?: Hex | string | number;
  /** What is stored. */
  actual?: Hex | string | number;
}

/** Most findings of one kind reported per batch; the rest are counted in one more finding. */
export const MAX_FINDINGS_PER_KIND = 100;

/**
 * Keeps at most `max` findings of each (kind, seq) and replaces the rest by one finding that
 * counts them, so a batch whose records were all deleted yields a readable report.
 */
export function capFindings(findings: readonly Finding[], max = MAX_FINDINGS_PER_KIND): Finding[] {
  const seen = new Map<string, number>();
  const kept: Finding[] = [];
  for (const finding of findings) {
    const key = `${finding.kind}:${finding.seq}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count <= max) kept.push(finding);
  }
  for (const [key, count] of seen) {
    if (count <= max) continue;
    const first = findings.find((f) => `${f.kind}:${f.seq}` === key) as Finding;
    kept.push({
      kind: first.kind,
      seq: first.seq,
      recordId: null,
      message: `…and ${count - max} more ${first.kind} findings${first.seq === null ? "" : ` in batch ${first.seq}`}`,
    });
  }
  return kept;
}

/** Drops repeated findings (same kind, batch, record and index), keeping the first. */
export function uniqueFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.kind}:${f.seq}:${f.recordId}:${f.leafIndex}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
