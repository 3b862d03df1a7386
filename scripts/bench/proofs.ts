// Part 6: proof serving over HTTP. GET /v1/records/:id/proof (the complete evidence bundle)
// with autocannon in its own process: over many ids of anchored records, visited in a stride
// so that nearly every answer is read from the database; then over ids served once before
// (hot: answered from the service's memory); and a Fastify hello-world under the same load,
// in the same run, as the reference. A few of the bundles are verified against the chain
// first, so the numbers are for correct answers.
import { randomInt } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { API_CONNECTIONS, LATENCY_COLUMNS, latencyRow, warmupSeconds } from "./api.ts";
import { fmtCpu, helloWorld, measuredLoad } from "./hello-world.ts";
import { type BenchPart, fmtInt, target } from "./part.ts";
import { measureProofPath } from "./proof-breakdown.ts";
import { seedIds, startSeededService } from "./seed.ts";

/** The service's PostgreSQL pool size (service/db/postgres.ts default). */
const SERVICE_POOL = 10;
/** Hot ids: few enough for their bundles to fit the service's cache (64 MiB) many times over. */
const HOT_IDS = 10_000;

/** Seconds of load for `records` seeded: 3 s for the quick run, up to 15 s for the full one. */
function loadSeconds(records: number): number {
  return Math.min(15, Math.max(3, Math.round(records / 10_000)));
}

export const proofsPart: BenchPart = {
  name: "proofs",
  title: "Proof serving over HTTP",
  size: { meaning: "anchored records to draw ids from", full: 150_000, quick: 10_000 },
  async run({ size, databaseUrl, log }) {
    const seconds = loadSeconds(size);
    const job = {
      connections: API_CONNECTIONS,
      durationSeconds: seconds,
      warmupSeconds: warmupSeconds(seconds),
    };
    log(`  Fastify hello-world: ${seconds} s at ${API_CONNECTIONS} connections`);
    const hello = await helloWorld(job);
    const service = await startSeededService(databaseUrl, size, log);
    const ids = seedIds(size);
    const hot = ids.slice(0, Math.min(HOT_IDS, size));
    const idsFile = join(tmpdir(), `en-bench-ids-${process.pid}.txt`);
    const hotFile = join(tmpdir(), `en-bench-hot-${process.pid}.txt`);
    const chain = createChainReader(service.chainUrl, service.chainId, { timeoutMs: 10_000 });
    const pid = service.child.pid as number;
    try {
      for (let i = 0; i < 5; i++) {
        const id = ids[randomInt(size)] as string;
        const res = await fetch(`${service.url}/v1/records/${id}/proof`, {
          headers: { authorization: `Bearer ${service.key}` },
        });
        const report = await verifyBundle(await res.json(), { chain, trustedNotary: service.notary });
        if (res.status !== 200 || !report.ok)
          throw new Error(`the bundle of ${id} does not verify: ${JSON.stringify(report.checks)}`);
      }
      await writeFile(idsFile, ids.join("\n"));
      await writeFile(hotFile, hot.join("\n"));
      log(
        `  GET /v1/records/:id/proof over ${fmtInt(size)} ids: ${seconds} s at ${API_CONNECTIONS} connections`,
      );
      const cold = await measuredLoad(pid, {
        ...job,
        url: service.url,
        kind: "proof",
        key: service.key,
        idsFile,
      });
      log(`  the same over ${fmtInt(hot.length)} ids, each served once before`);
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < hot.length) {
            const id = hot[next++] as string;
            const res = await fetch(`${service.url}/v1/records/${id}/proof`, {
              headers: { authorization: `Bearer ${service.key}` },
            });
            if (res.status !== 200) throw new Error(`GET proof of ${id} answered ${res.status}`);
            await res.arrayBuffer();
          }
        }),
      );
      const warm = await measuredLoad(pid, {
        ...job,
        url: service.url,
        kind: "proof",
        key: service.key,
        idsFile: hotFile,
      });
      log("  the proof path without HTTP, from this process");
      const pool = openPostgres(service.databaseUrl, { max: SERVICE_POOL });
      const path = await measureProofPath(pool, ids, 200, SERVICE_POOL).finally(() => pool.close());
      const share = (r: number) => r / hello.summary.requestsPerSecond;
      const shareOf = (m: typeof cold) => `${(100 * share(m.summary.requestsPerSecond)).toFixed(0)}%`;
      return {
        columns: [...LATENCY_COLUMNS, "of hello-world", "CPU per request"],
        rows: [
          [
            ...latencyRow(
              `GET /v1/records/:id/proof over ${fmtInt(size)} ids (read from the database)`,
              cold.summary,
            ),
            shareOf(cold),
            fmtCpu(cold.cpuUsPerRequest),
          ],
          [
            ...latencyRow(
              `GET /v1/records/:id/proof over ${fmtInt(hot.length)} ids served before (from memory)`,
              warm.summary,
            ),
            shareOf(warm),
            fmtCpu(warm.cpuUsPerRequest),
          ],
          [
            ...latencyRow("Fastify hello-world GET / (ceiling)", hello.summary),
            "100%",
            fmtCpu(hello.cpuUsPerRequest),
          ],
        ],
        targets: [
          target(
            "≥ 20,000 proofs/s over HTTP",
            "≥ 20,000/s",
            `${fmtInt(cold.summary.requestsPerSecond)}/s read from the database, ${fmtInt(warm.summary.requestsPerSecond)}/s from memory (non-2xx: ${cold.summary.non2xx + warm.summary.non2xx})`,
            cold.summary.requestsPerSecond >= 20_000 && cold.summary.non2xx === 0,
          ),
          target(
            "proofs read from the database ≥ 25% of the Fastify hello-world, same run",
            "≥ 25%",
            shareOf(cold),
            share(cold.summary.requestsPerSecond) >= 0.25 && cold.summary.non2xx === 0,
          ),
          target(
            "proofs served before (from memory) ≥ 25% of the Fastify hello-world, same run",
            "≥ 25%",
            shareOf(warm),
            share(warm.summary.requestsPerSecond) >= 0.25 && warm.summary.non2xx === 0,
          ),
        ],
        notes: [
          "Each answer is the complete evidence bundle (evidence-bundle/v1: record digest, salt, leaf, audit path, root, anchor transaction and block); 5 random bundles were verified against the chain (verifyBundle, all checks) before the load.",
          `Read from the database: ids visited in a stride over all ${fmtInt(size)}, so that few repeat within the run and nearly every answer costs one statement (the record, its batch and its audit path). From memory: ${fmtInt(hot.length)} ids each fetched once before the load, whose bundles the service keeps (service/evidence/bundle-cache.ts, 64 MiB): no database round trip.`,
          `Where the time goes (the same reads from the bench process, no HTTP): the record and its batch ${path.getRecordMs.toFixed(2)} ms, the same statement with the audit path ${path.withPathMs.toFixed(2)} ms, the whole readRecordEvidence as the service runs it (that statement and buildBundle's verification) ${path.readRecordEvidenceMs.toFixed(2)} ms per call one at a time; ${fmtInt(path.concurrentPerSecond)} calls/s with ${path.concurrency} in flight on ${SERVICE_POOL} connections (the service's pool size).`,
          `CPU time per request (from /proc, warm-up included): the service process ${fmtCpu(cold.cpuUsPerRequest)} read from the database (and PostgreSQL's processes ${fmtCpu(cold.postgresUsPerRequest)}), ${fmtCpu(warm.cpuUsPerRequest)} from memory (PostgreSQL ${fmtCpu(warm.postgresUsPerRequest)}), ${fmtCpu(hello.cpuUsPerRequest)} for the hello-world. The service shares the 2 cores with PostgreSQL and autocannon, the hello-world with autocannon only.`,
          `${API_CONNECTIONS} connections, autocannon in its own process on the same 2 cores.`,
        ],
        data: {
          records: size,
          seconds,
          fromDatabase: cold,
          fromMemory: { ids: hot.length, ...warm },
          helloWorld: hello,
          proofPath: path,
        },
      };
    } finally {
      chain.destroy();
      await rm(idsFile, { force: true });
      await rm(hotFile, { force: true });
      await service.stop();
    }
  },
};
