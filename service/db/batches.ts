// Queries on `batches` and `batch_levels`. A batch is a sealed RFC 6962 tree over the log's
// entries [firstIndex, firstIndex + size): its root and size, its anchoring state (sealed ->
// sent -> anchored), and levels 1 and up of its tree, each stored whole (count * 32 bytes);
// level 0 is the entries' own leaves (migrations/003_log.sql).
import { InvalidArgumentError } from "../core/errors.ts";
import { bytesEqual, HASH_BYTES, levelSizes } from "../core/merkle.ts";
import type { Queryable } from "./database.ts";
import { advisoryXactLockSql, LOCK_KEYS } from "./database.ts";

export type BatchState = "sealed" | "sent" | "anchored";

export interface BatchRow {
  seq: number;
  /** The batch holds the entries [firstIndex, firstIndex + size); leaf i is entry firstIndex + i. */
  firstIndex: number;
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

const BATCH_COLUMNS = `seq, first_index AS "firstIndex", root, size, state, sealed_at AS "sealedAt", chain_id AS "chainId", contract,
  tx_hash AS "txHash", tx_nonce AS "txNonce", sent_at AS "sentAt", attempts, last_error AS "lastError",
  block_number AS "blockNumber", block_hash AS "blockHash", block_timestamp AS "blockTimestamp",
  anchored_at AS "anchoredAt"`;

/**
 * Makes the calling transaction the only one sealing, across processes, until it ends. Take it
 * before reading the log's state and nextSeq: in READ COMMITTED, the statements after it see
 * what a previous sealer committed.
 */
export async function lockSealing(tx: Queryable): Promise<void> {
  await tx.query(advisoryXactLockSql, [LOCK_KEYS.seal]);
}

export const nextSeqSql = "SELECT coalesce(max(seq) + 1, 0) AS seq FROM batches";

/** The seq the next batch takes: batches are dense from 0, as the contract requires. */
export async function nextSeq(q: Queryable): Promise<number> {
  const rows = await q.query<{ seq: number }>(nextSeqSql);
  return rows[0]?.seq ?? 0;
}

/** One batch row plus one (first_index, level, nodes) row per stored level; each level is its own binary parameter. */
export function insertBatchSql(storedLevels: number): string {
  const insertBatch =
    "INSERT INTO batches (seq, first_index, root, size, state) VALUES ($1, $2, $3, $4, 'sealed')";
  if (storedLevels === 0) return insertBatch;
  const values = Array.from({ length: storedLevels }, (_, i) => `(${i + 1}, $${i + 5}::bytea)`);
  return `WITH batch AS (
  ${insertBatch} RETURNING first_index
)
INSERT INTO batch_levels (first_index, level, nodes)
SELECT batch.first_index, l.level, l.nodes FROM batch, (VALUES ${values.join(", ")}) AS l(level, nodes)`;
}

export interface NewBatch {
  seq: number;
  firstIndex: number;
  root: Uint8Array;
  size: number;
  /** levels[0] = leaves, last = [root], as MerkleTree.levels; level 0 is not stored (the entries hold it). */
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
  const upper = batch.levels.slice(1);
  await q.query(insertBatchSql(upper.length), [
    batch.seq,
    batch.firstIndex,
    batch.root,
    batch.size,
    ...upper,
  ]);
}

export const storedLevelsSql = "SELECT level, nodes FROM batch_levels WHERE first_index = $1 ORDER BY level";

/**
 * The stored tree of the batch starting at `firstIndex`: position l holds level l for l >= 1;
 * position 0 is empty (the leaves are the entries'), as is any level that is missing.
 */
export async function storedLevels(q: Queryable, firstIndex: number): Promise<Uint8Array[]> {
  const rows = await q.query<{ level: number; nodes: Uint8Array }>(storedLevelsSql, [firstIndex]);
  const levels: Uint8Array[] = [new Uint8Array(0)];
  for (const row of rows) {
    while (levels.length < row.level) levels.push(new Uint8Array(0));
    levels.push(row.nodes);
  }
  return levels;
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
