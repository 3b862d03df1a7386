// Read-only queries for the audit (scripts/audit.ts): whole batches as stored, and the
// ledger-wide facts (seq gaps, stale pending records). Nothing here writes.
import type { Queryable } from "./database.ts";

export const hasNotarySchemaSql = `SELECT to_regclass('records') IS NOT NULL AND to_regclass('batches') IS NOT NULL
  AND to_regclass('batch_levels') IS NOT NULL AS ok`;

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

export const batchLeafRowsSql = `SELECT id, digest, salt, leaf, leaf_index AS "leafIndex"
FROM records WHERE seq = $1 ORDER BY leaf_index`;

/** Every record row assigned to batch `seq`, in leaf order. */
export async function batchLeafRows(
  q: Queryable,
  seq: number,
): Promise<
  Array<{ id: string; digest: Uint8Array; salt: Uint8Array | null; leaf: Uint8Array; leafIndex: number }>
> {
  return q.query(batchLeafRowsSql, [seq]);
}

export const batchLevelsSql = "SELECT level, nodes FROM batch_levels WHERE seq = $1 ORDER BY level";

/** The stored tree of batch `seq`, level 0 first; a missing level is an empty array. */
export async function batchLevels(q: Queryable, seq: number): Promise<Uint8Array[]> {
  const rows = await q.query<{ level: number; nodes: Uint8Array }>(batchLevelsSql, [seq]);
  const levels: Uint8Array[] = [];
  for (const row of rows) {
    while (levels.length < row.level) levels.push(new Uint8Array(0));
    levels.push(row.nodes);
  }
  return levels;
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

export const stalePendingSql = `SELECT id, received_at AS "receivedAt", count(*) OVER () AS total
FROM records
WHERE seq IS NULL AND received_at < now() - make_interval(secs => $1)
ORDER BY pos
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
