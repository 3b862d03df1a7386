// Part 6: proof serving over HTTP. GET /v1/records/:id/proof (the complete evidence bundle)
// with autocannon in its own process, over many ids of anchored records; a few of the
// bundles are verified against the chain first, so the numbers are for correct answers.
import { randomInt } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { API_CONNECTIONS, LATENCY_COLUMNS, latencyRow, warmupSeconds } from "./api.ts";
import { runAutocannon } from "./autocannon-run.ts";
import { type BenchPart, fmtInt, target } from "./part.ts";
import { measureProofPath } from "./proof-breakdown.ts";
import { seedIds, startSeededService } from "./seed.ts";

/** The service's PostgreSQL pool size (service/db/postgres.ts default). */
const SERVICE_POOL = 10;

/** Seconds of load for `records` seeded: 3 s for the quick run, up to 15 s for the full one. */
function loadSeconds(records: number): number {
  return Math.min(15, Math.max(3, Math.round(records / 10_000)));
}

export const proofsPart: BenchPart = {
  name: "proofs",
  title: "Proof serving over HTTP",
  size: { meaning: "anchored records to draw ids from", full: 150_000, quick: 10_000 },
  async run({ size, databaseUrl, log }) {
    const service = await startSeededService(databaseUrl, size, log);
    const ids = seedIds(size);
    const idsFile = join(tmpdir(), `en-bench-ids-${process.pid}.txt`);
    const chain = createChainReader(service.chainUrl, service.chainId, { timeoutMs: 10_000 });
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
      const seconds = loadSeconds(size);
      log(`  GET /v1/records/:id/proof: ${seconds} s at ${API_CONNECTIONS} connections`);
      const result = await runAutocannon({
        url: service.url,
        connections: API_CONNECTIONS,
        durationSeconds: seconds,
        warmupSeconds: warmupSeconds(seconds),
        kind: "proof",
        key: service.key,
        idsFile,
      });
      log("  the proof path without HTTP, from this process");
      const pool = openPostgres(service.databaseUrl, { max: SERVICE_POOL });
      const path = await measureProofPath(pool, ids, 200, SERVICE_POOL).finally(() => pool.close());
      return {
        columns: LATENCY_COLUMNS,
        rows: [latencyRow(`GET /v1/records/:id/proof over ${fmtInt(size)} ids`, result)],
        targets: [
          target(
            "≥ 20,000 proofs/s over HTTP",
            "≥ 20,000/s",
            `${fmtInt(result.requestsPerSecond)}/s (non-2xx: ${result.non2xx})`,
            result.requestsPerSecond >= 20_000 && result.non2xx === 0,
          ),
        ],
        notes: [
          "Each answer is the complete evidence bundle (evidence-bundle/v1: record digest, salt, leaf, audit path, root, anchor transaction and block); 5 random bundles were verified against the chain (verifyBundle, all checks) before the load.",
          `Where the time goes (the same reads from the bench process, no HTTP): getRecord ${path.getRecordMs.toFixed(2)} ms, proofNodes ${path.proofNodesMs.toFixed(2)} ms, the whole readRecordEvidence as the service runs it (getRecord, the cached levels, buildBundle's verification) ${path.readRecordEvidenceMs.toFixed(2)} ms per call one at a time; ${fmtInt(path.concurrentPerSecond)} calls/s with ${path.concurrency} in flight on ${SERVICE_POOL} connections (the service's pool size). The service itself reads a proof's nodes from an in-memory cache of each batch's levels (one database read per batch, service/evidence/batch-levels-cache.ts), so it makes one round trip per proof (getRecord); the proofNodes column times the uncached read.`,
          `${API_CONNECTIONS} connections, ids visited in a stride over all ${fmtInt(size)}, autocannon in its own process on the same 2 cores.`,
        ],
        data: { records: size, seconds, ...result, proofPath: path },
      };
    } finally {
      chain.destroy();
      await rm(idsFile, { force: true });
      await service.stop();
    }
  },
};
