// "A batch is anchored": announced where the anchorer marks it so (anchorer/anchor-step.ts),
// heard by every long poll waiting for a proof (http/batch-anchored-signal.ts), in this
// process and, on PostgreSQL, in every other one on the same schema.
import type { Database } from "./database.ts";
import type { Listener } from "./notifications.ts";

const BATCH_ANCHORED = "batch_anchored";

/** Tells every waiting long poll that batch `seq` is anchored. Never throws. */
export function announceBatchAnchored(db: Database, seq: number): Promise<void> {
  return db.notify(BATCH_ANCHORED, String(seq));
}

/** Calls `listener` whenever a batch is anchored (payload: its seq), or when one may have been missed. */
export function onBatchAnchored(db: Database, listener: Listener): Promise<() => void> {
  return db.listen(BATCH_ANCHORED, listener);
}
