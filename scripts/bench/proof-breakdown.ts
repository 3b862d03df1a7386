// Where the time of one proof goes, measured from the bench process on the same database:
// the record-and-batch read alone, the same statement with the audit path (one substring per
// level of the stored tree and the neighbouring leaf), and the whole of readRecordEvidence
// (that statement plus buildBundle, which verifies the bundle before it is handed out); each
// one call at a time, then the whole path with as many calls in flight as the service's pool
// has connections.
import { randomInt } from "node:crypto";
import type { Database } from "../../service/db/database.ts";
import { getRecord, getRecordWithPath } from "../../service/db/records.ts";
import { readRecordEvidence } from "../../service/evidence/record-evidence.ts";
import { perSecond, timed } from "./part.ts";

export interface ProofBreakdown {
  calls: number;
  getRecordMs: number;
  withPathMs: number;
  readRecordEvidenceMs: number;
  /** readRecordEvidence calls per second with `concurrency` in flight, over `concurrency` connections. */
  concurrentPerSecond: number;
  concurrency: number;
}

export async function measureProofPath(
  db: Database,
  ids: readonly string[],
  calls: number,
  concurrency: number,
): Promise<ProofBreakdown> {
  const pick = () => ids[randomInt(ids.length)] as string;
  let getRecordMs = 0;
  let withPathMs = 0;
  let evidenceMs = 0;
  for (let i = 0; i < calls; i++) {
    const read = await timed(() => getRecord(db, pick()));
    if (read.value?.seq == null) throw new Error("a seeded record is not in a batch");
    const nodes = await timed(() => getRecordWithPath(db, pick()));
    const whole = await timed(() => readRecordEvidence(db, pick()));
    getRecordMs += read.ms;
    withPathMs += nodes.ms;
    evidenceMs += whole.ms;
  }
  let next = 0;
  const concurrent = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < calls * 2) await readRecordEvidence(db, pick());
      }),
    ),
  );
  return {
    calls,
    getRecordMs: getRecordMs / calls,
    withPathMs: withPathMs / calls,
    readRecordEvidenceMs: evidenceMs / calls,
    concurrentPerSecond: perSecond(calls * 2, concurrent.ms),
    concurrency,
  };
}
