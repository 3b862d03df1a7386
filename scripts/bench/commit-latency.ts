// Where a single-record request's time goes: the ingestor commits one group at a time (one
// appendEntries statement, its own transaction), so with C connections each waiting for its
// own record, the service cannot answer faster than about C records per commit time.
// Measured from the bench process with the service's own appendEntries on its schema.
import { randomBytes } from "node:crypto";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, type NewRecord } from "../../service/db/log.ts";

function rows(prefix: string, count: number): NewRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    digest: new Uint8Array(randomBytes(32)),
    salt: new Uint8Array(randomBytes(32)),
    leaf: new Uint8Array(randomBytes(32)),
  }));
}

/** Median milliseconds of one appendEntries commit of `groupSize` rows, over `samples` commits. */
export async function medianCommitMs(db: Database, groupSize: number, samples: number): Promise<number> {
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const group = rows(`commit-probe-${groupSize}-${s}-${Date.now()}`, groupSize);
    const start = performance.now();
    await appendEntries(db, group);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}
