// The checks over the whole ledger rather than one batch, pure like audit-batch.ts. They run
// on every audit, whatever range or sample of batches is re-verified, because they are cheap:
//   - batches are dense from seq 0 in the database, and the contract holds no seq the
//     database lacks (its seqs are dense by construction: anchor() takes only nextSeq);
//   - each batch's range of the log starts where the previous one ended, so every sealed
//     entry is in exactly one batch, and no entry lies past the end of the log;
//   - every sealed batch is anchored, within a grace period (the anchorer may be busy);
//   - no record stays pending longer than that period.
import type { Finding } from "./findings.ts";

export interface LedgerState {
  /** 1 + the highest batch seq stored (0 when there is none). */
  dbNextSeq: number;
  /** Seqs below dbNextSeq with no batch row (at most a bounded number of them). */
  missingSeqs: readonly number[];
  /** Batches whose range does not start where the previous seq's ended (a bounded number of them). */
  misplacedBatches: ReadonlyArray<{ seq: number; firstIndex: number; expectedFirstIndex: number }>;
  /** Entries at or past the log's next index (a bounded number of them). */
  entriesPastEnd: ReadonlyArray<{ index: number; id: string }>;
  /** The contract's nextSeq(). */
  chainNextSeq: number;
  /** Batches not recorded as anchored. */
  unanchored: ReadonlyArray<{ seq: number; state: string; sealedAt: Date }>;
  /** The oldest pending records received before the threshold (a bounded number of them). */
  stalePending: ReadonlyArray<{ id: string; receivedAt: Date }>;
  /** How many pending records are older than the threshold in all. */
  stalePendingCount: number;
  /** The database's clock when the state was read. */
  now: Date;
  /** The grace period for sealing and anchoring. */
  thresholdSeconds: number;
}

/** Most unknown on-chain seqs listed one by one. */
const MAX_LISTED = 100;

export function auditLedger(state: LedgerState): Finding[] {
  const findings: Finding[] = [];
  for (const seq of state.missingSeqs) {
    findings.push({
      kind: "batch_missing",
      seq,
      recordId: null,
      message: `the database has batches up to seq ${state.dbNextSeq - 1} but none with seq ${seq}: it was deleted`,
    });
  }
  for (const batch of state.misplacedBatches) {
    findings.push({
      kind: "batch_range_mismatch",
      seq: batch.seq,
      recordId: null,
      message:
        batch.firstIndex > batch.expectedFirstIndex
          ? `batch ${batch.seq} starts at index ${batch.firstIndex}, but the batch before it ends at ${batch.expectedFirstIndex}: the entries between are in no batch`
          : `batch ${batch.seq} starts at index ${batch.firstIndex}, inside the batch before it (which ends at ${batch.expectedFirstIndex}): entries are in two batches`,
      expected: batch.expectedFirstIndex,
      actual: batch.firstIndex,
    });
  }
  for (const entry of state.entriesPastEnd) {
    findings.push({
      kind: "record_unexpected",
      seq: null,
      recordId: entry.id,
      leafIndex: entry.index,
      message: `record ${entry.id} sits at index ${entry.index}, past the end of the log: no group commit wrote it`,
    });
  }
  const unknown = state.chainNextSeq - state.dbNextSeq;
  for (let i = 0; i < Math.min(unknown, MAX_LISTED); i++) {
    const seq = state.dbNextSeq + i;
    findings.push({
      kind: "unknown_onchain_batch",
      seq,
      recordId: null,
      message: `the contract holds an anchor for seq ${seq}, but the database has no batch ${seq}${unknown > MAX_LISTED && i === MAX_LISTED - 1 ? ` (and ${unknown - MAX_LISTED} more seqs up to ${state.chainNextSeq - 1})` : ""}`,
    });
  }
  for (const batch of state.unanchored) {
    const age = ageSeconds(state.now, batch.sealedAt);
    if (age <= state.thresholdSeconds) continue;
    const onChain = batch.seq < state.chainNextSeq;
    findings.push({
      kind: "batch_not_anchored",
      seq: batch.seq,
      recordId: null,
      message: onChain
        ? `batch ${batch.seq} was sealed ${age} s ago and the contract holds seq ${batch.seq}, but the database still says "${batch.state}": the anchorer has not recorded it`
        : `batch ${batch.seq} was sealed ${age} s ago and is still not anchored (state "${batch.state}")`,
      actual: batch.state,
    });
  }
  for (const record of state.stalePending) {
    findings.push({
      kind: "stale_pending",
      seq: null,
      recordId: record.id,
      message: `record ${record.id} has been pending for ${ageSeconds(state.now, record.receivedAt)} s, since ${record.receivedAt.toISOString()}`,
    });
  }
  const unlisted = state.stalePendingCount - state.stalePending.length;
  if (unlisted > 0) {
    findings.push({
      kind: "stale_pending",
      seq: null,
      recordId: null,
      message: `…and ${unlisted} more records pending for over ${state.thresholdSeconds} s`,
    });
  }
  return findings;
}

function ageSeconds(now: Date, since: Date): number {
  return Math.floor((now.getTime() - since.getTime()) / 1000);
}
