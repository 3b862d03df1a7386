// Partitions of the log (migrations/003_log.sql): entries, entry_groups and batch_levels are
// split by index range into partitions of log_state.partition_size indexes, partition k
// named <table>_p<k>. They are made ahead of need, idempotently, by the database function
// en_ensure_partitions: at start, after each seal (the leader keeps the next partition
// ready), and by a group commit that finds its partition missing. Old partitions are
// detached and archived by the operator (docs/deployment.md); nothing here touches them.
import type { Queryable } from "./database.ts";

export const ensurePartitionsSql = "SELECT en_ensure_partitions($1::bigint, $2::bigint) AS made";

/** Makes the missing partitions for indexes [fromIndex, toIndex]; returns how many tables it made. */
export async function ensurePartitions(q: Queryable, fromIndex: number, toIndex: number): Promise<number> {
  const [row] = await q.query<{ made: number }>(ensurePartitionsSql, [fromIndex, toIndex]);
  return row?.made ?? 0;
}

export const ensurePartitionsAheadSql = `SELECT en_ensure_partitions(next_index, next_index + partition_size) AS made
FROM log_state`;

/** Makes sure the partition the log writes into now and the next one exist. */
export async function ensurePartitionsAhead(q: Queryable): Promise<number> {
  const [row] = await q.query<{ made: number }>(ensurePartitionsAheadSql);
  return row?.made ?? 0;
}
