// kill -9 at random points during ingestion, sealing and anchoring, 20 times: `node
// service/main.ts` on a real PostgreSQL schema and a real chain (this process's), clients
// submitting single records and batch calls concurrently, SIGKILL after a seeded random
// delay, restart, drain. Then nothing acknowledged may be missing or anchored twice, and the
// chain's anchors must be seq 0..n-1 with no gap and no duplicate. CRASH_SEED=<n> replays a run;
// `npm run soak` runs the same trials many more times.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditAnchoring } from "../helpers/anchoring-audit.ts";
import {
  type CrashHarness,
  describeTrial,
  prepareHarness,
  runCrashTrial,
  type ServiceProcess,
  seededRandom,
  summarizeTrials,
  type TrialResult,
} from "../helpers/crash-trials.ts";
import { forPostgres } from "../helpers/databases.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { stopProcess } from "../helpers/processes.ts";

const TRIALS = 20;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));

forPostgres((target) => {
  const random = seededRandom(SEED);
  let chain: TestChain;
  let harness: CrashHarness;
  let dataDir: string;
  let service: ServiceProcess | undefined;
  const results: TrialResult[] = [];

  beforeAll(async () => {
    console.log(`crash trials: seed ${SEED} (replay with CRASH_SEED=${SEED})`);
    chain = await startTestChain();
    const { db, url } = await target.create();
    dataDir = await makeDataDir("en-crash-");
    harness = await prepareHarness({ db, databaseUrl: url as string, chain, dataDir });
  });
  afterAll(async () => {
    if (service !== undefined) await stopProcess(service.child, "SIGKILL");
    await chain?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  for (let trial = 0; trial < TRIALS; trial++) {
    it(`trial ${trial}: kill -9 under load, restart, and the backlog drains`, async () => {
      const outcome = await runCrashTrial(
        harness,
        { trial, random, maxKillDelayMs: 1200, drainTimeoutMs: 20_000 },
        service,
      );
      service = outcome.service;
      const r = outcome.result;
      results.push(r);
      console.log(describeTrial(r));
    });
  }

  it("every acknowledged record is anchored exactly once; the chain has seq 0..n-1, no gap, no duplicate", async () => {
    if (service === undefined) throw new Error("the trials did not leave a running service");
    console.log(summarizeTrials(results));
    expect(harness.acked.size).toBeGreaterThan(TRIALS * 20);
    const report = await auditAnchoring(harness, {
      url: service.url,
      proofSample: harness.acked.size,
      verifySample: 25,
      random,
    });
    console.log(
      `crash audit: ${harness.acked.size} acknowledged, ${report.records} records in ${report.batches} batches, ` +
        `${report.proofsChecked} proofs, ${report.bundlesVerified} bundles verified on chain`,
    );
    expect(report.problems).toEqual([]);
    expect(report.proofsChecked).toBe(harness.acked.size);
    expect(report.bundlesVerified).toBe(25);
    // After all that, the last process still drains and stops cleanly on SIGTERM.
    expect(await stopProcess(service.child, "SIGTERM")).toBe(0);
    service = undefined;
  });
});
