// "A record's stored evidence changed" (an erasure, issue 13): announced by whatever changes
// it, heard by every process that keeps bundles in memory (evidence/bundle-cache.ts), in this
// process at once and, on PostgreSQL, in every other one on the same schema.
import type { Database, Queryable } from "./database.ts";
import { type Listener, scopedChannelSql } from "./notifications.ts";

const RECORD_CHANGED = "record_changed";

/** Tells every process that the evidence of record `id` changed. Never throws. */
export function announceRecordChanged(db: Database, id: string): Promise<void> {
  return db.notify(RECORD_CHANGED, id);
}

/** Calls `listener` with the id of each record whose evidence changed, or undefined when some may have been missed. */
export function onRecordChanged(db: Database, listener: Listener): Promise<() => void> {
  return db.listen(RECORD_CHANGED, listener);
}

/**
 * Inside the transaction that changes the evidence of records `ids`: on PostgreSQL, one NOTIFY
 * per id, which PostgreSQL delivers when (and only if) the transaction commits, to every
 * process on the schema, this one included (its payload names no origin). Unlike
 * announceRecordChanged after the commit, it cannot be lost to a connection that fails
 * between the commit and the announcement. PGlite has no other process: nothing to do here,
 * call announceRecordsChangedAfterCommit.
 */
export async function announceRecordsChangedAtCommit(
  db: Database,
  tx: Queryable,
  ids: readonly string[],
): Promise<void> {
  if (db.kind !== "postgres" || ids.length === 0) return;
  await tx.query(`SELECT pg_notify(${scopedChannelSql(1)}, '|' || u.id) FROM unnest($2::text[]) AS u(id)`, [
    RECORD_CHANGED,
    ids,
  ]);
}

/** After the commit: on PGlite, tells this process's listeners (on PostgreSQL the commit did). */
export async function announceRecordsChangedAfterCommit(db: Database, ids: readonly string[]): Promise<void> {
  if (db.kind === "postgres") return;
  for (const id of ids) await announceRecordChanged(db, id);
}
