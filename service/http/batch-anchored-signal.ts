// What a long poll (GET /v1/records/:id/proof?wait=N) waits on: the next anchored batch, in
// any process (db/batch-anchored.ts), instead of asking the database every few milliseconds.
// A waiter reads, then waits for a batch anchored *after* its read: `seen` is the count of
// batches heard of when it read, so one anchored in between is never missed.
import { onBatchAnchored } from "../db/batch-anchored.ts";
import type { Database } from "../db/database.ts";

export class BatchAnchoredSignal {
  private readonly db: Database;
  private heard = 0;
  private readonly waiters = new Set<() => void>();
  private listening: Promise<() => void> | undefined;

  constructor(db: Database) {
    this.db = db;
  }

  /** Listens (from the first call on); resolves with the count to pass to `next` once a later anchoring will be heard. */
  async ready(): Promise<number> {
    this.listening ??= onBatchAnchored(this.db, () => this.wakeAll());
    await this.listening;
    return this.heard;
  }

  /**
   * Resolves with the new count once a batch anchored after `seen`, or at `deadline` (epoch
   * ms), or when `abort` fires, whichever is first. Never rejects.
   */
  next(seen: number, deadline: number, abort: AbortSignal): Promise<number> {
    if (this.heard !== seen || abort.aborted) return Promise.resolve(this.heard);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        abort.removeEventListener("abort", done);
        this.waiters.delete(done);
        resolve(this.heard);
      };
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      abort.addEventListener("abort", done);
      this.waiters.add(done);
    });
  }

  /** Ends every wait now (a batch was anchored, or the app is closing: each waiter looks again). */
  wakeAll(): void {
    this.heard++;
    for (const done of [...this.waiters]) done();
  }

  async close(): Promise<void> {
    this.wakeAll();
    const stop = await this.listening;
    stop?.();
  }
}
