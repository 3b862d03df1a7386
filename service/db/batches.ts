// Queries on `batches` and `batch_levels`. A batch is a sealed RFC 6962 tree: its root and
// size, its anchoring state (sealed -> sent -> anchored), and every level of the tree stored
// whole (count * 32 bytes per level). A proof reads one 32-byte slice per level with
// substring(), so it costs O(log n) small reads and never rebuilds the tree.
import { InvalidArgumentError, InvariantError } from "../core/errors.ts";
import { bytesEqual, HASH_BYTES, levelSizes } from "../core/merkle.ts";
import type { Queryable } from "./database.ts";

export type BatchState = "sealed" | "sent" | "anchored";

export interface BatchRow {
  seq: number;
  root: Uint8Array;
  size: number;
  state: BatchState;
  sealedAt: Date;
  chainId: number | null;
  contract: Uint8Array | null;
  txHash: Uint8Array | null;
  txNonce: number | null;
  sentAt: Date | null;
  attempts: number;
  lastError: string | null;
  blockNumber: number | null;
  blockHash: Uint8Array | null;
  /** Unix seconds. */
  blockTimestamp: number | null;
  anchoredAt: Date | null;
}

const BATCH_COLUMNS = `seq, root, size, state, sealed_at AS "sealedAt", chain_id AS "chainId", contract,
  tx_hash AS "txHash", tx_nonce AS "txNonce", sent_at AS "sentAt", attempts, last_error AS "lastError",
  block_number AS "blockNumber", block_hash AS "blockHash", block_timestamp AS "blockTimestamp",
  anchored_at AS "anchoredAt"`;

export const nextSeqSql = "SELECT coalesce(max(seq) + 1, 0) AS seq FROM batches";

/** The seq the next batch takes: batches are dense from 0, as the contract requires. */
export async function nextSeq(q: Queryable): Promise<number> {
  const rows = await q.query<{ seq: number }>(nextSeqSql);
  return rows[0]?.seq ?? 0;
}

/** One batch row plus one (level, nodes) pair per level; each level is its own binary parameter. */
export function insertBatchSql(levelCount: number): string {
  const values = Array.from({ length: levelCount }, (_, level) => `(${level}, $${level + 4}::bytea)`);
  return `WITH batch AS (
  INSERT INTO batches (seq, root, size, state) VALUES ($1, $2, $3, 'sealed') RETURNING seq
)
INSERT INTO batch_levels (seq, level, nodes)
SELECT batch.seq, l.level, l.nodes FROM batch, (VALUES ${values.join(", ")}) AS l(level, nodes)`;
}

export interface NewBatch {
  seq: number;
  root: Uint8Array;
  size: number;
  /** levels[0] = leaves, last = [root], as MerkleTree.levels. */
  levels: readonly Uint8Array[];
}

/** Stores a sealed batch and its tree. Requires levels shaped like a tree of `size` leaves with root `root`. */
export async function insertBatch(q: Queryable, batch: NewBatch): Promise<void> {
  const sizes = levelSizes(batch.size);
  const shapeOk =
    batch.levels.length === sizes.length &&
    batch.levels.every((nodes, level) => nodes.length === (sizes[level] as number) * HASH_BYTES);
  if (!shapeOk) {
    throw new InvalidArgumentError("invalid_tree", `levels do not form a tree of ${batch.size} leaves`);
  }
  if (!bytesEqual(batch.levels[batch.levels.length - 1] as Uint8Array, batch.root)) {
    throw new InvalidArgumentError("invalid_tree", "the last level is not the root");
  }
  await q.query(insertBatchSql(batch.levels.length), [batch.seq, batch.root, batch.size, ...batch.levels]);
}

export const getBatchSql = `SELECT ${BATCH_COLUMNS} FROM batches WHERE seq = $1`;

export async function getBatch(q: Queryable, seq: number): Promise<BatchRow | null> {
  const rows = await q.query<BatchRow>(getBatchSql, [seq]);
  return rows[0] ?? null;
}

export const listBatchesSql = `SELECT ${BATCH_COLUMNS} FROM batches WHERE seq > $1 ORDER BY seq LIMIT $2`;

/** Batches with seq above `after` (default: from the first), in seq order. */
export async function listBatches(
  q: Queryable,
  page: { after?: number; limit: number },
): Promise<BatchRow[]> {
  return q.query<BatchRow>(listBatchesSql, [page.after ?? -1, page.limit]);
}

export const proofNodesSql = `SELECT substring(l.nodes FROM p.idx * ${HASH_BYTES} + 1 FOR ${HASH_BYTES}) AS node
FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS p(level, idx, ord)
JOIN batch_levels l ON l.seq = $1 AND l.level = p.level
ORDER BY p.ord`;

/**
 * The 32-byte nodes at `positions` of batch `seq`, in the given order (one query, one slice
 * per position). Requires positions inside the tree, e.g. from auditPathPositions.
 */
export async function proofNodes(
  q: Queryable,
  seq: number,
  positions: ReadonlyArray<{ level: number; index: number }>,
): Promise<Uint8Array[]> {
  if (positions.length === 0) return [];
  const rows = await q.query<{ node: Uint8Array }>(proofNodesSql, [
    seq,
    positions.map((p) => p.level),
    positions.map((p) => p.index),
  ]);
  const nodes = rows.map((row) => row.node);
  if (nodes.length !== positions.length || nodes.some((node) => node.length !== HASH_BYTES)) {
    throw new InvariantError(`batch ${seq} has no node at some of the requested positions`, {
      seq,
      requested: positions.length,
      found: nodes.length,
    });
  }
  return nodes;
}

export const firstBatchInStateSql = `SELECT ${BATCH_COLUMNS} FROM batches
WHERE state = ANY($1::text[])
ORDER BY seq
LIMIT 1`;

/** The lowest-seq batch in one of `states`, or null. */
export async function firstBatchInState(
  q: Queryable,
  states: readonly BatchState[],
): Promise<BatchRow | null> {
  const rows = await q.query<BatchRow>(firstBatchInStateSql, [states]);
  return rows[0] ?? null;
}

export const batchesToAnchorSql = `SELECT ${BATCH_COLUMNS} FROM batches
WHERE state <> 'anchored'
ORDER BY seq`;

/** Every batch not yet anchored (sealed or sent), in seq order: the order the contract takes them. */
export async function batchesToAnchor(q: Queryable): Promise<BatchRow[]> {
  return q.query<BatchRow>(batchesToAnchorSql);
}

export interface SentAnchor {
  txHash: Uint8Array;
  nonce: number;
  chainId: number;
  /** The contract's 20-byte address. */
  contract: Uint8Array;
}

export const markSentSql = `UPDATE batches
SET state = 'sent', tx_hash = $2, tx_nonce = $3, chain_id = $4, contract = $5, sent_at = now()
WHERE seq = $1 AND state <> 'anchored'
RETURNING seq`;

/**
 * Records the anchoring transaction before waiting for it (it may be mined even if we time
 * out). A later call replaces it (a re-sent transaction). False if the batch is unknown or anchored.
 */
export async function markSent(q: Queryable, seq: number, sent: SentAnchor): Promise<boolean> {
  const rows = await q.query(markSentSql, [seq, sent.txHash, sent.nonce, sent.chainId, sent.contract]);
  return rows.length > 0;
}

export interface AnchorInclusion {
  blockNumber: number;
  blockHash: Uint8Array;
  /** Unix seconds. */
  blockTimestamp: number;
  /** The transaction that anchored it, when it differs from the one recorded by markSent (reconciliation). */
  txHash?: Uint8Array;
}

export const markAnchoredSql = `UPDATE batches
SET state = 'anchored', block_number = $2, block_hash = $3, block_timestamp = $4,
  tx_hash = coalesce($5, tx_hash), anchored_at = now()
WHERE seq = $1 AND state <> 'anchored'
RETURNING seq`;

/** False if the batch is unknown or already anchored. */
export async function markAnchored(q: Queryable, seq: number, inclusion: AnchorInclusion): Promise<boolean> {
  const rows = await q.query(markAnchoredSql, [
    seq,
    inclusion.blockNumber,
    inclusion.blockHash,
    inclusion.blockTimestamp,
    inclusion.txHash ?? null,
  ]);
  return rows.length > 0;
}

export const recordAnchorErrorSql = `UPDATE batches SET attempts = attempts + 1, last_error = $2
WHERE seq = $1
RETURNING attempts`;

/** Counts a failed anchoring attempt; returns the attempts so far (0 if the batch is unknown). */
export async function recordAnchorError(q: Queryable, seq: number, message: string): Promise<number> {
  const rows = await q.query<{ attempts: number }>(recordAnchorErrorSql, [seq, message]);
  return rows[0]?.attempts ?? 0;
}

export const getBatchLeavesSql = "SELECT nodes FROM batch_levels WHERE seq = $1 AND level = 0";

/** All leaf hashes of batch `seq` as one array of size * 32 bytes (audits), or null. */
export async function getBatchLeaves(q: Queryable, seq: number): Promise<Uint8Array | null> {
  const rows = await q.query<{ nodes: Uint8Array }>(getBatchLeavesSql, [seq]);
  return rows[0]?.nodes ?? null;
}
