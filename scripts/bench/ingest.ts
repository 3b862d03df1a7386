// Part 3 (and 9): durable bulk ingest through POST /v1/records/batch, 10,000 records per call
// from several concurrent clients, each call answered 202 only after its rows are committed,
// against a raw COPY of the very same rows (read back from the service's table) into a
// scratch table with the same columns and indexes, the same number of connections and the
// same rows per commit. Also: the service's peak RSS, and where the CPU time per record goes.

import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { createPostgresSchema } from "../../test/helpers/postgres-schema.ts";
import { batchBodies, sendBodies } from "./load.ts";
import { type BenchPart, fmtInt, fmtMiB, fmtMs, perSecond, target, timed } from "./part.ts";
import { startProgress } from "./progress.ts";
import { startBenchService } from "./service-process.ts";

const PER_CALL = 10_000;
const CLIENTS = 4;

/** The stored rows in COPY text format, `perChunk` rows per chunk (bytea as \\x hex). */
async function readRowsAsCopyText(databaseUrl: string, perChunk: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; d: string; s: string; l: string }>(
      "SELECT id, encode(digest, 'hex') AS d, encode(salt, 'hex') AS s, encode(leaf, 'hex') AS l FROM entries ORDER BY idx",
    );
    const chunks: string[] = [];
    for (let i = 0; i < rows.length; i += perChunk) {
      chunks.push(
        rows
          .slice(i, i + perChunk)
          .map((r) => `${r.id}\t\\\\x${r.d}\t\\\\x${r.s}\t\\\\x${r.l}\n`)
          .join(""),
      );
    }
    return chunks;
  } finally {
    await client.end();
  }
}

/** COPYs the chunks into `records_copy` (same columns and indexes as records), `clients` at once. */
async function copyChunks(databaseUrl: string, chunks: readonly string[], clients: number): Promise<number> {
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      return c;
    }),
  );
  try {
    const [first] = connections;
    await first?.query("CREATE TABLE records_copy (LIKE records INCLUDING ALL)");
    let next = 0;
    const { ms } = await timed(() =>
      Promise.all(
        connections.map(async (c) => {
          while (next < chunks.length) {
            const chunk = chunks[next++] as string;
            await pipeline(
              Readable.from([chunk]),
              c.query(copyFrom("COPY records_copy (id, digest, salt, leaf) FROM STDIN")),
            );
          }
        }),
      ),
    );
    return ms;
  } finally {
    await Promise.all(connections.map((c) => c.end()));
  }
}

/**
 * Single-thread CPU cost per record of the work the service does for one batch call, taken
 * on a second pass (the first warms the JIT).
 */
function cpuPerRecord(body: string): Record<string, number> {
  let costs: Record<string, number> = {};
  for (let pass = 0; pass < 2; pass++) {
    const t0 = performance.now();
    const parsed = JSON.parse(body) as { records: Array<{ id: string; record: unknown }> };
    const t1 = performance.now();
    const digests = parsed.records.map((r) => digestRecord(r.record));
    const t2 = performance.now();
    const salts = digests.map(() => newSalt());
    const t3 = performance.now();
    const leaves = digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d));
    const t4 = performance.now();
    JSON.stringify({
      results: parsed.records.map((r, i) => ({
        id: r.id,
        digest: toHex(digests[i] as Uint8Array),
        leafHash: toHex(leaves[i] as Uint8Array),
        status: "pending",
      })),
    });
    const t5 = performance.now();
    const us = (ms: number) => (ms * 1000) / parsed.records.length;
    costs = {
      "JSON.parse": us(t1 - t0),
      "digestRecord (JCS + SHA-256)": us(t2 - t1),
      newSalt: us(t3 - t2),
      hashLeaf: us(t4 - t3),
      "answer (toHex + JSON.stringify)": us(t5 - t4),
    };
  }
  return costs;
}

export const ingestPart: BenchPart = {
  name: "ingest",
  title: "Durable bulk ingest (batch API into PostgreSQL) and peak RSS",
  size: { meaning: "records", full: 1_000_000, quick: 20_000 },
  async run({ size, databaseUrl, log }) {
    const service = await startBenchService(databaseUrl);
    let apiMs: number;
    let created: number;
    let peakRss: number | null;
    let chunks: string[];
    try {
      const bodies = batchBodies("ingest", size, PER_CALL);
      log(`  ${bodies.length} calls of up to ${fmtInt(PER_CALL)} records, ${CLIENTS} concurrent clients`);
      const progress = startProgress("ingest", size, log);
      const sent = await timed(() => sendBodies(service.url, service.key, bodies, CLIENTS, progress));
      progress.stop();
      apiMs = sent.ms;
      created = sent.value;
      peakRss = await service.peakRssBytes();
      const [row] = await service.db.query<{ n: string }>("SELECT count(*) AS n FROM entries");
      if (created !== size || Number(row?.n) !== size) {
        throw new Error(
          `expected ${size} records created and stored, got ${created} acknowledged, ${row?.n} stored`,
        );
      }
      chunks = await readRowsAsCopyText(service.databaseUrl, PER_CALL);
    } finally {
      await service.stop();
    }
    const cpu = cpuPerRecord(batchBodies("cpu", PER_CALL, PER_CALL)[0] as string);

    // The raw COPY runs after the service has stopped, so nothing else competes with it.
    const scratch = await createPostgresSchema(databaseUrl, "benchcopy");
    let copyMs: number;
    try {
      const admin = new pg.Client({ connectionString: scratch.url });
      await admin.connect();
      // The same table definition as the service's (001_initial.sql), without the batches FK.
      await admin.query(
        "CREATE TABLE records (id text PRIMARY KEY, digest bytea NOT NULL, salt bytea, leaf bytea NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), pos bigint GENERATED ALWAYS AS IDENTITY UNIQUE, seq bigint, leaf_index integer, UNIQUE (seq, leaf_index))",
      );
      await admin.query("CREATE INDEX records_pending ON records (pos) WHERE seq IS NULL");
      await admin.end();
      log(`  raw COPY of the same ${fmtInt(size)} rows`);
      copyMs = await copyChunks(scratch.url, chunks, CLIENTS);
    } finally {
      await scratch.drop();
    }

    const apiRate = perSecond(size, apiMs);
    const copyRate = perSecond(size, copyMs);
    const cpuUs = Object.values(cpu).reduce((a, b) => a + b, 0);
    return {
      columns: ["path", "records", "connections × rows per commit", "time", "records/s"],
      rows: [
        [
          "POST /v1/records/batch (202 after commit)",
          fmtInt(size),
          `${CLIENTS} clients × ${fmtInt(PER_CALL)}`,
          fmtMs(apiMs),
          fmtInt(apiRate),
        ],
        [
          "raw COPY … FROM STDIN, same rows (pg-copy-streams)",
          fmtInt(size),
          `${CLIENTS} connections × ${fmtInt(PER_CALL)}`,
          fmtMs(copyMs),
          fmtInt(copyRate),
        ],
        [
          "service peak RSS during the ingest (VmHWM)",
          "",
          "",
          "",
          peakRss === null ? "n/a" : fmtMiB(peakRss),
        ],
      ],
      targets: [
        target("bulk ingest ≥ 100,000 records/s", "≥ 100,000/s", `${fmtInt(apiRate)}/s`, apiRate >= 100_000),
        target(
          "bulk ingest ≥ 0.5 × raw COPY",
          "≥ 0.5",
          `${(apiRate / copyRate).toFixed(2)}`,
          apiRate >= 0.5 * copyRate,
        ),
        target(
          "peak RSS of the service (part 9)",
          "report",
          peakRss === null ? "n/a" : fmtMiB(peakRss),
          null,
        ),
      ],
      notes: [
        `Where the time goes, single-thread CPU per record measured in this process: ${Object.entries(cpu)
          .map(([k, v]) => `${k} ${v.toFixed(1)} µs`)
          .join(
            ", ",
          )}; ${cpuUs.toFixed(1)} µs in all, a ceiling of about ${fmtInt(1e6 / cpuUs)} records/s per core before any HTTP or database work.`,
        "The service runs with its batcher and anchorer on, so sealing and anchoring the same records competes for the same 2 cores during the ingest; the raw COPY runs after the service has stopped. The load generator (this process) also shares the cores; its request bodies are serialized before the clock starts.",
        "Peak RSS includes the in-process local chain (Hardhat EDR), as with `npm start`.",
      ],
      data: {
        records: size,
        perCall: PER_CALL,
        clients: CLIENTS,
        apiMs,
        apiRecordsPerSecond: apiRate,
        copyMs,
        copyRecordsPerSecond: copyRate,
        peakRssBytes: peakRss,
        cpuPerRecordUs: cpu,
      },
    };
  },
};
