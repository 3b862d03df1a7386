// "A record's stored evidence changed" (an erasure, issue 13): announced by whatever changes
// it, heard by every process that keeps bundles in memory (evidence/bundle-cache.ts), in this
// process at once and, on PostgreSQL, in every other one on the same schema.
import type { Database } from "./database.ts";
import type { Listener } from "./notifications.ts";

const RECORD_CHANGED = "record_changed";

/** Tells every process that the evidence of record `id` changed. Never throws. */
export function announceRecordChanged(db: Database, id: string): Promise<void> {
  return db.notify(RECORD_CHANGED, id);
}

/** Calls `listener` with the id of each record whose evidence changed, or undefined when some may have been missed. */
export function onRecordChanged(db: Database, listener: Listener): Promise<() => void> {
  return db.listen(RECORD_CHANGED, listener);
}
