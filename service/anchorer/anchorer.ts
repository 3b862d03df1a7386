// Anchors sealed batches in seq order, one at a time. Runs only in the process that holds
// the leader lock. A chain that is down, or an account that cannot anchor, stops anchoring,
// never ingestion: batches simply wait as "sealed".
//
// Before anything else, and again after an unexplained error, it checks its setup
// (start-checks.ts). Every outcome goes to the health record (anchoring-health.ts), which
// says when to log: one line when a failure begins or changes cause (an error, with the fix,
// when a person must act), one when anchoring resumes. Then it waits as retry-delay.ts says.
import { BackgroundLoop } from "../background-loop.ts";
import { type AnchorClient, DEFAULT_GAS_PERCENT } from "../chain/anchor-client.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import { firstBatchInState, recordAnchorError } from "../db/batches.ts";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { type AnchorFailure, classifyAnchorError } from "./anchor-failure.ts";
import { anchorStep, type StepOutcome } from "./anchor-step.ts";
import { AnchoringHealth, type HealthChange } from "./anchoring-health.ts";
import { retryDelay } from "./retry-delay.ts";
import { checkAnchoringSetup } from "./start-checks.ts";

export interface AnchorerOptions {
  db: Database;
  client: AnchorClient;
  confirmations: number;
  timeoutMs: number;
  /** How long to sleep when nothing is left to anchor (a new seal wakes it sooner). */
  idleMs: number;
  log: Logger;
  /** The notary this service anchors for (NOTARY_PROFILE): its chain, contract and code hash are checked. */
  trustedNotary: NotaryProfile;
  /** Shared with /readyz and /metrics; reset when this anchorer starts. */
  health?: AnchoringHealth;
  /** Every outcome, for metrics. */
  onStep?: (outcome: StepOutcome) => void;
}

/** Out of gas: each time, 50% more headroom, up to four times the estimate. */
const MAX_GAS_PERCENT = 400;

export class Anchorer extends BackgroundLoop {
  private readonly options: AnchorerOptions;
  readonly health: AnchoringHealth;
  private setupChecked = false;
  private gasPercent = DEFAULT_GAS_PERCENT;

  constructor(options: AnchorerOptions) {
    super();
    this.options = options;
    this.health = options.health ?? new AnchoringHealth();
  }

  protected async run(): Promise<void> {
    this.health.reset();
    let streak = 0;
    while (!this.stopped) {
      const outcome = await this.attempt();
      await this.report(outcome);
      streak = outcome.kind === "anchored" || outcome.kind === "idle" ? 0 : streak + 1;
      const delay = retryDelay(outcome, streak, this.options.idleMs);
      // A new seal ends an idle wait, never a backoff (new batches do not fix a failure).
      if (delay.ms > 0 && !this.stopped) {
        await (delay.wakeOnPoke ? this.sleeper.sleep(delay.ms) : this.backOff(delay.ms));
      }
    }
  }

  /** One attempt; never throws: an error becomes a named failure. */
  private async attempt(): Promise<StepOutcome> {
    const { client, trustedNotary, log } = this.options;
    try {
      if (!this.setupChecked) {
        const failure = await checkAnchoringSetup(client, trustedNotary, this.gasPercent);
        if (failure !== undefined) return { kind: "failed", seq: null, failure };
        this.setupChecked = true;
        log.info(
          { account: client.anchorerAddress, contract: client.contract, chainId: client.chainId },
          "anchoring checks passed: the account holds ANCHORER_ROLE on the notary's contract and can pay for gas",
        );
      }
      const outcome = await anchorStep({
        ...this.options,
        gasPercent: this.gasPercent,
        expectedCodeHash: trustedNotary.codeHash,
      });
      if (outcome.kind === "failed") this.adapt(outcome.failure);
      return outcome;
    } catch (error) {
      const failure = classifyAnchorError(error, {
        account: client.anchorerAddress,
        contract: client.contract,
      });
      this.adapt(failure);
      return { kind: "failed", seq: null, failure };
    }
  }

  /** What a failure changes for the next attempt. */
  private adapt(failure: AnchorFailure): void {
    if (failure.cause === "out_of_gas") this.gasPercent = Math.min(this.gasPercent * 1.5, MAX_GAS_PERCENT);
    // Something unexplained, or the contract itself: look at the whole setup again.
    if (failure.cause === "error" || failure.cause === "wrong_contract") this.setupChecked = false;
  }

  private async report(outcome: StepOutcome): Promise<void> {
    const { log } = this.options;
    const now = new Date();
    this.options.onStep?.(outcome);
    switch (outcome.kind) {
      case "anchored":
        log.info(
          {
            seq: outcome.seq,
            size: outcome.size,
            tx: outcome.inclusion.txHash,
            reconciled: outcome.reconciled,
          },
          "anchored batch",
        );
        this.logChange(this.health.anchored(now), now);
        return;
      case "idle":
        this.logChange(this.health.idle(), now);
        return;
      case "unconfirmed":
        log.debug({ seq: outcome.seq, tx: outcome.txHash }, "anchor transaction not yet confirmed");
        return;
      case "failed":
        this.logChange(this.health.failed(outcome.failure, now), now);
        await this.recordError(outcome.seq, outcome.failure);
        return;
    }
  }

  private logChange(change: HealthChange, now: Date): void {
    const { log, client } = this.options;
    if (change.kind === "unchanged") return;
    const f = change.failure;
    const facts = { cause: f.cause, account: client.anchorerAddress, contract: client.contract };
    if (change.kind === "resolved") {
      const seconds = Math.round((now.getTime() - f.since.getTime()) / 100) / 10;
      log.info(
        { ...facts, attempts: f.attempts, seconds },
        `anchoring resumed after ${f.cause} (${seconds} s)`,
      );
    } else if (change.kind === "continues") {
      log.debug({ ...facts, attempts: f.attempts }, `anchoring still failing: ${f.message}`);
    } else if (f.needsOperator) {
      log.error({ ...facts, fix: f.fix }, `anchoring stopped (${f.cause}): ${f.message}. Fix: ${f.fix}`);
    } else {
      log.warn({ ...facts, next: f.fix }, `anchoring attempt failed (${f.cause}): ${f.message}; ${f.fix}`);
    }
  }

  /**
   * Notes the failure on the batch it concerns (the oldest unanchored one when none is
   * named), where every process and operator can read it; best effort (the database may be
   * down too).
   */
  private async recordError(seq: number | null, failure: AnchorFailure): Promise<void> {
    try {
      const target = seq ?? (await firstBatchInState(this.options.db, ["sealed", "sent"]))?.seq;
      if (target !== undefined) {
        await recordAnchorError(this.options.db, target, `${failure.cause}: ${failure.message}`);
      }
    } catch {
      // Nothing to add: the log and the health record have it.
    }
  }
}
