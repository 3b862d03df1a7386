// The reference every HTTP part is measured against in the same run: a Fastify hello-world
// (scripts/bench/hello-server.ts) in its own process, under the same autocannon load, with
// the CPU time it spent per request read from /proc. And the same CPU reading for any server.

import { startScript, stopProcess } from "../../test/helpers/processes.ts";
import { runAutocannon } from "./autocannon-run.ts";
import type { AutocannonJob, AutocannonSummary } from "./autocannon-worker.ts";
import { postgresCpuMs, processCpuMs } from "./service-process.ts";

export interface MeasuredLoad {
  summary: AutocannonSummary;
  /** CPU time of the server process per request (warm-up included on both sides), in µs; null where /proc cannot tell. */
  cpuUsPerRequest: number | null;
  /** CPU time of this machine's PostgreSQL processes per request, in µs. */
  postgresUsPerRequest: number | null;
}

/** Runs `job` against the server of process `pid`, reading its CPU time before and after. */
export async function measuredLoad(pid: number, job: AutocannonJob): Promise<MeasuredLoad> {
  const [before, pgBefore] = [await processCpuMs(pid), await postgresCpuMs()];
  const summary = await runAutocannon(job);
  const [after, pgAfter] = [await processCpuMs(pid), await postgresCpuMs()];
  const requests = summary.requests + summary.warmupRequests;
  const per = (from: number | null, to: number | null) =>
    from === null || to === null || requests === 0 ? null : ((to - from) * 1000) / requests;
  return { summary, cpuUsPerRequest: per(before, after), postgresUsPerRequest: per(pgBefore, pgAfter) };
}

/** The hello-world under `job` (its url and kind are set here). */
export async function helloWorld(job: Omit<AutocannonJob, "url" | "kind">): Promise<MeasuredLoad> {
  const hello = await startScript("scripts/bench/hello-server.ts", {}, /listening on (http:\/\/\S+)/);
  try {
    return await measuredLoad(hello.child.pid as number, {
      ...job,
      url: hello.match[1] as string,
      kind: "get",
      path: "/",
    });
  } finally {
    await stopProcess(hello.child);
  }
}

export function fmtCpu(us: number | null): string {
  return us === null ? "n/a" : `${us.toFixed(0)} µs`;
}
