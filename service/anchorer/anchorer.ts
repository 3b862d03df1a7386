// Anchors sealed batches in seq order, one at a time, with exponential backoff on errors.
// A chain that is down stops anchoring, never ingestion: batches simply wait as "sealed".
// Runs only in the process that holds the leader lock.

import { BackgroundLoop } from "../background-loop.ts";
import type { AnchorClient } from "../chain/anchor-client.ts";
import { describeChainError } from "../chain/chain-errors.ts";
import { firstBatchInState, recordAnchorError } from "../db/batches.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { anchorStep, type StepOutcome } from "./anchor-step.ts";

export interface AnchorerOptions {
  db: Database;
  client: AnchorClient;
  confirmations: number;
  timeoutMs: number;
  /** How long to sleep when nothing is left to anchor (a new seal wakes it sooner). */
  idleMs: number;
  log: Logger;
  onStep?: (outcome: StepOutcome) => void;
  onError?: (error: unknown) => void;
}

const MIN_BACKOFF_MS = 200;
// Every seal pokes the anchorer, so while the chain is down the backoff climbs with each
// failed retry; once the chain is back, the last sleep is the delay before anchoring
// resumes. One cheap nextSeq call per 5 s is nothing for a node, and recovery stays prompt.
const MAX_BACKOFF_MS = 5_000;

export class Anchorer extends BackgroundLoop {
  private readonly options: AnchorerOptions;

  constructor(options: AnchorerOptions) {
    super();
    this.options = options;
  }

  protected async run(): Promise<void> {
    const { log } = this.options;
    let backoff = MIN_BACKOFF_MS;
    while (!this.stopped) {
      try {
        const outcome = await anchorStep(this.options);
        this.options.onStep?.(outcome);
        backoff = MIN_BACKOFF_MS;
        if (outcome.kind === "anchored") {
          log.info(
            {
              seq: outcome.seq,
              size: outcome.size,
              tx: outcome.inclusion.txHash,
              reconciled: outcome.reconciled,
            },
            "anchored batch",
          );
        } else if (outcome.kind === "idle") {
          await this.sleeper.sleep(this.options.idleMs);
        }
      } catch (error) {
        const message = describeChainError(error);
        log.warn({ err: message, retryInMs: backoff }, "anchoring failed; will retry");
        this.options.onError?.(error);
        await this.recordError(message);
        if (!this.stopped) await this.sleeper.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Notes the failure on the batch being anchored, for operators; best effort (the database may be down too). */
  private async recordError(message: string): Promise<void> {
    try {
      const batch = await firstBatchInState(this.options.db, ["sealed", "sent"]);
      if (batch !== null) await recordAnchorError(this.options.db, batch.seq, message);
    } catch {
      // Nothing to add: the loop retries and the log has the error.
    }
  }
}
