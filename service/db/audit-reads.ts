// Read-only queries for the audit (scripts/audit.ts): a batch's entries as stored, and the
// ledger-wide facts (seq gaps, batch ranges that do not follow on, entries past the end of
// the log, stale pending records). Nothing here writes.
import type { Queryable } from "./database.ts";

export const hasNotarySchemaSql = `SELECT to_regclass('entries') IS NOT NULL AND to_regclass('entry_ids') IS NOT NULL
  AND to_regclass('batches') IS NOT NULL AND to_regclass('batch_levels') IS NOT NULL AS ok`;

/** True when the database holds the service's tables (migrations have run). */
export async function hasNotarySchema(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ ok: boolean }>(hasNotarySchemaSql);
  return rows[0]?.ok === true;
}

export const databaseNowSql = "SELECT now() AS now";

/** The database's clock, which stamped received_at and sealed_at. */
export async function databaseNow(q: Queryable): Promise<Date> {
  const rows = await q.query<{ now: Date }>(databaseNowSql);
  return rows[0]?.now ?? new Date();
}

export const batchLeafRowsSql = `SELECT id, kind, digest, salt, leaf, idx - $1::bigint AS "leafIndex"
FROM entries WHERE idx >= $1 AND idx < $1::bigint + $2 ORDER BY idx`;

/** An entry as the audit reads it: a record (kind 0) or an erasure entry (kind 1). */
export interface AuditEntryRow {
  id: string;
  kind: number;
  digest: Uint8Array | null;
  salt: Uint8Array | null;
  leaf: Uint8Array;
  /** Its index minus the batch's first index. */
  leafIndex: number;
}

/** Every entry in the batch's range of the log, in leaf order. */
export async function batchLeafRows(
  q: Queryable,
  batch: { firstIndex: number; size: number },
): Promise<AuditEntryRow[]> {
  return q.query(batchLeafRowsSql, [batch.firstIndex, batch.size]);
}

// The erasures of the records in [$1, $1 + $2), each with its erasure's entry and the batch
// holding that entry (if sealed). Read apart from the entries, by the erasures' own index:
// a batch without erasures costs one empty index probe, not one join per entry.
export const recordErasuresSql = `SELECT er.idx - $1::bigint AS "leafIndex", er.erased_at AS "erasedAt", er.reference,
  er.statement, er.erasure_idx AS "erasureIndex", ee.idx IS NOT NULL AS "entryFound", ee.kind AS "entryKind",
  ee.digest AS "entryDigest", b.seq AS "entrySeq", b.state AS "entryState", b.tx_hash AS "entryTxHash"
FROM erasures er
LEFT JOIN entries ee ON ee.idx = er.erasure_idx
LEFT JOIN LATERAL (
  SELECT bb.seq, bb.state, bb.tx_hash, bb.first_index, bb.size FROM batches bb
  WHERE bb.first_index <= er.erasure_idx ORDER BY bb.first_index DESC LIMIT 1
) b ON er.erasure_idx < b.first_index + b.size
WHERE er.idx >= $1 AND er.idx < $1::bigint + $2`;

// The rows of the erasure entries in [$1, $1 + $2): their statements, and the records they erased.
export const entryErasuresSql = `SELECT er.erasure_idx - $1::bigint AS "leafIndex", er.statement, er.idx AS "erasedIndex",
  xe.idx IS NOT NULL AS "erasedFound", xe.kind AS "erasedKind", xe.leaf AS "erasedLeaf",
  (xe.digest IS NULL OR xe.salt IS NULL) AS "erasedContentGone"
FROM erasures er
LEFT JOIN entries xe ON xe.idx = er.idx
WHERE er.erasure_idx >= $1 AND er.erasure_idx < $1::bigint + $2`;

/** The erasures of the batch's records, and the rows of its erasure entries (audit-erasures.ts checks them). */
export async function batchErasureRows(
  q: Queryable,
  batch: { firstIndex: number; size: number },
): Promise<{ records: RecordErasureRow[]; entries: EntryErasureRow[] }> {
  const range = [batch.firstIndex, batch.size];
  const [records, entries] = await Promise.all([
    q.query<RecordErasureRow>(recordErasuresSql, range),
    q.query<EntryErasureRow>(entryErasuresSql, range),
  ]);
  return { records, entries };
}

export interface RecordErasureRow {
  leafIndex: number;
  erasedAt: Date;
  reference: string;
  statement: string;
  erasureIndex: number;
  entryFound: boolean;
  entryKind: number | null;
  entryDigest: Uint8Array | null;
  entrySeq: number | null;
  entryState: string | null;
  entryTxHash: Uint8Array | null;
}

export interface EntryErasureRow {
  leafIndex: number;
  statement: string;
  erasedIndex: number;
  erasedFound: boolean;
  erasedKind: number | null;
  erasedLeaf: Uint8Array | null;
  erasedContentGone: boolean | null;
}

export const missingBatchSeqsSql = `SELECT s.seq FROM generate_series(0, (SELECT max(seq) FROM batches)) AS s(seq)
WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.seq = s.seq)
ORDER BY s.seq
LIMIT $1`;

/** Seqs below the highest stored one that have no batch (at most `limit`). */
export async function missingBatchSeqs(q: Queryable, limit: number): Promise<number[]> {
  const rows = await q.query<{ seq: number }>(missingBatchSeqsSql, [limit]);
  return rows.map((row) => row.seq);
}

export const misplacedBatchesSql = `SELECT seq, "firstIndex", "expectedFirstIndex" FROM (
  SELECT seq, first_index AS "firstIndex",
    coalesce(lag(first_index + size) OVER (ORDER BY seq), 0) AS "expectedFirstIndex"
  FROM batches
) b
WHERE "firstIndex" <> "expectedFirstIndex"
ORDER BY seq
LIMIT $1`;

/** Batches (at most `limit`) whose range does not start where the previous seq's ended. */
export async function misplacedBatches(
  q: Queryable,
  limit: number,
): Promise<Array<{ seq: number; firstIndex: number; expectedFirstIndex: number }>> {
  return q.query(misplacedBatchesSql, [limit]);
}

export const entriesPastEndSql = `SELECT e.idx AS "index", e.id FROM entries e, log_state l
WHERE e.idx >= l.next_index
ORDER BY e.idx
LIMIT $1`;

/** Entries (at most `limit`) at or past the log's next index: no group commit wrote them. */
export async function entriesPastEnd(
  q: Queryable,
  limit: number,
): Promise<Array<{ index: number; id: string }>> {
  return q.query(entriesPastEndSql, [limit]);
}

export const stalePendingSql = `SELECT e.id, e.received_at AS "receivedAt", count(*) OVER () AS total
FROM entries e, log_state l
WHERE e.idx >= coalesce((SELECT b.first_index + b.size FROM batches b ORDER BY b.first_index DESC LIMIT 1), 0)
  AND e.idx < l.next_index
  AND e.received_at < now() - make_interval(secs => $1)
ORDER BY e.idx
LIMIT $2`;

/** The oldest pending records received over `olderThanSeconds` ago (at most `limit`), and how many there are. */
export async function stalePendingRecords(
  q: Queryable,
  olderThanSeconds: number,
  limit: number,
): Promise<{ records: Array<{ id: string; receivedAt: Date }>; total: number }> {
  const rows = await q.query<{ id: string; receivedAt: Date; total: number }>(stalePendingSql, [
    olderThanSeconds,
    limit,
  ]);
  return { records: rows.map(({ id, receivedAt }) => ({ id, receivedAt })), total: rows[0]?.total ?? 0 };
}
