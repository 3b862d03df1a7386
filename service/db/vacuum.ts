// After erasures: the UPDATE that removed a record's digest and salt left the old row version,
// digest and salt included, in its partition's data file as a dead tuple until VACUUM removes
// it. These are the queries of `npm run vacuum-erased` (scripts/vacuum-erased.ts).
import type { Queryable } from "./database.ts";

// tableoid names the partition an entry lives in; only those of erased records matter.
export const erasedPartitionsSql = `SELECT DISTINCT e.tableoid::regclass::text AS name
FROM erasures er JOIN entries e ON e.idx = er.idx
ORDER BY 1`;

/** The log partitions (entries_p<k>) that hold erased records. */
export async function erasedPartitions(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ name: string }>(erasedPartitionsSql);
  return rows.map((row) => row.name);
}

const PARTITION = /^entries_p\d+$/;

/**
 * VACUUM of one partition: its dead row versions are removed. With `full`, the partition is
 * rewritten into a new file and the old file deleted, so no byte of a dead version is left in
 * it; that holds an ACCESS EXCLUSIVE lock on the partition while it runs (ingest into it
 * waits). Requires a name erasedPartitions returned.
 */
export async function vacuumPartition(q: Queryable, name: string, full: boolean): Promise<void> {
  if (!PARTITION.test(name)) throw new Error(`not a log partition: ${name}`);
  await q.exec(`VACUUM ${full ? "(FULL) " : ""}${name}`);
}
