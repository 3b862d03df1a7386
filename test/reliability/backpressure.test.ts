// Backpressure: the ingest queue is bounded (INGEST_QUEUE_LIMIT records accepted but not yet
// committed); beyond it a submission gets 503 + Retry-After and nothing is stored. Under a
// flood of large batch calls the service's memory stays bounded, it stays ready, and every
// record it answered 202 for is stored (and no record it refused is).
//
// The service runs as a child process (`node service/main.ts`, PostgreSQL, its own local
// chain), so its resident memory can be read from /proc/<pid>/status while the test floods it.
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../service/db/database.ts";
import { createApiKey } from "../../service/keys/api-keys.ts";
import { forPostgres } from "../helpers/databases.ts";
import { sleep } from "../helpers/fault-checks.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { type Started, startScript, stopProcess } from "../helpers/processes.ts";

/** Three calls' worth: a dozen concurrent callers outrun the group commit and meet the limit. */
const QUEUE_LIMIT = 3000;
const RECORDS_PER_CALL = 1000;
/** Each record carries about 2 KB, so one call is a 2 MB body. */
const MEMO = "x".repeat(2000);
const CONCURRENT_CALLS = 12;
const FLOOD_MS = 15_000;
/**
 * The bound on the child's peak RSS, and why it is 600 MB. At rest the process (Node,
 * Fastify, pg and the in-process Hardhat EDR chain) holds about 220 MB. Under the flood it
 * also holds the queue (at most QUEUE_LIMIT rows of ~200 bytes: under 1 MB) and the calls in
 * flight: each a 2 MB body string, its parsed records and their JCS text, ~8 MB, so ~100 MB
 * for CONCURRENT_CALLS, plus the heap V8 grows ahead of garbage collection. Measured here:
 * a peak of about 460 MB. 600 MB leaves room for GC timing, and is crossed by anything that
 * keeps what it was sent: 15 s of this flood is well over 100 MB of bodies and records.
 */
const PEAK_RSS_LIMIT_MB = 600;
// Resident memory is read from /proc (Linux); elsewhere the test reports itself skipped.

async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) / 1024;
}

forPostgres((target) => {
  let db: Database;
  let dataDir: string;
  let service: Started;
  let url: string;
  let submitter: string;

  beforeAll(async () => {
    const created = await target.create();
    db = created.db;
    submitter = (await createApiKey(db, "submitter", "flood")).key;
    dataDir = await makeDataDir("en-flood-");
    service = await startScript(
      "service/main.ts",
      {
        DATABASE_URL: created.url as string,
        DATA_DIR: dataDir,
        PORT: "0",
        CHAIN_PORT: "0",
        INGEST_QUEUE_LIMIT: String(QUEUE_LIMIT),
        BATCH_INTERVAL_MS: "500",
        LOG_LEVEL: "fatal",
      },
      /listening on (http:\/\/\S+)/,
    );
    url = service.match[1] as string;
  });
  afterAll(async () => {
    if (service !== undefined) await stopProcess(service.child, "SIGKILL");
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!existsSync("/proc/self/status"))(
    "refuses beyond the ingest queue with 503 + Retry-After, keeps memory bounded, and loses nothing it accepted",
    async () => {
      const pid = service.child.pid as number;
      const restingMb = await residentMb(pid);
      const acked = new Set<string>();
      const counts = { accepted: 0, overloaded: 0, other: 0, missingRetryAfter: 0 };
      let peakMb = restingMb;
      let flooding = true;

      const sampler = (async () => {
        while (flooding) {
          peakMb = Math.max(peakMb, await residentMb(pid));
          await sleep(100);
        }
      })();
      const started = performance.now();
      const worker = async (w: number) => {
        for (let call = 0; performance.now() - started < FLOOD_MS; call++) {
          const ids = Array.from({ length: RECORDS_PER_CALL }, (_, i) => `flood-${w}-${call}-${i}`);
          const body = JSON.stringify({ records: ids.map((id) => ({ id, record: { id, memo: MEMO } })) });
          const res = await fetch(`${url}/v1/records/batch`, {
            method: "POST",
            headers: { authorization: `Bearer ${submitter}`, "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          const answer = (await res.json()) as { results?: Array<{ id: string }>; error?: { code: string } };
          if (res.status === 202) {
            counts.accepted++;
            for (const r of answer.results ?? []) acked.add(r.id);
          } else if (res.status === 503 && answer.error?.code === "overloaded") {
            counts.overloaded++;
            if (!(Number(res.headers.get("retry-after")) > 0)) counts.missingRetryAfter++;
          } else counts.other++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENT_CALLS }, (_, w) => worker(w)));
      const floodMs = performance.now() - started;
      flooding = false;
      await sampler;

      const ready = await fetch(`${url}/readyz`);
      const single = await fetch(`${url}/v1/records`, {
        method: "POST",
        headers: { authorization: `Bearer ${submitter}`, "content-type": "application/json" },
        body: JSON.stringify({ id: "after-flood", record: { memo: "still accepting" } }),
      });
      if (single.status === 202) acked.add("after-flood");
      const [stored] = await db.query<{ total: number; matched: number }>(
        `SELECT count(*) AS total, count(*) FILTER (WHERE id = ANY($1::text[])) AS matched FROM entries`,
        [[...acked]],
      );
      const afterMb = await residentMb(pid);
      console.log(
        `backpressure: ${Math.round(floodMs)} ms flood of ${CONCURRENT_CALLS} concurrent ${RECORDS_PER_CALL}-record calls ` +
          `(~2 MB each): ${counts.accepted} calls accepted (${acked.size} records), ${counts.overloaded} answered 503, ` +
          `${counts.other} other; RSS at rest ${Math.round(restingMb)} MB, peak ${Math.round(peakMb)} MB, ` +
          `after ${Math.round(afterMb)} MB (limit ${PEAK_RSS_LIMIT_MB} MB)`,
      );

      expect(counts.other).toBe(0);
      expect(counts.overloaded, "the flood outran the queue limit").toBeGreaterThan(0);
      expect(counts.missingRetryAfter).toBe(0);
      expect(counts.accepted).toBeGreaterThan(0);
      expect(peakMb).toBeLessThan(PEAK_RSS_LIMIT_MB);
      expect(ready.status).toBe(200);
      expect(single.status).toBe(202);
      // Every acknowledged record is stored, and nothing refused with 503 was.
      expect(stored).toEqual({ total: acked.size, matched: acked.size });
    },
  );
});
