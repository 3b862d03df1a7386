// Queries on `records`: one row per submitted record, pending (seq null) until a seal puts it
// into a batch at `leaf_index`. Many rows go in as one statement over parallel arrays
// (unnest), so a group commit costs one round trip whatever its size.
import type { Queryable } from "./database.ts";
import { advisoryXactLockSql, LOCK_KEYS } from "./database.ts";

export interface NewRecord {
  id: string;
  digest: Uint8Array;
  salt: Uint8Array;
  leaf: Uint8Array;
}

export interface StoredRecord {
  id: string;
  digest: Uint8Array;
  /** Null once deleted (crypto-shredded). */
  salt: Uint8Array | null;
  leaf: Uint8Array;
  receivedAt: Date;
}

/** A record with its batch, if sealed. Batch fields are null while the record is pending. */
export interface RecordWithBatch extends StoredRecord {
  pos: number;
  seq: number | null;
  leafIndex: number | null;
  state: "sealed" | "sent" | "anchored" | null;
  root: Uint8Array | null;
  size: number | null;
  sealedAt: Date | null;
  chainId: number | null;
  contract: Uint8Array | null;
  txHash: Uint8Array | null;
  sentAt: Date | null;
  blockNumber: number | null;
  blockHash: Uint8Array | null;
  blockTimestamp: number | null;
  anchoredAt: Date | null;
}

const RECORD_COLUMNS = 'r.id, r.digest, r.salt, r.leaf, r.received_at AS "receivedAt"';

export const insertRecordsSql = `INSERT INTO records (id, digest, salt, leaf)
SELECT id, digest, salt, leaf
FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bytea[]) WITH ORDINALITY AS n(id, digest, salt, leaf, ord)
ORDER BY ord
ON CONFLICT (id) DO NOTHING
RETURNING id, received_at AS "receivedAt"`;

/**
 * Inserts all rows in one statement, in array order (which becomes ingest order). Returns the
 * rows inserted; an id already stored (or repeated in `rows`) is skipped, and the caller
 * tells a retry from a conflict with findRecordsByIds.
 */
export async function insertRecords(
  q: Queryable,
  rows: readonly NewRecord[],
): Promise<Array<{ id: string; receivedAt: Date }>> {
  if (rows.length === 0) return [];
  return q.query(insertRecordsSql, [
    rows.map((r) => r.id),
    rows.map((r) => r.digest),
    rows.map((r) => r.salt),
    rows.map((r) => r.leaf),
  ]);
}

export const findRecordsByIdsSql = `SELECT ${RECORD_COLUMNS} FROM records r WHERE r.id = ANY($1::text[])`;

/** The stored records among `ids`, in no particular order. */
export async function findRecordsByIds(q: Queryable, ids: readonly string[]): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  return q.query(findRecordsByIdsSql, [ids]);
}

const RECORD_WITH_BATCH_FROM = `SELECT ${RECORD_COLUMNS}, r.pos, r.seq, r.leaf_index AS "leafIndex",
  b.state, b.root, b.size, b.sealed_at AS "sealedAt", b.chain_id AS "chainId", b.contract,
  b.tx_hash AS "txHash", b.sent_at AS "sentAt", b.block_number AS "blockNumber",
  b.block_hash AS "blockHash", b.block_timestamp AS "blockTimestamp", b.anchored_at AS "anchoredAt"
FROM records r LEFT JOIN batches b ON b.seq = r.seq`;

export const getRecordSql = `${RECORD_WITH_BATCH_FROM}
WHERE r.id = $1`;

export async function getRecord(q: Queryable, id: string): Promise<RecordWithBatch | null> {
  const rows = await q.query<RecordWithBatch>(getRecordSql, [id]);
  return rows[0] ?? null;
}

// Keyset paging in (received_at, pos) order: one row comparison, which the index
// records_received_at serves as a range scan on every page. The cursor is the last row's
// pos, whose received_at the subquery looks up; the first page starts at (from, -1).
export const listRecordsReceivedSql = `${RECORD_WITH_BATCH_FROM}
WHERE (r.received_at, r.pos) > (
    COALESCE((SELECT c.received_at FROM records c WHERE c.pos = $3::bigint), $1::timestamptz),
    COALESCE($3::bigint, -1))
  AND r.received_at < $2
ORDER BY r.received_at, r.pos
LIMIT $4`;

/**
 * Records received in [from, to), oldest first, at most `limit`; `after` is the `pos` of the
 * last record of the previous page (omit it for the first page).
 */
export async function listRecordsReceived(
  q: Queryable,
  window: { from: Date; to: Date; after?: number; limit: number },
): Promise<RecordWithBatch[]> {
  return q.query<RecordWithBatch>(listRecordsReceivedSql, [
    window.from,
    window.to,
    window.after ?? null,
    window.limit,
  ]);
}

/**
 * Makes the calling transaction the only one sealing, across processes, until it ends. Take it
 * before selectPendingForSeal and nextSeq: in READ COMMITTED, the statements after it see what
 * a previous sealer committed.
 */
export async function lockSealing(tx: Queryable): Promise<void> {
  await tx.query(advisoryXactLockSql, [LOCK_KEYS.seal]);
}

export const selectPendingForSealSql = `SELECT id, leaf FROM records
WHERE seq IS NULL
ORDER BY pos
LIMIT $1`;

/** The oldest `limit` pending records in ingest order. Call under lockSealing. */
export async function selectPendingForSeal(
  q: Queryable,
  limit: number,
): Promise<Array<{ id: string; leaf: Uint8Array }>> {
  return q.query(selectPendingForSealSql, [limit]);
}

export const assignToBatchSql = `WITH assigned AS (
  UPDATE records r
  SET seq = $1, leaf_index = a.ord - 1
  FROM unnest($2::text[]) WITH ORDINALITY AS a(id, ord)
  WHERE r.id = a.id AND r.seq IS NULL
  RETURNING 1
)
SELECT count(*) AS n FROM assigned`;

/**
 * Puts pending records into batch `seq`: `ids[i]` gets leaf index i. Returns how many rows
 * changed; anything but `ids.length` means a record was missing or already sealed.
 */
export async function assignToBatch(q: Queryable, seq: number, ids: readonly string[]): Promise<number> {
  const rows = await q.query<{ n: number }>(assignToBatchSql, [seq, ids]);
  return rows[0]?.n ?? 0;
}

export const countPendingSql = "SELECT count(*) AS n FROM records WHERE seq IS NULL";

export async function countPending(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>(countPendingSql);
  return rows[0]?.n ?? 0;
}

export const oldestPendingReceivedAtSql = `SELECT received_at AS "receivedAt" FROM records
WHERE seq IS NULL
ORDER BY pos
LIMIT 1`;

/** When the oldest pending record arrived, or null when nothing is pending. */
export async function oldestPendingReceivedAt(q: Queryable): Promise<Date | null> {
  const rows = await q.query<{ receivedAt: Date }>(oldestPendingReceivedAtSql);
  return rows[0]?.receivedAt ?? null;
}

export const deleteSaltSql = "UPDATE records SET salt = NULL WHERE id = $1 AND salt IS NOT NULL RETURNING id";

/** Crypto-shreds a record: without its salt, its leaf no longer links to its digest. True if a salt was deleted. */
export async function deleteSalt(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query<{ id: string }>(deleteSaltSql, [id]);
  return rows.length > 0;
}
