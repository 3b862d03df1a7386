// Crash trials: `node service/main.ts` as a child process on one PostgreSQL schema and one
// chain (started by the caller, reached through CHAIN_RPC_URL), clients submitting records
// concurrently, `kill -9` after a seeded random delay, a restart, and a drain. Shared by
// test/reliability/crash.test.ts, test/reliability/scale-out.test.ts and scripts/soak.ts;
// the invariants are checked by auditAnchoring (anchoring-audit.ts).
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { JsonRpcProvider } from "ethers";
import type { EvidenceAnchorContract } from "../../service/chain/anchor-contract.ts";
import type { Deployment } from "../../service/chain/deployment.ts";
import type { NotaryProfile } from "../../service/core/notary-profile.ts";
import type { Database } from "../../service/db/database.ts";
import { createApiKey } from "../../service/keys/api-keys.ts";
import type { TestChain } from "./local-chain.ts";
import { startScript, stopProcess } from "./processes.ts";

/**
 * The chain the service anchors on, as the audit reads it: the local chain (a TestChain) or a
 * chain that is not ours (a standalone node).
 */
export interface ChainUnderTest {
  provider: JsonRpcProvider;
  anchor: EvidenceAnchorContract;
  chain: { url: string; deployment: Pick<Deployment, "contract" | "chainId">; notary: NotaryProfile };
}

/** Everything the trials share: one schema, one chain, one set of keys, the acknowledged ids. */
export interface CrashHarness {
  /** A pool on the schema, for the drain and the audit. */
  db: Database;
  env: Record<string, string>;
  keys: { submitter: string; reader: string };
  chain: ChainUnderTest;
  /** Every id the service answered 202 for (created or duplicate). */
  acked: Set<string>;
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/** Seeded PRNG: the same seed replays the same kill delays and submissions. */
export { mulberry32 as seededRandom } from "../../service/audit/select-batches.ts";

/**
 * Creates the submitter and reader keys on a migrated schema (so no child process creates
 * an admin key) and the environment every service process gets.
 */
export async function prepareHarness(options: {
  db: Database;
  databaseUrl: string;
  chain: TestChain;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<CrashHarness> {
  const { db, chain } = options;
  const submitter = (await createApiKey(db, "submitter", "crash trials")).key;
  const reader = (await createApiKey(db, "reader", "crash trials")).key;
  return {
    db,
    chain,
    keys: { submitter, reader },
    acked: new Set(),
    env: {
      DATABASE_URL: options.databaseUrl,
      CHAIN_RPC_URL: chain.chain.url,
      ANCHOR_CONTRACT: chain.chain.deployment.contract,
      // The local chain's operator (admin and anchorer of the contract), created by startLocalChain.
      ANCHOR_KEY_FILE: join(chain.dataDir, "anchorer.key"),
      NOTARY_PROFILE: join(chain.dataDir, "notary.json"),
      DATA_DIR: options.dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      // Short, so that kills land while batches are being sealed and anchored.
      BATCH_INTERVAL_MS: "50",
      MAX_BATCH: "300",
      // A process killed between recording a transaction hash and broadcasting it leaves a
      // "sent" batch; its successor waits this long for that receipt before re-sending.
      ANCHOR_TIMEOUT_MS: "1500",
      LOG_LEVEL: "info",
      ...options.env,
    },
  };
}

export async function startServiceProcess(harness: CrashHarness): Promise<ServiceProcess> {
  const started = await startScript("service/main.ts", harness.env, /listening on (http:\/\/\S+)/);
  return { url: started.match[1] as string, child: started.child, output: started.output };
}

/** The record submitted under `id`: derived from the id, so an audit can rebuild it. */
export function recordFor(id: string): Record<string, string> {
  return { kind: "crash-trial", id, amount: `${id.length}.00`, currency: "EUR" };
}

export interface LoadOptions {
  /** Service URLs, used round-robin; a URL whose process died is skipped once it fails. */
  urls: string[];
  workers: number;
  /** Prefix of every id, unique per load run. */
  prefix: string;
  random: () => number;
  /** Each worker pauses about this long between calls (0 to twice it), to bound the volume. */
  paceMs?: number;
}

export interface Load {
  /** Stops submitting and resolves when every worker has finished its current call. */
  stop(): Promise<{ calls: number; failedCalls: number }>;
}

/**
 * Starts `workers` concurrent clients, each submitting in a loop: a single record or a batch
 * call of 2 to 20 records, each about half the time. Every id acknowledged with 202 goes
 * into `harness.acked`. Network errors (the process was killed) are counted, never retried.
 */
export function startLoad(harness: CrashHarness, options: LoadOptions): Load {
  let stopped = false;
  let calls = 0;
  let failedCalls = 0;
  let next = 0;
  const dead = new Set<string>();
  const pickUrl = (): string | undefined => {
    const alive = options.urls.filter((u) => !dead.has(u));
    return alive.length === 0 ? undefined : alive[next++ % alive.length];
  };
  const worker = async (w: number) => {
    for (let n = 0; !stopped; n++) {
      const url = pickUrl();
      if (url === undefined) return;
      const batch = options.random() < 0.5;
      const size = batch ? 2 + Math.floor(options.random() * 19) : 1;
      const ids = Array.from({ length: size }, (_, i) => `${options.prefix}-w${w}-${n}-${i}`);
      const items = ids.map((id) => ({ id, record: recordFor(id) }));
      calls++;
      try {
        const res = await fetch(batch ? `${url}/v1/records/batch` : `${url}/v1/records`, {
          method: "POST",
          headers: { authorization: `Bearer ${harness.keys.submitter}`, "content-type": "application/json" },
          body: JSON.stringify(batch ? { records: items } : items[0]),
          signal: AbortSignal.timeout(15_000),
        });
        const body = (await res.json()) as {
          id?: string;
          results?: Array<{ id: string; status: string }>;
        };
        if (res.status !== 202) failedCalls++;
        else if (batch) {
          for (const r of body.results ?? []) if (r.status !== "conflict") harness.acked.add(r.id);
        } else if (body.id !== undefined) harness.acked.add(body.id);
      } catch {
        failedCalls++;
        dead.add(url);
      }
      const pause = Math.floor(options.random() * 2 * (options.paceMs ?? 15));
      if (pause > 0 && !stopped) await new Promise((r) => setTimeout(r, pause));
    }
  };
  const running = Array.from({ length: options.workers }, (_, w) => worker(w));
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(running);
      return { calls, failedCalls };
    },
  };
}

async function unfinishedWork(db: Database): Promise<TrialResult["atKill"]> {
  const [row] = await db.query<TrialResult["atKill"]>(
    `SELECT (SELECT next_index FROM log_state) - coalesce((SELECT max(first_index + size) FROM batches), 0) AS pending,
            (SELECT count(*) FROM batches WHERE state = 'sealed') AS sealed,
            (SELECT count(*) FROM batches WHERE state = 'sent') AS sent`,
  );
  return row ?? { pending: 0, sealed: 0, sent: 0 };
}

/** Waits until nothing is pending and every batch is anchored; throws with the counts on timeout. */
export async function waitForDrain(db: Database, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.query<{ pending: number; unanchored: number }>(
      `SELECT (SELECT next_index FROM log_state) - coalesce((SELECT max(first_index + size) FROM batches), 0) AS pending,
              (SELECT count(*) FROM batches WHERE state <> 'anchored') AS unanchored`,
    );
    if (row !== undefined && row.pending === 0 && row.unanchored === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `not drained after ${timeoutMs} ms: ${row?.pending} records pending, ${row?.unanchored} batches unanchored`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TrialResult {
  trial: number;
  killAfterMs: number;
  /** Ids acknowledged during this trial. */
  acked: number;
  calls: number;
  /** The drain after the restart, in ms. */
  drainMs: number;
  /** What the killed process left behind: records not yet sealed, batches sealed or sent but not anchored. */
  atKill: { pending: number; sealed: number; sent: number };
}

/**
 * One trial on the running `service` (started here when undefined): load, `kill -9` after a
 * random delay of up to `maxKillDelayMs`, restart, drain. Returns the restarted process,
 * which the next trial kills.
 */
export async function runCrashTrial(
  harness: CrashHarness,
  options: { trial: number; random: () => number; maxKillDelayMs: number; drainTimeoutMs: number },
  service?: ServiceProcess,
): Promise<{ result: TrialResult; service: ServiceProcess }> {
  const victim = service ?? (await startServiceProcess(harness));
  const before = harness.acked.size;
  const killAfterMs = Math.floor(options.random() * options.maxKillDelayMs);
  const load = startLoad(harness, {
    urls: [victim.url],
    workers: 3,
    prefix: `t${options.trial}`,
    random: options.random,
  });
  // About a third of the kills come just after the load stops, while the tail is being
  // sealed and anchored with no ingestion going on.
  const quietMs = options.random() < 0.3 ? Math.floor(options.random() * 150) : 0;
  await new Promise((r) => setTimeout(r, Math.max(0, killAfterMs - quietMs)));
  const stopping = quietMs > 0 ? load.stop() : undefined;
  if (stopping !== undefined) await new Promise((r) => setTimeout(r, quietMs));
  await stopProcess(victim.child, "SIGKILL");
  const { calls } = await (stopping ?? load.stop());
  const atKill = await unfinishedWork(harness.db);
  const restarted = await startServiceProcess(harness);
  const drainStarted = Date.now();
  try {
    await waitForDrain(harness.db, options.drainTimeoutMs);
  } catch (error) {
    await stopProcess(restarted.child, "SIGKILL");
    throw new Error(
      `${(error as Error).message}\n--- restarted service output:\n${restarted.output().slice(-4000)}`,
    );
  }
  return {
    result: {
      trial: options.trial,
      killAfterMs,
      acked: harness.acked.size - before,
      calls,
      drainMs: Date.now() - drainStarted,
      atKill,
    },
    service: restarted,
  };
}

export function describeTrial(r: TrialResult): string {
  return (
    `trial ${r.trial}: killed after ${r.killAfterMs} ms (left ${r.atKill.pending} pending, ` +
    `${r.atKill.sealed} sealed and ${r.atKill.sent} sent batches), ${r.acked} acknowledged in ` +
    `${r.calls} calls, drained in ${r.drainMs} ms after the restart`
  );
}

/** Where the kills landed: how many left unsealed records, sealed batches, sent transactions. */
export function summarizeTrials(results: TrialResult[]): string {
  const count = (f: (r: TrialResult) => boolean) => results.filter(f).length;
  const acked = results.reduce((sum, r) => sum + r.acked, 0);
  const slowest = Math.max(0, ...results.map((r) => r.drainMs));
  return (
    `${results.length} kills: ${count((r) => r.atKill.pending > 0)} left records unsealed, ` +
    `${count((r) => r.atKill.sealed > 0)} left a sealed batch unanchored, ` +
    `${count((r) => r.atKill.sent > 0)} left a sent transaction unconfirmed; ` +
    `${acked} records acknowledged; slowest drain ${slowest} ms`
  );
}
