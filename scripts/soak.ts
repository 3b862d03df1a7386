// `npm run soak -- [--trials N] [--seed S] [--database-url URL] [--keep]`
//
// The crash trials of test/reliability/crash.test.ts, many more times, for a long run outside
// CI: `node service/main.ts` on a fresh PostgreSQL schema and a local chain started here,
// clients submitting concurrently, kill -9 after a seeded random delay, restart, drain; an
// audit every 25 trials and a full one at the end (every acknowledged record anchored exactly
// once with GET /proof 200, bundles verified on the chain, anchors seq 0..n-1 with no gap and
// no duplicate). The trial and audit logic is shared with the test (test/helpers/).
//
// Exit codes: 0 every audit passed; 1 a promise was broken (the problems are printed and the
// schema is kept for inspection); 2 usage error or the set-up failed.
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { migrate } from "../service/db/migrate.ts";
import { openPostgres } from "../service/db/postgres.ts";
import { type AuditReport, auditAnchoring } from "../test/helpers/anchoring-audit.ts";
import {
  type CrashHarness,
  describeTrial,
  prepareHarness,
  runCrashTrial,
  type ServiceProcess,
  seededRandom,
  summarizeTrials,
  type TrialResult,
} from "../test/helpers/crash-trials.ts";
import { makeDataDir, startTestChain } from "../test/helpers/local-chain.ts";
import { createPostgresSchema } from "../test/helpers/postgres-schema.ts";
import { stopProcess } from "../test/helpers/processes.ts";

const USAGE =
  "usage: npm run soak -- [--trials N (default 100)] [--seed S] [--database-url postgres://…] [--keep]";
const AUDIT_EVERY = 25;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      trials: { type: "string" },
      seed: { type: "string" },
      "database-url": { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const trials = positiveInt("trials", values.trials, 100);
  const seed = positiveInt("seed", values.seed, 1 + Math.floor(Math.random() * (2 ** 32 - 1)));
  const baseUrl =
    values["database-url"] ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const random = seededRandom(seed);
  console.log(`soak: ${trials} crash trials, seed ${seed} (replay with --seed ${seed})`);

  const schema = await createPostgresSchema(baseUrl, "soak");
  const db = openPostgres(schema.url, { max: 4 });
  const chain = await startTestChain();
  const dataDir = await makeDataDir("en-soak-");
  let service: ServiceProcess | undefined;
  let broken = false;
  const started = Date.now();
  try {
    await migrate(db);
    const harness = await prepareHarness({ db, databaseUrl: schema.url, chain, dataDir });
    const results: TrialResult[] = [];
    for (let trial = 0; trial < trials; trial++) {
      let outcome: Awaited<ReturnType<typeof runCrashTrial>>;
      try {
        outcome = await runCrashTrial(
          harness,
          { trial, random, maxKillDelayMs: 1500, drainTimeoutMs: 60_000 },
          service,
        );
      } catch (error) {
        // A restart that never drains is a broken promise too (stuck, or crash-looping).
        console.log(`[${trial + 1}/${trials}] ✘ ${(error as Error).message}`);
        service = undefined;
        broken = true;
        break;
      }
      service = outcome.service;
      results.push(outcome.result);
      console.log(`[${trial + 1}/${trials}] ${describeTrial(outcome.result)}`);
      const last = trial === trials - 1;
      if (last || (trial + 1) % AUDIT_EVERY === 0) {
        const report = await audit(harness, service, random, last);
        if (report.problems.length > 0) {
          broken = true;
          break;
        }
      }
    }
    console.log(summarizeTrials(results));
    if (!broken && service !== undefined) {
      const code = await stopProcess(service.child, "SIGTERM");
      service = undefined;
      if (code !== 0) {
        console.log(`the last service process did not stop cleanly on SIGTERM (exit ${code})`);
        broken = true;
      }
    }
  } finally {
    if (service !== undefined) await stopProcess(service.child, "SIGKILL");
    await chain.stop();
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
    if (broken || values.keep) console.log(`soak: schema kept for inspection: ${schema.url}`);
    else await schema.drop();
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(broken ? `soak: FAILED after ${minutes} min (seed ${seed})` : `soak: passed in ${minutes} min`);
  return broken ? 1 : 0;
}

/** A sampled audit along the way, a full one (a proof for every acknowledged id) at the end. */
async function audit(
  harness: CrashHarness,
  service: ServiceProcess,
  random: () => number,
  full: boolean,
): Promise<AuditReport> {
  const report = await auditAnchoring(harness, {
    url: service.url,
    proofSample: full ? harness.acked.size : 500,
    verifySample: full ? 50 : 10,
    random,
  });
  console.log(
    `audit: ${harness.acked.size} acknowledged, ${report.records} records in ${report.batches} batches, ` +
      `${report.proofsChecked} proofs, ${report.bundlesVerified} bundles verified on chain: ` +
      (report.problems.length === 0 ? "all promises kept" : `${report.problems.length} PROBLEMS`),
  );
  for (const problem of report.problems) console.log(`  ✘ ${problem}`);
  return report;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${(error as Error).message}`);
    process.exit(2);
  },
);
