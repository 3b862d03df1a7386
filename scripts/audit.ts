// `npm run audit -- [--from <seq>] [--to <seq>] [--sample <n> [--seed <n>]]
//                   [--pending-older-than <seconds>] [--json <file>] [--rpc <url>] [--notary <file>]`
//
// Re-verifies sealed batches against the service's database and the chain: every leaf from
// its digest and salt, every root from its leaves, every root and size against the contract,
// each batch's stored transaction and block against the chain (what its bundles carry), the
// seqs for gaps, and flags what stays pending or unanchored too long. The contract and
// chain are the pinned notary profile's (--notary, else NOTARY_PROFILE, else
// DATA_DIR/notary.json; with none, exit 2), never configuration's: the endpoint must serve
// that chain and contract, and every batch must have been sent there. The checks live in
// service/audit/; this file reads arguments, shows progress and prints.
//
// Exit codes: 0 clean; 1 something was found (each finding names its batch and record);
// 2 usage or I/O error (bad option, no notary profile, database or RPC unreachable, an
// endpoint that is not the notary's chain): nothing was decided.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import {
  AuditSourceError,
  loadAuditNotary,
  openAuditChain,
  openAuditDatabase,
} from "../service/audit/audit-sources.ts";
import { formatSummary } from "../service/audit/audit-summary.ts";
import { type AuditProgress, AuditSetupError, runAudit } from "../service/audit/run-audit.ts";
import { ConfigError, loadDotEnv, parseConfig } from "../service/config.ts";
import { ChainUnavailableError } from "../service/core/errors.ts";
import { formatFingerprint } from "../service/core/notary-profile.ts";
import { isUsageError, UsageError } from "./cli/usage-error.ts";

const USAGE = `usage: npm run audit -- [--from <seq>] [--to <seq>] [--sample <n> [--seed <n>]]
                      [--pending-older-than <seconds>] [--json <file>|-] [--rpc <url>] [--notary <notary.json>]
Reads DATABASE_URL (else the PGlite database in DATA_DIR) and the chain at --rpc, CHAIN_RPC_URL
or the local chain on CHAIN_PORT, pinned to the notary profile --notary (else NOTARY_PROFILE,
else DATA_DIR/notary.json). Exit 0 clean, 1 findings, 2 usage or I/O error.`;
const DEFAULT_PENDING_SECONDS = 300;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: "string" },
      to: { type: "string" },
      sample: { type: "string" },
      seed: { type: "string" },
      "pending-older-than": { type: "string" },
      json: { type: "string" },
      rpc: { type: "string" },
      notary: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}\n${USAGE}`);
  const from = integerOption("--from", values.from, 0);
  const to = integerOption("--to", values.to, 0);
  if (from !== undefined && to !== undefined && to < from)
    throw new UsageError("--to must not be below --from");
  const sample = integerOption("--sample", values.sample, 1);
  const seed = integerOption("--seed", values.seed, 0) ?? Math.floor(Math.random() * 2 ** 31);
  const pendingOlderThanSeconds =
    integerOption("--pending-older-than", values["pending-older-than"], 0) ?? DEFAULT_PENDING_SECONDS;
  if (values.rpc !== undefined && !/^https?:\/\//.test(values.rpc)) {
    throw new UsageError(`--rpc must be an http:// or https:// URL, got ${values.rpc}`);
  }

  loadDotEnv();
  const config = parseConfig(process.env);
  const pinned = await loadAuditNotary(config, values.notary); // without a trust root, decide nothing
  // Then the database, before the chain: on PGlite, whether the service has it open decides the rest.
  const { db, description } = await openAuditDatabase(config);
  try {
    const chain = openAuditChain(config, { rpcUrl: values.rpc, notary: pinned.profile });
    try {
      const progress = progressReporter();
      let report: Awaited<ReturnType<typeof runAudit>>;
      try {
        report = await runAudit({
          db,
          chain: chain.reader,
          notary: pinned.profile,
          from,
          to,
          sample,
          seed,
          pendingOlderThanSeconds,
          onProgress: progress.update,
        });
      } finally {
        progress.stop();
      }
      const summary = [
        `Notary: ${report.notary.name}`,
        `  profile ${pinned.path}${pinned.fromDefault ? " (NOTARY_PROFILE or DATA_DIR's, since no --notary was given)" : ""}`,
        `  fingerprint ${formatFingerprint(report.notary.fingerprint)}`,
        "  compare this fingerprint with the one the notary publishes: it is what makes the audit independent",
        "",
        formatSummary(report),
      ].join("\n");
      const json = `${JSON.stringify({ database: description, rpc: new URL(chain.rpcUrl).origin, notaryProfile: pinned.path, ...report }, null, 2)}\n`;
      if (values.json === "-") {
        console.error(summary);
        process.stdout.write(json);
      } else {
        console.log(summary);
        if (values.json !== undefined) {
          try {
            await writeFile(values.json, json);
          } catch (error) {
            throw new AuditSourceError(
              `cannot write the report to ${values.json}: ${(error as Error).message}`,
            );
          }
          console.log(`JSON report: ${values.json}`);
        }
      }
      return report.ok ? 0 : 1;
    } finally {
      chain.reader.destroy();
    }
  } finally {
    await db.close();
  }
}

function integerOption(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${name} must be an integer of at least ${min}, got "${raw}"`);
  }
  return n;
}

/** A bar on a terminal; elsewhere (cron, CI, a pipe) a plain line every few seconds and at the end. */
function progressReporter(): { update: (p: AuditProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: "auditing |{bar}| {value}/{total} batches | {records} records | ETA {eta_formatted}",
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update: (p) => {
        if (!started) {
          bar.start(p.batchesTotal, p.batchesDone, { records: p.records });
          started = true;
        } else bar.update(p.batchesDone, { records: p.records });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (p) => {
      const now = Date.now();
      if (p.batchesDone !== p.batchesTotal && now - last < 2000) return;
      last = now;
      console.error(`audit: ${p.batchesDone}/${p.batchesTotal} batches, ${p.records} records`);
    },
    stop: () => {},
  };
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (isUsageError(error)) {
    console.error((error as Error).message);
  } else if (
    error instanceof ConfigError ||
    error instanceof AuditSourceError ||
    error instanceof AuditSetupError
  ) {
    console.error(`audit could not run (nothing was decided): ${(error as Error).message}`);
  } else if (error instanceof ChainUnavailableError) {
    console.error(
      `audit could not read the chain (nothing was decided): ${error.message}. ` +
        "Pass --rpc, set CHAIN_RPC_URL, or start the local chain (npm run chain).",
    );
  } else {
    console.error(`audit failed (nothing was decided): ${(error as Error).stack ?? error}`);
  }
  process.exitCode = 2;
}
