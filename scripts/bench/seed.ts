// A service holding `count` anchored records, for the parts that read them (proofs, audit).
import { batchBodies, sendBodies, waitAnchored } from "./load.ts";
import { fmtInt } from "./part.ts";
import { startProgress } from "./progress.ts";
import { type BenchService, startBenchService } from "./service-process.ts";

export const SEED_PREFIX = "seed";

export function seedIds(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `${SEED_PREFIX}-${n}`);
}

/** Starts a service and submits `count` records through the batch API, then waits until all are anchored. */
export async function startSeededService(
  databaseUrl: string,
  count: number,
  log: (line: string) => void,
): Promise<BenchService> {
  const service = await startBenchService(databaseUrl);
  try {
    log(`  seeding ${fmtInt(count)} records through the batch API`);
    const submitted = startProgress("seeded", count, log);
    await sendBodies(service.url, service.key, batchBodies(SEED_PREFIX, count, 10_000), 4, submitted);
    submitted.stop();
    const anchored = startProgress("anchored", count, log);
    await waitAnchored(service.db, SEED_PREFIX, count, 120_000 + count, anchored);
    anchored.stop();
    return service;
  } catch (error) {
    await service.stop();
    throw error;
  }
}
