// Part 9: write amplification. The WAL PostgreSQL writes per record stored through the service
// (batch API, then sealed and anchored), from pg_current_wal_lsn() before and after, against a
// raw COPY of the very same rows (copy.ts), after a CHECKPOINT each time so that every run
// starts with the same full-page images to write. The server is shared, and another session's
// writes can only add WAL, so each figure is the least of three trials. Then where the
// service's WAL goes: EXPLAIN (ANALYZE, WAL) of one group commit and of its seal, per table.
import { randomBytes } from "node:crypto";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { insertBatchSql } from "../../service/db/batches.ts";
import { appendEntriesSql } from "../../service/db/log.ts";
import { migrate } from "../../service/db/migrate.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { createPostgresSchema } from "../../test/helpers/postgres-schema.ts";
import { type CopyChunk, type CopyTarget, copyChunks, copyTarget, readCopyChunks } from "./copy.ts";
import { batchBodies, sendBodies, waitAnchored } from "./load.ts";
import { type BenchPart, fmtInt, target } from "./part.ts";
import { startBenchService } from "./service-process.ts";

const TRIALS = 3;
const PER_CALL = 10_000;
const CLIENTS = 4;

type Admin = ReturnType<typeof openPostgres>;

async function walLsn(admin: Admin): Promise<string> {
  const [row] = await admin.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
  return row?.lsn as string;
}

async function walBytes(admin: Admin, from: string, to: string): Promise<number> {
  const [row] = await admin.query<{ bytes: number }>("SELECT pg_wal_lsn_diff($2, $1)::bigint AS bytes", [
    from,
    to,
  ]);
  return row?.bytes ?? 0;
}

/** CHECKPOINT (superuser or pg_checkpoint); false when refused. */
async function checkpoint(admin: Admin): Promise<boolean> {
  try {
    await admin.exec("CHECKPOINT");
    return true;
  } catch {
    return false;
  }
}

/** WAL bytes of `work`, after a checkpoint. */
async function measureWal(admin: Admin, work: () => Promise<unknown>): Promise<number> {
  await checkpoint(admin);
  const from = await walLsn(admin);
  await work();
  return walBytes(admin, from, await walLsn(admin));
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "WAL Bytes"?: number;
  Plans?: PlanNode[];
}

/** WAL bytes by the relation each ModifyTable node wrote (its indexes included). */
function walByRelation(node: PlanNode, into: Map<string, number> = new Map()): Map<string, number> {
  if (node["Node Type"] === "ModifyTable" && node["Relation Name"] !== undefined) {
    const name = node["Relation Name"];
    into.set(name, (into.get(name) ?? 0) + (node["WAL Bytes"] ?? 0));
  }
  for (const child of node.Plans ?? []) walByRelation(child, into);
  return into;
}

async function explainWal(db: Admin, sql: string, params: unknown[]): Promise<Map<string, number>> {
  const [row] = await db.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(
    `EXPLAIN (ANALYZE, WAL, FORMAT JSON) ${sql}`,
    params,
  );
  const plan = row?.["QUERY PLAN"][0]?.Plan;
  if (plan === undefined) throw new Error("EXPLAIN returned no plan");
  return walByRelation(plan);
}

/** Where the WAL of one group commit of `perGroup` records and of its seal goes, per table, per record. */
async function walBreakdown(databaseUrl: string, perGroup: number): Promise<Record<string, number>> {
  const schema = await createPostgresSchema(databaseUrl, "benchwal");
  const db = openPostgres(schema.url, { max: 1 });
  try {
    await migrate(db);
    const totals = new Map<string, number>();
    const add = (m: Map<string, number>) => {
      for (const [k, v] of m) totals.set(k, (totals.get(k) ?? 0) + v);
    };
    // Two groups first, so the one measured writes into tables that already hold rows.
    for (let group = 0; group < 3; group++) {
      const ids = Array.from({ length: perGroup }, (_, i) => `w${group}-${i}`);
      const hashes = new Uint8Array(randomBytes(perGroup * 96));
      const append = await explainWal(db, appendEntriesSql, [ids, hashes]);
      const leaves = new Uint8Array(perGroup * 32);
      for (let i = 0; i < perGroup; i++) leaves.set(hashes.subarray(i * 96 + 64, i * 96 + 96), i * 32);
      const tree = buildTree(leaves);
      const upper = tree.levels.slice(1);
      const seal = await explainWal(db, insertBatchSql(upper.length), [
        group,
        group * perGroup,
        treeRoot(tree),
        perGroup,
        ...upper,
      ]);
      if (group === 2) {
        add(append);
        add(seal);
      }
    }
    return Object.fromEntries([...totals].map(([k, v]) => [k, v / perGroup]));
  } finally {
    await db.close();
    await schema.drop();
  }
}

export const walPart: BenchPart = {
  name: "wal",
  title: "Write amplification: WAL bytes per record",
  size: { meaning: "records per trial (3 trials)", full: 200_000, quick: 20_000 },
  async run({ size, databaseUrl, log }) {
    const admin = openPostgres(databaseUrl, { max: 1 });
    const checkpoints = await checkpoint(admin);
    const service: number[] = [];
    const chunks: CopyChunk[][] = [];
    try {
      const running = await startBenchService(databaseUrl);
      try {
        for (let t = 0; t < TRIALS; t++) {
          const [state] = await running.db.query<{ next: number }>(
            'SELECT next_index AS "next" FROM log_state',
          );
          const first = state?.next ?? 0;
          log(`  trial ${t + 1}: ${fmtInt(size)} records through the batch API, until anchored`);
          service.push(
            await measureWal(admin, async () => {
              await sendBodies(running.url, running.key, batchBodies(`wal${t}`, size, PER_CALL), CLIENTS);
              await waitAnchored(running.db, `wal${t}`, size, 120_000 + size);
            }),
          );
          chunks.push(await readCopyChunks(running.databaseUrl, first, first + size, PER_CALL));
        }
      } finally {
        await running.stop();
      }
      const copies: Record<CopyTarget, number[]> = { "same-tables": [], "one-table": [] };
      for (const into of ["same-tables", "one-table"] as const) {
        const scratch = await copyTarget(databaseUrl, into);
        try {
          for (let t = 0; t < TRIALS; t++) {
            log(`  trial ${t + 1}: raw COPY of the same rows (${into})`);
            copies[into].push(
              await measureWal(admin, () => copyChunks(scratch.url, into, chunks[t] as CopyChunk[], CLIENTS)),
            );
          }
        } finally {
          await scratch.drop();
        }
      }
      log("  where the service's WAL goes: EXPLAIN (ANALYZE, WAL) of a group commit and its seal");
      const breakdown = await walBreakdown(databaseUrl, PER_CALL);

      const perRecord = (bytes: number[]) => Math.min(...bytes) / size;
      const ours = perRecord(service);
      const same = perRecord(copies["same-tables"]);
      const one = perRecord(copies["one-table"]);
      const row = (name: string, bytes: number[]) => [
        name,
        fmtInt(size),
        bytes.map((b) => fmtInt(b / size)).join(" / "),
        fmtInt(perRecord(bytes)),
        `${(perRecord(bytes) / same).toFixed(2)}×`,
      ];
      const described = Object.entries(breakdown)
        .sort((a, b) => b[1] - a[1])
        .map(([table, bytes]) => `${table} ${bytes.toFixed(0)} B`)
        .join(", ");
      return {
        columns: ["path", "records per trial", "WAL bytes per record, each trial", "least", "of the COPY"],
        rows: [
          row("through the service: batch API, sealed and anchored", service),
          row("raw COPY of the same rows into the same tables (entries, entry_ids)", copies["same-tables"]),
          row("raw COPY of the same rows into one table with a primary key on the id", copies["one-table"]),
        ],
        targets: [
          target(
            "WAL per record through the service ≤ 1.5 × raw COPY of the same rows",
            "≤ 1.5×",
            `${(ours / same).toFixed(2)}× (against one table: ${(ours / one).toFixed(2)}×)`,
            ours <= 1.5 * same,
          ),
        ],
        notes: [
          `WAL from pg_current_wal_lsn() before and after each trial${checkpoints ? ", each after a CHECKPOINT" : " (CHECKPOINT was refused: full-page images then depend on where the last checkpoint fell)"}. The server is shared with other sessions, whose writes can only add WAL: the least of ${TRIALS} trials is the figure. The service's trial covers everything it writes for those records: the group commits, the seals (batches and tree levels), the anchoring state of each batch.`,
          `Where the service's WAL goes, per record, from EXPLAIN (ANALYZE, WAL) of one group commit of ${fmtInt(PER_CALL)} records and of its seal (each table with its indexes): ${described}.`,
        ],
        data: {
          size,
          trials: TRIALS,
          serviceBytes: service,
          copyBytes: copies,
          breakdownPerRecord: breakdown,
        },
      };
    } finally {
      await admin.close();
    }
  },
};
