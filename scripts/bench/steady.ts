// Part 10: steady state. The bulk ingest rate (batch API, as part 3) into a database that
// already holds `size` records (20 million at full size), against the same load into an
// empty one, in the same run. The stored records are seeded straight into the service's
// tables in their real shape (entries, entry_ids, entry_groups, log_state; batches with their
// real roots and tree levels, which the service then anchors) by SQL over generate_series,
// which is far faster than the API; leaves are SHA-256(0x00 || salt || digest) as always, so
// the seeded batches are as real as any. Empty and full are measured twice each, alternately.
import { rm } from "node:fs/promises";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { insertBatchSql } from "../../service/db/batches.ts";
import { migrate } from "../../service/db/migrate.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { makeDataDir } from "../../test/helpers/local-chain.ts";
import { createPostgresSchema, type PostgresSchema } from "../../test/helpers/postgres-schema.ts";
import { batchBodies, sendBodies, waitAnchored } from "./load.ts";
import { type BenchPart, fmtInt, fmtMs, perSecond, target, timed } from "./part.ts";
import { startBenchService } from "./service-process.ts";

const PER_CALL = 10_000;
const CLIENTS = 4;
/** Records seeded per statement, and per seeded batch. */
const SEED_CHUNK = 1_000_000;
/** Records sent through the API in each measured run. */
const RUN_RECORDS = { full: 500_000, quick: 50_000 };

/** Fills a migrated schema with `count` anchored-to-be records, as the service would have stored them. */
async function seed(url: string, count: number, log: (line: string) => void): Promise<void> {
  const db = openPostgres(url, { max: 2 });
  try {
    await db.query("SELECT en_ensure_partitions(0, $1::bigint)", [count]);
    const chunks = Array.from({ length: Math.ceil(count / SEED_CHUNK) }, (_, i) => i * SEED_CHUNK);
    let next = 0;
    let done = 0;
    // Two connections: PostgreSQL's hashing and inserting is the work, one core each.
    await Promise.all(
      [0, 1].map(async () => {
        while (next < chunks.length) {
          const first = chunks[next++] as number;
          const last = Math.min(count, first + SEED_CHUNK) - 1;
          await db.transaction(async (tx) => {
            await tx.exec("SET LOCAL synchronous_commit = off");
            await tx.query(
              `INSERT INTO entries (idx, kind, id, digest, salt, leaf, received_at)
               SELECT g, 0, 'steady-' || g, h.digest, h.salt, sha256('\\x00'::bytea || h.salt || h.digest),
                 now() - interval '1 day'
               FROM generate_series($1::bigint, $2::bigint) AS g,
                 LATERAL (SELECT sha256(int8send(g)) AS digest, sha256(int8send(-g - 1)) AS salt) AS h`,
              [first, last],
            );
            await tx.query(
              "INSERT INTO entry_ids (id, idx) SELECT 'steady-' || g, g FROM generate_series($1::bigint, $2::bigint) AS g",
              [first, last],
            );
            await tx.query(
              "INSERT INTO entry_groups (first_index, count, received_at) VALUES ($1, $2, now() - interval '1 day')",
              [first, last - first + 1],
            );
          });
          done += last - first + 1;
          log(`    seeded ${fmtInt(done)} of ${fmtInt(count)} records`);
        }
      }),
    );
    await db.query("UPDATE log_state SET next_index = $1", [count]);
    // One batch per chunk, with its real root and levels, for the service to anchor.
    for (const [seq, first] of chunks.entries()) {
      const size = Math.min(count, first + SEED_CHUNK) - first;
      const [row] = await db.query<{ leaves: Uint8Array }>(
        "SELECT string_agg(leaf, ''::bytea ORDER BY idx) AS leaves FROM entries WHERE idx >= $1 AND idx < $2",
        [first, first + size],
      );
      const tree = buildTree(row?.leaves as Uint8Array);
      const upper = tree.levels.slice(1);
      await db.query(insertBatchSql(upper.length), [seq, first, treeRoot(tree), size, ...upper]);
    }
    log(`    sealed ${chunks.length} batches; ANALYZE`);
    await db.exec("ANALYZE");
  } finally {
    await db.close();
  }
}

/** The batch API's ingest rate of `records` new records into the schema given (or a new, empty one). */
async function ingestRate(
  databaseUrl: string,
  full: { schema: PostgresSchema; dataDir: string } | undefined,
  prefix: string,
  records: number,
  log: (line: string) => void,
): Promise<number> {
  const service = await startBenchService(databaseUrl, full ?? {});
  try {
    // The seeded batches are anchored first, so the run measures ingest, not a backlog.
    const [sealed] = await service.db.query<{ n: number }>(
      "SELECT count(*) AS n FROM batches WHERE state <> 'anchored'",
    );
    if ((sealed?.n ?? 0) > 0) {
      log(`    anchoring the ${sealed?.n} seeded batches first`);
      const deadline = Date.now() + 600_000;
      for (;;) {
        const [left] = await service.db.query<{ n: number }>(
          "SELECT count(*) AS n FROM batches WHERE state <> 'anchored'",
        );
        if ((left?.n ?? 0) === 0) break;
        if (Date.now() > deadline) throw new Error("the seeded batches were not anchored in 10 minutes");
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    const { ms } = await timed(() =>
      sendBodies(service.url, service.key, batchBodies(prefix, records, PER_CALL), CLIENTS),
    );
    await waitAnchored(service.db, prefix, records, 120_000 + records);
    log(`    ${fmtInt(records)} records in ${fmtMs(ms)}`);
    return perSecond(records, ms);
  } finally {
    await service.stop();
  }
}

export const steadyPart: BenchPart = {
  name: "steady",
  title: "Steady state: bulk ingest with millions of records stored",
  size: { meaning: "records already stored", full: 20_000_000, quick: 200_000 },
  async run({ size, quick, databaseUrl, log }) {
    const records = quick ? RUN_RECORDS.quick : RUN_RECORDS.full;
    const full = await createPostgresSchema(databaseUrl, "benchsteady");
    // One data folder for every run on the full database: its local chain holds the anchors
    // of the batches that database already has.
    const dataDir = await makeDataDir("en-bench-steady-");
    try {
      const db = openPostgres(full.url, { max: 1 });
      try {
        await migrate(db);
      } finally {
        await db.close();
      }
      log(`  seeding ${fmtInt(size)} records straight into the tables`);
      const seeded = await timed(() => seed(full.url, size, log));
      const empty: number[] = [];
      const stored: number[] = [];
      for (let round = 0; round < 2; round++) {
        log(`  round ${round + 1}: ${fmtInt(records)} records into an empty database`);
        empty.push(await ingestRate(databaseUrl, undefined, `empty${round}`, records, log));
        log(`  round ${round + 1}: ${fmtInt(records)} records into the one holding ${fmtInt(size)}`);
        stored.push(await ingestRate(databaseUrl, { schema: full, dataDir }, `full${round}`, records, log));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const ratio = mean(stored) / mean(empty);
      return {
        columns: ["database", "records already stored", "records sent", "records/s, each round", "mean"],
        rows: [
          ["empty", "0", fmtInt(records), empty.map(fmtInt).join(" / "), fmtInt(mean(empty))],
          [
            `holding ${fmtInt(size)}`,
            fmtInt(size),
            fmtInt(records),
            stored.map(fmtInt).join(" / "),
            fmtInt(mean(stored)),
          ],
        ],
        targets: [
          target(
            `ingest with ${fmtInt(size)} stored within 15% of an empty database`,
            "≥ 0.85×",
            `${ratio.toFixed(2)}×`,
            ratio >= 0.85,
          ),
        ],
        notes: [
          `Batch API, ${CLIENTS} clients × ${fmtInt(PER_CALL)} records a call, as part 3; each run waits until its records are anchored before the next. Empty and full alternate, twice each, so that a change in the machine's load over the run falls on both.`,
          `Seeded in ${fmtMs(seeded.ms)}: entries, entry_ids and entry_groups by INSERT … SELECT over generate_series (digest and salt are SHA-256 of the index, the leaf SHA-256(0x00 || salt || digest)), then one batch per ${fmtInt(SEED_CHUNK)} records with its root and levels, anchored by the service before the first run on it. New ids (\`full0-…\`) sort apart from the seeded ones (\`steady-…\`) in the id index; ids spread at random over it would touch more of its pages.`,
        ],
        data: { stored: size, records, empty, full: stored, ratio, seedMs: seeded.ms },
      };
    } finally {
      await full.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
