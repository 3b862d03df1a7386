// The anchoring state that /readyz and /metrics report:
//
//   stalled  a batch has waited longer than ANCHOR_STALL_MS without anchoring making
//            progress (the oldest unanchored batch was sealed, and the batch before it was
//            anchored, more than that long ago). /readyz is then not ready.
//   failing  the leader's last attempts failed, for a named cause, but not yet that long.
//   ok       neither.
//
// "Progress" is read from the database, so every process can tell a stall, the leader or
// not, and a restart does not hide one. The cause (and its fix) is known to the leader
// (anchoring-health.ts); another process shows the last error recorded on the batch.
import { type BatchRow, firstBatchInState, getBatch } from "../db/batches.ts";
import type { Database } from "../db/database.ts";
import type { AnchoringHealth, CurrentFailure } from "./anchoring-health.ts";

export type AnchoringState = "ok" | "failing" | "stalled";

export interface AnchoringReason {
  /** A cause of anchor-failure.ts, or "unknown" when this process does not lead. */
  cause: string;
  needsOperator: boolean | null;
  message: string;
  fix: string | null;
  /** ISO 8601: when this cause was first seen. */
  since: string | null;
  attempts: number;
}

export interface AnchoringStatus {
  state: AnchoringState;
  /** Whether this process leads (seals and anchors). */
  leader: boolean;
  reason: AnchoringReason | null;
  /** null when nothing waits, or the database could not be asked. */
  oldestUnanchoredBatch: { seq: number; ageSeconds: number } | null;
  /** How long anchoring has had work without progress; null when the database could not be asked. */
  noProgressSeconds: number | null;
  stallAfterSeconds: number;
}

export interface AnchoringFacts {
  oldest: Pick<BatchRow, "seq" | "sealedAt" | "lastError" | "attempts"> | null;
  /** When the batch before the oldest unanchored one was anchored; null for seq 0. */
  previousAnchoredAt: Date | null;
}

export interface StatusInputs {
  /** undefined when the database could not be asked. */
  facts: AnchoringFacts | undefined;
  leader: boolean;
  /** The leader's current failure (anchoring-health.ts). */
  failure: CurrentFailure | undefined;
  now: Date;
  stallMs: number;
}

/** Pure: the state from the facts. */
export function anchoringStatus(inputs: StatusInputs): AnchoringStatus {
  const { facts, now, stallMs } = inputs;
  const oldest = facts?.oldest ?? null;
  let noProgressMs: number | null = null;
  if (facts !== undefined) {
    const since = Math.max(
      oldest?.sealedAt.getTime() ?? now.getTime(),
      facts.previousAnchoredAt?.getTime() ?? 0,
    );
    noProgressMs = oldest === null ? 0 : Math.max(0, now.getTime() - since);
  }
  const failure = inputs.leader ? inputs.failure : undefined;
  const stalled = noProgressMs !== null && noProgressMs > stallMs;
  let reason: AnchoringReason | null = null;
  if (failure !== undefined) {
    reason = {
      cause: failure.cause,
      needsOperator: failure.needsOperator,
      message: failure.message,
      fix: failure.fix,
      since: failure.since.toISOString(),
      attempts: failure.attempts,
    };
  } else if (stalled && oldest !== null) {
    reason = {
      cause: "unknown",
      needsOperator: null,
      message:
        oldest.lastError === null
          ? `batch ${oldest.seq} waits to be anchored and no attempt has failed on it: is a leader running?`
          : `the last attempt on batch ${oldest.seq} failed: ${oldest.lastError}`,
      fix: inputs.leader ? null : "see /readyz of the leader (its log says 'this process is now the leader')",
      since: null,
      attempts: oldest.attempts,
    };
  }
  return {
    state: stalled ? "stalled" : failure !== undefined ? "failing" : "ok",
    leader: inputs.leader,
    reason,
    oldestUnanchoredBatch:
      oldest === null
        ? null
        : { seq: oldest.seq, ageSeconds: seconds(now.getTime() - oldest.sealedAt.getTime()) },
    noProgressSeconds: noProgressMs === null ? null : seconds(noProgressMs),
    stallAfterSeconds: seconds(stallMs),
  };
}

/** The oldest unanchored batch and when its predecessor was anchored; undefined when the database fails. */
export async function readAnchoringFacts(db: Database): Promise<AnchoringFacts | undefined> {
  try {
    const oldest = await firstBatchInState(db, ["sealed", "sent"]);
    const previous = oldest === null || oldest.seq === 0 ? null : await getBatch(db, oldest.seq - 1);
    return { oldest, previousAnchoredAt: previous?.anchoredAt ?? null };
  } catch {
    return undefined; // /readyz reports the database itself
  }
}

/** The status as /readyz and /metrics ask for it, from the database and the leader's health record. */
export function readAnchoringStatus(
  db: Database,
  health: AnchoringHealth,
  isLeader: () => boolean,
  stallMs: number,
): () => Promise<AnchoringStatus> {
  return async () =>
    anchoringStatus({
      facts: await readAnchoringFacts(db),
      leader: isLeader(),
      failure: health.failure,
      now: new Date(),
      stallMs,
    });
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
