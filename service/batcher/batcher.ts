// Seals a batch when MAX_BATCH records are pending or BATCH_INTERVAL_MS has passed,
// whichever comes first, and keeps the log's next partition made ahead of need. Runs only in
// the process that holds the leader lock.
import { BackgroundLoop } from "../background-loop.ts";
import type { Database } from "../db/database.ts";
import { ensurePartitionsAhead } from "../db/partitions.ts";
import type { Logger } from "../logger.ts";
import { type SealedBatch, sealBatch } from "./seal-batch.ts";

export interface BatcherOptions {
  db: Database;
  maxBatch: number;
  intervalMs: number;
  log: Logger;
  onSealed?: (batch: SealedBatch) => void;
  onError?: (error: unknown) => void;
}

export class Batcher extends BackgroundLoop {
  private readonly options: BatcherOptions;

  constructor(options: BatcherOptions) {
    super();
    this.options = options;
  }

  protected async run(): Promise<void> {
    const { db, maxBatch, intervalMs, log } = this.options;
    while (!this.stopped) {
      const started = Date.now();
      try {
        // Drain a backlog in full batches, then wait for the next interval.
        for (;;) {
          const sealed = await sealBatch(db, maxBatch);
          if (sealed === null) break;
          log.debug({ seq: sealed.seq, size: sealed.size }, "sealed batch");
          this.options.onSealed?.(sealed);
          if (!sealed.morePending || this.stopped) break;
        }
        await ensurePartitionsAhead(db);
      } catch (error) {
        log.error({ err: error }, "sealing failed; will retry");
        this.options.onError?.(error);
      }
      if (!this.stopped) await this.sleeper.sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  }
}
