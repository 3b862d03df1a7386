// The service under load: `node service/main.ts` as a child process (its own event loop),
// on a scratch PostgreSQL schema, with its own DATA_DIR, PORT and CHAIN_PORT (the local
// chain runs inside the service process, as with `npm start`). Peak RSS is read from the
// kernel (VmHWM), so it covers the whole life of the process.

import type { ChildProcess } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { notaryProfilePath, readNotaryProfileFile } from "../../service/chain/notary-file.ts";
import type { NotaryProfile } from "../../service/core/notary-profile.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { makeDataDir } from "../../test/helpers/local-chain.ts";
import { createPostgresSchema } from "../../test/helpers/postgres-schema.ts";
import { startScript, stopProcess } from "../../test/helpers/processes.ts";

export interface BenchService {
  url: string;
  chainUrl: string;
  chainId: number;
  contract: `0x${string}`;
  /** The service's notary profile (DATA_DIR/notary.json), to pin when verifying its bundles. */
  notary: NotaryProfile;
  /** The admin key: passes every role check, so one key serves the submitter and the reader. */
  key: string;
  child: ChildProcess;
  /** A pool on the scratch schema, for seeding checks and latency queries. */
  db: ReturnType<typeof openPostgres>;
  databaseUrl: string;
  /** Peak resident set size of the service process so far, in bytes (Linux /proc). */
  peakRssBytes(): Promise<number | null>;
  /** CPU time (user + system) the service process has used so far, in ms (Linux /proc). */
  cpuMs(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Service settings for every bench: no per-key rate limit, warnings-only logging. */
export const BENCH_ENV = {
  RATE_LIMIT_PER_MINUTE: "100000000",
  LOG_LEVEL: "warn",
};

async function statusKb(pid: number, field: string): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** CPU time (utime + stime) of process `pid` so far, in ms; null where /proc cannot tell. */
export async function processCpuMs(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * CPU time of every PostgreSQL process on this machine so far, in ms (null where /proc cannot
 * tell): a local server's share of a run is the difference. Processes that exit in between
 * take their share with them, so read it around work whose sessions stay open.
 */
export async function postgresCpuMs(): Promise<number | null> {
  try {
    let total = 0;
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
      if (!stat.includes("(postgres)")) continue;
      total += (await processCpuMs(Number(entry))) ?? 0;
    }
    return total;
  } catch {
    return null;
  }
}

export interface BenchServiceOptions {
  /** Run the service under --cpu-prof and write its profile here when it stops. */
  profileDir?: string;
  /** A schema (a URL reaching it) that already holds data; default a new scratch schema. Not dropped at stop. */
  schema?: { url: string };
  /** A data folder to use and keep (its local chain with it), e.g. for a second start on the same schema; default a new one, removed at stop. */
  dataDir?: string;
  /** More environment for the service. */
  env?: Record<string, string>;
}

export async function startBenchService(
  databaseUrl: string,
  options: BenchServiceOptions = {},
): Promise<BenchService> {
  const { profileDir } = options;
  const env: Record<string, string> = {
    ...(profileDir === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` }),
    ...options.env,
  };
  const schema = options.schema
    ? { url: options.schema.url, drop: async () => {} }
    : await createPostgresSchema(databaseUrl, "bench");
  if (options.schema) {
    // A new data folder: let the service make its first admin key there again.
    const existing = openPostgres(schema.url, { max: 1 });
    await existing.exec("TRUNCATE api_keys").finally(() => existing.close());
  }
  const dataDir = options.dataDir ?? (await makeDataDir("en-bench-"));
  const removeDataDir = () =>
    options.dataDir === undefined ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve();
  let started: Awaited<ReturnType<typeof startScript>>;
  try {
    started = await startScript(
      "service/main.ts",
      {
        DATABASE_URL: schema.url,
        DATA_DIR: dataDir,
        HOST: "127.0.0.1",
        PORT: "0",
        CHAIN_PORT: "0",
        ...BENCH_ENV,
        ...env,
      },
      /EvidenceAnchor:\s+(0x[0-9a-f]{40})/,
    );
  } catch (error) {
    await schema.drop();
    await removeDataDir();
    throw error;
  }
  const out = started.output();
  const url = out.match(/listening on (http:\/\/\S+)/)?.[1];
  const chain = out.match(/chain:\s+(http:\/\/\S+) \(chain id (\d+)/);
  if (url === undefined || chain === null) throw new Error(`unexpected service start-up output:\n${out}`);
  const key = (await readFile(join(dataDir, "admin.key"), "utf8")).trim();
  const notary = await readNotaryProfileFile(notaryProfilePath(dataDir));
  if (notary === undefined) throw new Error(`the service wrote no notary profile in ${dataDir}`);
  if (options.dataDir !== undefined) await rm(join(dataDir, "admin.key"), { force: true });
  const db = openPostgres(schema.url, { max: 4 });
  const pid = started.child.pid as number;
  return {
    url,
    chainUrl: chain[1] as string,
    chainId: Number(chain[2]),
    contract: started.match[1] as `0x${string}`,
    notary,
    key,
    child: started.child,
    db,
    databaseUrl: schema.url,
    peakRssBytes: () => statusKb(pid, "VmHWM"),
    cpuMs: () => processCpuMs(pid),
    async stop() {
      const kill = setTimeout(() => started.child.kill("SIGKILL"), 60_000);
      const code = await stopProcess(started.child, "SIGTERM");
      clearTimeout(kill);
      if (code !== 0)
        console.error(`service exited with ${code} on SIGTERM:\n${started.output().slice(-2000)}`);
      await db.close();
      await schema.drop();
      await removeDataDir();
    },
  };
}
