// Scale-out: three `node service/main.ts` processes on one PostgreSQL schema and one chain,
// load spread round-robin across them. Exactly one holds the leader lock (seals and
// anchors); kill -9 it under load, and another must take over within 5 seconds, measured from
// the kill to the survivor's "now the leader" log line and to its first anchored batch.
// Every acknowledged record, on any process, is then anchored exactly once, with no seq gap.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditAnchoring } from "../helpers/anchoring-audit.ts";
import {
  type CrashHarness,
  prepareHarness,
  type ServiceProcess,
  seededRandom,
  startLoad,
  startServiceProcess,
  waitForDrain,
} from "../helpers/crash-trials.ts";
import { forPostgres } from "../helpers/databases.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { stopProcess } from "../helpers/processes.ts";

const LEADER_LINE = "this process is now the leader";
const ANCHORED_LINE = '"msg":"anchored batch"';
const TAKEOVER_LIMIT_MS = 5000;
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 32));

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `found` returns a value, or undefined after `timeoutMs`. */
async function pollFor<T>(found: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = found();
    if (value !== undefined || performance.now() > deadline) return value;
    await sleep(10);
  }
}

forPostgres((target) => {
  let chain: TestChain;
  let harness: CrashHarness;
  let dataDir: string;
  let processes: ServiceProcess[] = [];

  beforeAll(async () => {
    console.log(`scale-out: seed ${SEED} (replay with CRASH_SEED=${SEED})`);
    chain = await startTestChain();
    const { db, url } = await target.create();
    dataDir = await makeDataDir("en-scale-");
    harness = await prepareHarness({
      db,
      databaseUrl: url as string,
      chain,
      dataDir,
      env: { BATCH_INTERVAL_MS: "100" },
    });
    processes = await Promise.all([0, 1, 2].map(() => startServiceProcess(harness)));
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => stopProcess(p.child, "SIGKILL")));
    await chain?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("kill -9 the leader under load: another takes over within 5 s and every acknowledged record is anchored once", async () => {
    const random = seededRandom(SEED);
    const leader = await pollFor(() => {
      const leading = processes.filter((p) => occurrences(p.output(), LEADER_LINE) > 0);
      return leading.length > 0 ? leading : undefined;
    }, 10_000);
    expect(leader, "exactly one of the three processes leads").toHaveLength(1);
    const victim = leader?.[0] as ServiceProcess;
    const survivors = processes.filter((p) => p !== victim);

    const load = startLoad(harness, {
      urls: processes.map((p) => p.url),
      workers: 3,
      prefix: "scale",
      random,
    });
    await sleep(1500);
    const ackedBeforeKill = harness.acked.size;
    const anchoredBeforeKill = occurrences(victim.output(), ANCHORED_LINE);

    const killedAt = performance.now();
    await stopProcess(victim.child, "SIGKILL");
    const successor = await pollFor(
      () => survivors.find((p) => occurrences(p.output(), LEADER_LINE) > 0),
      TAKEOVER_LIMIT_MS * 2,
    );
    const takeoverMs = performance.now() - killedAt;
    const anchored = await pollFor(
      () => (successor && occurrences(successor.output(), ANCHORED_LINE) > 0 ? true : undefined),
      TAKEOVER_LIMIT_MS * 2,
    );
    const firstAnchorMs = performance.now() - killedAt;
    await sleep(1000);
    const { calls, failedCalls } = await load.stop();
    console.log(
      `scale-out: leader killed after ${ackedBeforeKill} acknowledged and ${anchoredBeforeKill} batches anchored; ` +
        `takeover in ${Math.round(takeoverMs)} ms, first anchored batch by the new leader ` +
        `${Math.round(firstAnchorMs)} ms after the kill; ${harness.acked.size} acknowledged in ${calls} calls ` +
        `(${failedCalls} failed on the killed process)`,
    );

    expect(successor, "a surviving process became the leader").toBeDefined();
    expect(survivors.filter((p) => occurrences(p.output(), LEADER_LINE) > 0)).toHaveLength(1);
    expect(takeoverMs).toBeLessThan(TAKEOVER_LIMIT_MS);
    expect(anchored, "the new leader anchored a batch").toBe(true);
    expect(firstAnchorMs).toBeLessThan(TAKEOVER_LIMIT_MS);
    expect(anchoredBeforeKill).toBeGreaterThan(0);
    // The survivors kept ingesting after the kill.
    expect(harness.acked.size).toBeGreaterThan(ackedBeforeKill);

    await waitForDrain(harness.db, 20_000);
    const report = await auditAnchoring(harness, {
      url: (successor as ServiceProcess).url,
      proofSample: harness.acked.size,
      verifySample: 10,
      random,
    });
    console.log(
      `scale-out audit: ${report.records} records in ${report.batches} batches, ${report.proofsChecked} proofs, ` +
        `${report.bundlesVerified} bundles verified on chain`,
    );
    expect(report.problems).toEqual([]);
    expect(report.proofsChecked).toBe(harness.acked.size);
  });
});
