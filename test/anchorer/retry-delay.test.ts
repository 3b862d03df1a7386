// How long the anchorer waits after each outcome (service/anchorer/retry-delay.ts): never
// zero after an outcome that made no progress, growing, capped; only the idle wait ends on
// a new seal.
import { expect, it } from "vitest";
import { type AnchorFailureCause, anchorFailure } from "../../service/anchorer/anchor-failure.ts";
import type { StepOutcome } from "../../service/anchorer/anchor-step.ts";
import {
  RECHECK_FIRST_MS,
  RECHECK_MAX_MS,
  RETRY_FIRST_MS,
  RETRY_MAX_MS,
  retryDelay,
} from "../../service/anchorer/retry-delay.ts";

const failed = (cause: AnchorFailureCause): StepOutcome => ({
  kind: "failed",
  seq: 3,
  failure: anchorFailure(cause, "what happened", "what to do"),
});
const IDLE_MS = 1000;

it("waits after every outcome that made no progress, and only the idle wait ends on a seal", () => {
  const noProgress: StepOutcome[] = [
    { kind: "unconfirmed", seq: 1, txHash: null },
    failed("missing_role"),
    failed("no_funds"),
    failed("sender_not_allowed"),
    failed("wrong_contract"),
    failed("ledger_mismatch"),
    failed("out_of_gas"),
    failed("wrong_seq"),
    failed("reverted"),
    failed("chain_unavailable"),
    failed("chain_error"),
    failed("database_unavailable"),
    failed("error"),
  ];
  for (const outcome of noProgress) {
    for (let streak = 1; streak < 40; streak++) {
      const delay = retryDelay(outcome, streak, IDLE_MS);
      expect(delay.ms, JSON.stringify(outcome)).toBeGreaterThanOrEqual(RETRY_FIRST_MS);
      expect(delay.wakeOnPoke).toBe(false);
    }
  }
  expect(retryDelay({ kind: "idle" }, 0, IDLE_MS)).toEqual({ ms: IDLE_MS, wakeOnPoke: true });
});

it("backs off by doubling, to 5 s for what is retried and to 10 s for what a person must fix", () => {
  const retried = [1, 2, 3, 4, 5, 6, 7, 30].map(
    (n) => retryDelay(failed("chain_unavailable"), n, IDLE_MS).ms,
  );
  expect(retried).toEqual([200, 400, 800, 1600, 3200, RETRY_MAX_MS, RETRY_MAX_MS, RETRY_MAX_MS]);
  const rechecks = [1, 2, 3, 4, 5, 100].map((n) => retryDelay(failed("missing_role"), n, IDLE_MS).ms);
  expect(rechecks).toEqual([RECHECK_FIRST_MS, 2000, 4000, 8000, RECHECK_MAX_MS, RECHECK_MAX_MS]);
  // A lost seq is reconciled by the very next step.
  expect(retryDelay(failed("wrong_seq"), 9, IDLE_MS).ms).toBe(RETRY_FIRST_MS);
});
