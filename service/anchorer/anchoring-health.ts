// What the leader's anchorer knows about its own health: the failure it is in (if any),
// since when, and how many attempts it has cost. The anchorer tells it each outcome and
// gets back what changed, so that it logs one line when a failure begins or its cause
// changes, and one when anchoring resumes: never one line per retry. /readyz and /metrics
// read it (anchoring-status.ts). Pure: time is passed in.
import type { AnchorFailure } from "./anchor-failure.ts";

export interface CurrentFailure extends AnchorFailure {
  /** When this cause was first seen (consecutive failures of one cause count as one). */
  since: Date;
  /** When it was last seen. */
  lastAt: Date;
  /** Failed attempts with this cause so far. */
  attempts: number;
}

export type HealthChange =
  /** A failure began, or its cause changed: worth one log line. */
  | { kind: "began"; failure: CurrentFailure }
  /** The same cause once more: nothing new to say. */
  | { kind: "continues"; failure: CurrentFailure }
  /** Anchoring made progress (or found nothing to do) after a failure. */
  | { kind: "resolved"; failure: CurrentFailure }
  | { kind: "unchanged" };

export class AnchoringHealth {
  private current: CurrentFailure | undefined;
  /** When a batch was last anchored by this process (reconciled ones included). */
  lastAnchoredAt: Date | undefined;

  get failure(): CurrentFailure | undefined {
    return this.current;
  }

  failed(failure: AnchorFailure, now: Date): HealthChange {
    if (this.current !== undefined && this.current.cause === failure.cause) {
      this.current = { ...this.current, ...failure, lastAt: now, attempts: this.current.attempts + 1 };
      return { kind: "continues", failure: this.current };
    }
    this.current = { ...failure, since: now, lastAt: now, attempts: 1 };
    return { kind: "began", failure: this.current };
  }

  /** A batch was anchored. */
  anchored(now: Date): HealthChange {
    this.lastAnchoredAt = now;
    return this.resolve();
  }

  /** The checks passed and nothing is left to anchor: whatever failed is fixed. */
  idle(): HealthChange {
    return this.resolve();
  }

  /** Forget everything: a new leadership starts over with its start checks. */
  reset(): void {
    this.current = undefined;
  }

  private resolve(): HealthChange {
    const failure = this.current;
    this.current = undefined;
    return failure === undefined ? { kind: "unchanged" } : { kind: "resolved", failure };
  }
}
