// How long the anchorer waits after each outcome. Every outcome that made no progress waits,
// longer with each one in a row, so no failure, however it fails, makes the loop spin:
//
//   anchored             no wait: the next batch may be ready
//   idle                 the batch interval; a new seal ends it early
//   wrong_seq            a short wait: the next step reconciles from the chain
//   retried failures,    200 ms, doubling, at most 5 s: one cheap call every 5 s is nothing
//   not yet confirmed    for a node, and recovery stays prompt
//   operator causes      1 s, doubling, at most 10 s: rechecks until a person fixed it
//
// Only the idle wait is cut short by a seal: while anchoring fails, new batches change
// nothing, and waking on each would defeat the backoff.
import type { StepOutcome } from "./anchor-step.ts";

export const RETRY_FIRST_MS = 200;
export const RETRY_MAX_MS = 5_000;
export const RECHECK_FIRST_MS = 1_000;
export const RECHECK_MAX_MS = 10_000;

export interface RetryDelay {
  ms: number;
  /** Whether a new seal (poke) ends the wait early. */
  wakeOnPoke: boolean;
}

/** `streak` counts the outcomes without progress in a row, this one included (1 for the first). */
export function retryDelay(outcome: StepOutcome, streak: number, idleMs: number): RetryDelay {
  switch (outcome.kind) {
    case "anchored":
      return { ms: 0, wakeOnPoke: true };
    case "idle":
      return { ms: idleMs, wakeOnPoke: true };
    case "unconfirmed":
      return { ms: doubling(RETRY_FIRST_MS, RETRY_MAX_MS, streak), wakeOnPoke: false };
    case "failed": {
      const { failure } = outcome;
      if (failure.cause === "wrong_seq") return { ms: RETRY_FIRST_MS, wakeOnPoke: false };
      return failure.needsOperator
        ? { ms: doubling(RECHECK_FIRST_MS, RECHECK_MAX_MS, streak), wakeOnPoke: false }
        : { ms: doubling(RETRY_FIRST_MS, RETRY_MAX_MS, streak), wakeOnPoke: false };
    }
  }
}

function doubling(first: number, max: number, streak: number): number {
  return Math.min(max, first * 2 ** Math.min(Math.max(streak - 1, 0), 20));
}
