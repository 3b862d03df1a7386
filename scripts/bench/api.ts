// Part 4: POST /v1/records, one record per request (202 after commit), at a fixed number of
// connections, with autocannon in its own process; and a Fastify hello-world, also in its
// own process, under the same load as the reference ceiling of this machine.
import { rm } from "node:fs/promises";
import { makeDataDir } from "../../test/helpers/local-chain.ts";
import type { AutocannonSummary } from "./autocannon-worker.ts";
import { medianCommitMs } from "./commit-latency.ts";
import { describeProfile, summarizeProfile } from "./cpu-profile.ts";
import { fmtCpu, helloWorld, measuredLoad } from "./hello-world.ts";
import { type BenchPart, fmtInt, fmtMiB, target } from "./part.ts";
import { startBenchService } from "./service-process.ts";

export const API_CONNECTIONS = 50;

export function warmupSeconds(duration: number): number {
  return Math.min(3, Math.ceil(duration / 5));
}

export function latencyRow(name: string, s: AutocannonSummary): string[] {
  return [
    name,
    fmtInt(s.requestsPerSecond),
    `${s.latencyMs.p50} ms`,
    `${s.latencyMs.p99} ms`,
    fmtInt(s.requests),
    `${s.non2xx} / ${s.errors + s.timeouts}`,
  ];
}

export const LATENCY_COLUMNS = ["server", "req/s", "p50", "p99", "requests", "non-2xx / errors"];

export const apiPart: BenchPart = {
  name: "api",
  title: "Single-record API at fixed concurrency",
  size: { meaning: "seconds of load per server", full: 15, quick: 3 },
  async run({ size, databaseUrl, profile, log }) {
    const job = { connections: API_CONNECTIONS, durationSeconds: size, warmupSeconds: warmupSeconds(size) };
    log(`  Fastify hello-world: ${size} s at ${API_CONNECTIONS} connections`);
    const hello = await helloWorld(job);
    const ceiling = hello.summary;
    const profileDir = profile ? await makeDataDir("en-bench-prof-") : undefined;
    const service = await startBenchService(databaseUrl, profileDir === undefined ? {} : { profileDir });
    let ours: AutocannonSummary;
    let oursCpu: number | null;
    let oursPostgres: number | null;
    let peakRss: number | null;
    let commitMs: { one: number; full: number };
    try {
      log(`  POST /v1/records: ${size} s at ${API_CONNECTIONS} connections`);
      const measured = await measuredLoad(service.child.pid as number, {
        ...job,
        url: service.url,
        kind: "record",
        key: service.key,
      });
      ours = measured.summary;
      oursCpu = measured.cpuUsPerRequest;
      oursPostgres = measured.postgresUsPerRequest;
      peakRss = await service.peakRssBytes();
      log("  commit latency of one group, from this process");
      commitMs = {
        one: await medianCommitMs(service.db, 1, 20),
        full: await medianCommitMs(service.db, API_CONNECTIONS, 20),
      };
    } finally {
      await service.stop();
    }
    let cpu: Array<{ where: string; percent: number }> | null = null;
    if (profileDir !== undefined) {
      cpu = await summarizeProfile(profileDir);
      await rm(profileDir, { recursive: true, force: true });
    }
    const met = ours.requestsPerSecond >= 10_000 && ours.latencyMs.p99 <= 25 && ours.non2xx === 0;
    const share = ours.requestsPerSecond / ceiling.requestsPerSecond;
    return {
      columns: LATENCY_COLUMNS,
      rows: [
        latencyRow("POST /v1/records (ours, 202 after commit)", ours),
        latencyRow("Fastify hello-world GET / (ceiling)", ceiling),
      ],
      targets: [
        target(
          "≥ 10,000 req/s at p99 ≤ 25 ms",
          "≥ 10,000/s, p99 ≤ 25 ms",
          `${fmtInt(ours.requestsPerSecond)}/s, p99 ${ours.latencyMs.p99} ms`,
          met,
        ),
        target(
          "POST /v1/records ≥ 25% of the Fastify hello-world, same run",
          "≥ 25%",
          `${(100 * share).toFixed(0)}%`,
          share >= 0.25 && ours.non2xx === 0,
        ),
      ],
      notes: [
        `${API_CONNECTIONS} connections, no pipelining, ${job.warmupSeconds} s warm-up not counted; autocannon runs in its own process, on the same 2 cores as the server.`,
        `CPU time per request (from /proc, warm-up included): the service process ${fmtCpu(oursCpu)} and PostgreSQL's processes ${fmtCpu(oursPostgres)}, against ${fmtCpu(hello.cpuUsPerRequest)} for the hello-world, which shares the 2 cores with autocannon only.`,
        `Where the time goes: the ingestor commits one group at a time, and with ${API_CONNECTIONS} connections a group holds at most ${API_CONNECTIONS} records. One commit of 1 row takes ${commitMs.one.toFixed(1)} ms and of ${API_CONNECTIONS} rows ${commitMs.full.toFixed(1)} ms (median, service idle, measured from the bench process), so commits alone allow at most about ${fmtInt((API_CONNECTIONS * 1000) / commitMs.full)} req/s at this concurrency; the measured p50 of ${ours.latencyMs.p50} ms is that commit plus queueing for the previous one plus the request's own CPU (auth, validation, JCS, two hashes, JSON).`,
        ...(cpu === null
          ? []
          : [
              `Where the service's CPU went (--profile; busy time over the process's life, start-up included): ${describeProfile(cpu)}.`,
            ]),
        `Service peak RSS over this part: ${peakRss === null ? "n/a" : fmtMiB(peakRss)}.`,
      ],
      data: {
        connections: API_CONNECTIONS,
        seconds: size,
        ours,
        helloWorld: ceiling,
        cpuUsPerRequest: { ours: oursCpu, postgres: oursPostgres, helloWorld: hello.cpuUsPerRequest },
        peakRssBytes: peakRss,
        commitMs,
        cpuProfile: cpu,
      },
    };
  },
};
