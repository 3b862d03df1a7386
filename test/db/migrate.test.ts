import { describe, expect, it } from "vitest";
import {
  isNoTransaction,
  type Migration,
  migrate,
  readMigrations,
  splitStatements,
} from "../../service/db/migrate.ts";
import { forEachDatabase, forPostgres } from "../helpers/databases.ts";

// The log's partitioned tables and their first two partitions (003 makes them ahead).
const TABLES = [
  "api_keys",
  "batch_levels",
  "batch_levels_p0",
  "batch_levels_p1",
  "batches",
  "entries",
  "entries_p0",
  "entries_p1",
  "entry_groups",
  "entry_groups_p0",
  "entry_groups_p1",
  "entry_ids",
  "erasures",
  "legal_holds",
  "log_state",
  "schema_migrations",
];

forEachDatabase((target) => {
  it("applies every migration once, records it, and does nothing the second time", async () => {
    const { db } = await target.create({ migrate: false });
    const versions = (await readMigrations()).map((m) => m.version);
    expect(versions[0]).toBe("001_initial");
    expect(await migrate(db)).toEqual(versions);
    expect(await migrate(db)).toEqual([]);
    const applied = await db.query<{ version: string; appliedAt: Date }>(
      `SELECT version, applied_at AS "appliedAt" FROM schema_migrations ORDER BY version`,
    );
    expect(applied.map((row) => row.version)).toEqual(versions);
    const tables = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    expect(tables.map((t) => t.name)).toEqual(TABLES);
  });

  it("applies migrations exactly once when several processes start at once", async () => {
    const { db, url } = await target.create({ migrate: false });
    // On Postgres each migrate() runs on its own pool (its own sessions); PGlite has one session.
    const dbs = url === undefined ? [db, db, db] : [db, target.connect(url), target.connect(url)];
    const results = await Promise.all(dbs.map((d) => migrate(d)));
    expect(results.flat().sort()).toEqual((await readMigrations()).map((m) => m.version));
    const [row] = await db.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations");
    expect(row?.n).toBe(results.flat().length);
  });

  it("rolls a failing migration back completely and does not record it", async () => {
    const { db } = await target.create();
    const broken = { version: "900_broken", sql: "CREATE TABLE half_done (x int);\nSELECT 1 / 0;" };
    await expect(migrate(db, [broken])).rejects.toMatchObject({ code: "22012" });
    const tables = await db.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'half_done'",
    );
    expect(tables).toEqual([]);
    expect(await db.query("SELECT 1 FROM schema_migrations WHERE version = '900_broken'")).toEqual([]);
  });
});

describe("statements of a no-transaction migration", () => {
  it("are split at each ; that ends a line, comment lines dropped", () => {
    const sql = [
      "-- migrate: no-transaction",
      "-- why this index",
      "DROP INDEX CONCURRENTLY IF EXISTS t_x;",
      "CREATE INDEX CONCURRENTLY t_x",
      "  ON t (x) WHERE x <> ';';  ",
      "",
    ].join("\n");
    expect(isNoTransaction({ version: "003_x", sql })).toBe(true);
    expect(isNoTransaction({ version: "003_x", sql: `SELECT 1;\n${sql}` })).toBe(false);
    expect(splitStatements(sql)).toEqual([
      "DROP INDEX CONCURRENTLY IF EXISTS t_x",
      "CREATE INDEX CONCURRENTLY t_x\n  ON t (x) WHERE x <> ';'",
    ]);
  });
});

const CONCURRENT_INDEX: Migration = {
  version: "901_concurrent_index",
  sql: [
    "-- migrate: no-transaction",
    "DROP INDEX CONCURRENTLY IF EXISTS ingest_probe_x;",
    "CREATE INDEX CONCURRENTLY ingest_probe_x ON ingest_probe (x);",
  ].join("\n"),
};

forEachDatabase((target) => {
  it("runs a no-transaction migration statement by statement, outside a transaction, and records it", async () => {
    const { db } = await target.create();
    await db.exec("CREATE TABLE ingest_probe (x int)");
    // CREATE INDEX CONCURRENTLY fails inside a transaction block (SQLSTATE 25001).
    const inTransaction = {
      ...CONCURRENT_INDEX,
      sql: CONCURRENT_INDEX.sql.replace("-- migrate: no-transaction", ""),
    };
    if (target.kind === "postgres") {
      await expect(migrate(db, [inTransaction])).rejects.toMatchObject({ code: "25001" });
    }
    expect(await migrate(db, [CONCURRENT_INDEX])).toEqual([CONCURRENT_INDEX.version]);
    expect(await migrate(db, [CONCURRENT_INDEX])).toEqual([]);
    const [index] = await db.query<{ valid: boolean }>(
      `SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = 'ingest_probe_x'::regclass`,
    );
    expect(index?.valid).toBe(true);
  });
});

forPostgres((target) => {
  it("lets inserts go on while a no-transaction migration builds an index", async () => {
    const { db, url } = await target.create();
    await db.exec(
      "CREATE TABLE ingest_probe (x int); INSERT INTO ingest_probe SELECT generate_series(1, 1000)",
    );
    // A transaction holding an old snapshot keeps CREATE INDEX CONCURRENTLY waiting in its
    // last phase: the index is being built for as long as this transaction lasts.
    const holder = target.connect(url as string);
    let endHolder!: () => void;
    const holding = new Promise<void>((resolve) => {
      endHolder = resolve;
    });
    let snapshotTaken!: () => void;
    const taken = new Promise<void>((resolve) => {
      snapshotTaken = resolve;
    });
    const held = holder.transaction(async (tx) => {
      await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      await tx.query("SELECT count(*) FROM ingest_probe");
      snapshotTaken();
      await holding;
    });
    await taken;
    const migrating = migrate(target.connect(url as string), [CONCURRENT_INDEX]);
    const writer = target.connect(url as string);
    try {
      await until(async () => {
        const rows = await writer.query(
          "SELECT 1 FROM pg_stat_progress_create_index WHERE relid = 'ingest_probe'::regclass",
        );
        return rows.length > 0;
      });
      // The build is in progress; an insert neither waits for it nor fails.
      const inserted = await Promise.race([
        writer.query("INSERT INTO ingest_probe VALUES (1001) RETURNING x"),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error("the insert waited for the index build")), 10_000),
        ),
      ]);
      expect(inserted).toEqual([{ x: 1001 }]);
      expect(
        await writer.query("SELECT 1 FROM schema_migrations WHERE version = $1", [CONCURRENT_INDEX.version]),
      ).toEqual([]);
    } finally {
      endHolder();
      await held;
    }
    expect(await migrating).toEqual([CONCURRENT_INDEX.version]);
    const [count] = await db.query<{ n: number }>("SELECT count(*) AS n FROM ingest_probe WHERE x > 1000");
    expect(count?.n).toBe(1);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
