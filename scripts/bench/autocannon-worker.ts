// The load generator, run as its own process by autocannon-run.ts so it never shares an
// event loop with the bench runner or the service:
//   node scripts/bench/autocannon-worker.ts '<AutocannonJob JSON>'
// Prints one JSON line: the summary of the measured run (after a short warm-up run).
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { transactionRecord } from "./load.ts";

export interface AutocannonJob {
  url: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** get: GET `path`; record: POST /v1/records with a fresh id each; proof: GET a proof of an id from idsFile. */
  kind: "get" | "record" | "proof";
  path?: string;
  key?: string;
  idsFile?: string;
}

export interface AutocannonSummary {
  requestsPerSecond: number;
  requests: number;
  /** Requests of the warm-up run before, not counted in the rest. */
  warmupRequests: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

function requestsFor(job: AutocannonJob, run: string): autocannon.Request[] {
  const headers: Record<string, string> = job.key ? { authorization: `Bearer ${job.key}` } : {};
  if (job.kind === "record") {
    let n = 0;
    return [
      {
        method: "POST",
        path: "/v1/records",
        headers: { ...headers, "content-type": "application/json" },
        setupRequest: (req) => {
          const id = `api-${run}-${n++}`;
          return { ...req, body: JSON.stringify({ id, record: transactionRecord(id, n) }) };
        },
      },
    ];
  }
  if (job.kind === "proof") {
    const ids = readFileSync(job.idsFile as string, "utf8")
      .split("\n")
      .filter(Boolean);
    let n = 0;
    return [
      {
        method: "GET",
        headers,
        setupRequest: (req) => {
          n = (n + 7919) % ids.length;
          return { ...req, path: `/v1/records/${encodeURIComponent(ids[n] as string)}/proof` };
        },
      },
    ];
  }
  return [{ method: "GET", path: job.path ?? "/", headers }];
}

async function load(job: AutocannonJob, seconds: number, run: string): Promise<autocannon.Result> {
  return autocannon({
    url: job.url,
    connections: job.connections,
    duration: seconds,
    requests: requestsFor(job, run),
  });
}

const job = JSON.parse(process.argv[2] as string) as AutocannonJob;
const tag = `${process.pid}-${Date.now()}`;
const warmup = job.warmupSeconds > 0 ? await load(job, job.warmupSeconds, `${tag}-w`) : undefined;
const r = await load(job, job.durationSeconds, tag);
const summary: AutocannonSummary = {
  requestsPerSecond: r.requests.average,
  requests: r.requests.total,
  warmupRequests: warmup?.requests.total ?? 0,
  latencyMs: {
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    mean: r.latency.average,
    max: r.latency.max,
  },
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
};
console.log(JSON.stringify(summary));
