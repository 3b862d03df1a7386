import { expect, it } from "vitest";
import { migrate, readMigrations } from "../../service/db/migrate.ts";
import { forEachDatabase } from "../helpers/databases.ts";

const TABLES = ["api_keys", "batch_levels", "batches", "records", "schema_migrations"];

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
