// Part 4: POST /v1/records, one record per request (202 after commit), at a fixed number of
// connections, with autocannon in its own process; and a Fastify hello-world, also in its
// own process, under the same load as the reference ceiling of this machine.
import { startScript, stopProcess } from "../../test/helpers/processes.ts";
import { runAutocannon } from "./autocannon-run.ts";
import type { AutocannonSummary } from "./autocannon-worker.ts";
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
  async run({ size, databaseUrl, log }) {
    const job = { connections: API_CONNECTIONS, durationSeconds: size, warmupSeconds: warmupSeconds(size) };
    const hello = await startScript("scripts/bench/hello-server.ts", {}, /listening on (http:\/\/\S+)/);
    let ceiling: AutocannonSummary;
    try {
      log(`  Fastify hello-world: ${size} s at ${API_CONNECTIONS} connections`);
      ceiling = await runAutocannon({ ...job, url: hello.match[1] as string, kind: "get", path: "/" });
    } finally {
      await stopProcess(hello.child);
    }
    const service = await startBenchService(databaseUrl);
    let ours: AutocannonSummary;
    let peakRss: number | null;
    try {
      log(`  POST /v1/records: ${size} s at ${API_CONNECTIONS} connections`);
      ours = await runAutocannon({ ...job, url: service.url, kind: "record", key: service.key });
      peakRss = await service.peakRssBytes();
    } finally {
      await service.stop();
    }
    const met = ours.requestsPerSecond >= 10_000 && ours.latencyMs.p99 <= 25 && ours.non2xx === 0;
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
          `${fmtInt(ours.requestsPerSecond)}/s, p99 ${ours.latencyMs.p99} ms (${fmtInt((100 * ours.requestsPerSecond) / ceiling.requestsPerSecond)}% of the hello-world ceiling)`,
          met,
        ),
      ],
      notes: [
        `${API_CONNECTIONS} connections, no pipelining, ${job.warmupSeconds} s warm-up not counted; autocannon runs in its own process, on the same 2 cores as the server.`,
        `Service peak RSS over this part: ${peakRss === null ? "n/a" : fmtMiB(peakRss)}.`,
      ],
      data: { connections: API_CONNECTIONS, seconds: size, ours, helloWorld: ceiling, peakRssBytes: peakRss },
    };
  },
};
