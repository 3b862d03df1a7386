// Seals a batch when MAX_BATCH records are pending or BATCH_INTERVAL_MS has passed,
// whichever comes first, and keeps the log's next partition made ahead of need. Runs only in
// the process that holds the leader lock.
//
// A failure (the database is away, or a bug) never makes the loop spin or flood the log: the
// wait doubles from the batch interval up to MAX_BACKOFF_MS, new records do not cut it short,
// the first failure of a run is one error line, a failure that lasts gets one warning a
// minute, and the recovery one info line. en_errors_total counts every attempt.
import { BackgroundLoop } from "../background-loop.ts";
import type { Database } from "../db/database.ts";
import { ensurePartitionsAhead } from "../db/partitions.ts";
import type { Logger } from "../logger.ts";
import { type SealedBatch, sealBatch } from "./seal-batch.ts";

/** The longest wait between sealing attempts while they fail. */
export const MAX_BACKOFF_MS = 5_000;
/** While sealing keeps failing, how often it is said again. */
const STILL_FAILING_EVERY_MS = 60_000;

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
    let failures = 0;
    let failingSince = 0;
    let lastSaid = 0;
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
        if (failures > 0) {
          log.info({ failures, failedForMs: Date.now() - failingSince }, "sealing recovered");
          failures = 0;
        }
      } catch (error) {
        failures++;
        this.options.onError?.(error);
        if (failures === 1) {
          failingSince = lastSaid = Date.now();
          log.error({ err: error }, `sealing failed; retrying, at most every ${MAX_BACKOFF_MS / 1000} s`);
        } else if (Date.now() - lastSaid >= STILL_FAILING_EVERY_MS) {
          lastSaid = Date.now();
          log.warn(
            { err: error, failures, failingForMs: Date.now() - failingSince },
            "sealing still failing",
          );
        }
      }
      if (this.stopped) break;
      if (failures > 0)
        await this.backOff(Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(failures - 1, 20)));
      else await this.sleeper.sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  }
}
