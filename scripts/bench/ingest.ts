// Part 3 (and memory): durable bulk ingest through POST /v1/records/batch, 10,000 records per call
// from several concurrent clients, each call answered 202 only after its rows are committed,
// against a raw COPY of the very same rows (read back from the service's tables) into the
// same tables, and into one table with an id primary key (copy.ts), with the same number of
// connections and the same rows per commit. Also: the service's peak RSS, and where the CPU
// time per record goes.

import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { assertIJson } from "../../service/core/i-json.ts";
import { hashLeaf, newSalts } from "../../service/core/leaf.ts";
import { type CopyChunk, type CopyTarget, copyChunks, copyTarget, readCopyChunks } from "./copy.ts";
import { batchBodies, sendBodies } from "./load.ts";
import { type BenchPart, fmtInt, fmtMiB, fmtMs, perSecond, target, timed } from "./part.ts";
import { startProgress } from "./progress.ts";
import { postgresCpuMs, startBenchService } from "./service-process.ts";

const PER_CALL = 10_000;
const CLIENTS = 4;

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
    assertIJson(body);
    const t2 = performance.now();
    const digests = parsed.records.map((r) => digestRecord(r.record));
    const t3 = performance.now();
    const salts = newSalts(digests.length);
    const t4 = performance.now();
    const leaves = digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d));
    const t5 = performance.now();
    JSON.stringify({
      results: parsed.records.map((r, i) => ({
        id: r.id,
        digest: toHex(digests[i] as Uint8Array),
        leafHash: toHex(leaves[i] as Uint8Array),
        status: "pending",
      })),
    });
    const t6 = performance.now();
    const us = (ms: number) => (ms * 1000) / parsed.records.length;
    costs = {
      "JSON.parse": us(t1 - t0),
      "I-JSON check": us(t2 - t1),
      "digestRecord (JCS + SHA-256)": us(t3 - t2),
      newSalts: us(t4 - t3),
      hashLeaf: us(t5 - t4),
      "answer (toHex + JSON.stringify)": us(t6 - t5),
    };
  }
  return costs;
}

function usPerRecord(ms: number | null, records: number): string {
  return ms === null ? "n/a" : `${((ms * 1000) / records).toFixed(1)} µs`;
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
    let serviceCpuMs: number | null = null;
    let postgresMs: number | null = null;
    let chunks: CopyChunk[];
    try {
      const bodies = batchBodies("ingest", size, PER_CALL);
      log(`  ${bodies.length} calls of up to ${fmtInt(PER_CALL)} records, ${CLIENTS} concurrent clients`);
      const progress = startProgress("ingest", size, log);
      const [cpuBefore, pgBefore] = [await service.cpuMs(), await postgresCpuMs()];
      const sent = await timed(() => sendBodies(service.url, service.key, bodies, CLIENTS, progress));
      const [cpuAfter, pgAfter] = [await service.cpuMs(), await postgresCpuMs()];
      if (cpuBefore !== null && cpuAfter !== null) serviceCpuMs = cpuAfter - cpuBefore;
      if (pgBefore !== null && pgAfter !== null) postgresMs = pgAfter - pgBefore;
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
      chunks = await readCopyChunks(service.databaseUrl, 0, size, PER_CALL);
    } finally {
      await service.stop();
    }
    const cpu = cpuPerRecord(batchBodies("cpu", PER_CALL, PER_CALL)[0] as string);

    // The raw COPYs run after the service has stopped, so nothing else competes with them.
    const copyMs: Record<CopyTarget, number> = { "same-tables": 0, "one-table": 0 };
    for (const into of ["same-tables", "one-table"] as const) {
      const scratch = await copyTarget(databaseUrl, into);
      try {
        log(`  raw COPY of the same ${fmtInt(size)} rows (${into})`);
        copyMs[into] = await copyChunks(scratch.url, into, chunks, CLIENTS);
      } finally {
        await scratch.drop();
      }
    }
    const copyRate = perSecond(size, copyMs["same-tables"]);
    const oneTableRate = perSecond(size, copyMs["one-table"]);
    const apiRate = perSecond(size, apiMs);
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
          "raw COPY … FROM STDIN of the same rows into the same tables (entries, entry_ids)",
          fmtInt(size),
          `${CLIENTS} connections × ${fmtInt(PER_CALL)}`,
          fmtMs(copyMs["same-tables"]),
          fmtInt(copyRate),
        ],
        [
          "raw COPY of the same rows into one table with a primary key on the id",
          fmtInt(size),
          `${CLIENTS} connections × ${fmtInt(PER_CALL)}`,
          fmtMs(copyMs["one-table"]),
          fmtInt(oneTableRate),
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
          "bulk ingest ≥ 0.5 × raw COPY of the same rows",
          "≥ 0.5",
          `${(apiRate / copyRate).toFixed(2)} (into one table: ${(apiRate / oneTableRate).toFixed(2)})`,
          apiRate >= 0.5 * copyRate,
        ),
        target(
          "peak RSS of the service (memory)",
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
        `CPU time during the ingest, per record (from /proc): the service process ${usPerRecord(serviceCpuMs, size)} (HTTP, the work above, the group commits' encoding, sealing and anchoring; its JavaScript runs on one thread), PostgreSQL's processes ${usPerRecord(postgresMs, size)}; ${((apiMs * 1000) / size).toFixed(1)} µs of wall time per record, on 2 cores.`,
        "The service runs with its batcher and anchorer on, so sealing and anchoring the same records competes for the same 2 cores during the ingest; the raw COPYs run after the service has stopped. The load generator (this process) also shares the cores; its request bodies are serialized before the clock starts.",
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
        oneTableCopyRecordsPerSecond: oneTableRate,
        serviceCpuMs,
        postgresCpuMs: postgresMs,
        peakRssBytes: peakRss,
        cpuPerRecordUs: cpu,
      },
    };
  },
};
