// Schema migrations: plain SQL files `migrations/NNN_name.sql`, applied in name order, each in
// its own transaction together with its row in schema_migrations. Every transaction first
// takes an advisory lock, so processes starting at once apply each file exactly once: the
// others wait, then see it recorded.
import { readdir, readFile } from "node:fs/promises";
import type { Database, Queryable } from "./database.ts";
import { advisoryXactLockSql, LOCK_KEYS } from "./database.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/;

export interface Migration {
  /** The file name without `.sql`, e.g. `001_initial`. */
  version: string;
  sql: string;
}

export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => MIGRATION_FILE.test(name)).sort();
  return Promise.all(
    names.map(async (name) => ({
      version: name.slice(0, -4),
      sql: await readFile(new URL(name, dir), "utf8"),
    })),
  );
}

export const createMigrationsTableSql = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export const appliedVersionsSql = "SELECT version FROM schema_migrations ORDER BY version";

export const recordMigrationSql = "INSERT INTO schema_migrations (version) VALUES ($1)";

async function appliedVersions(tx: Queryable): Promise<Set<string>> {
  await tx.query(advisoryXactLockSql, [LOCK_KEYS.migrate]);
  await tx.exec(createMigrationsTableSql);
  const rows = await tx.query<{ version: string }>(appliedVersionsSql);
  return new Set(rows.map((row) => row.version));
}

/** Applies the migrations not yet recorded; returns the versions this call applied. */
export async function migrate(db: Database, migrations?: readonly Migration[]): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  const applied: string[] = [];
  for (const migration of all) {
    const didApply = await db.transaction(async (tx) => {
      if ((await appliedVersions(tx)).has(migration.version)) return false;
      await tx.exec(migration.sql);
      await tx.query(recordMigrationSql, [migration.version]);
      return true;
    });
    if (didApply) applied.push(migration.version);
  }
  return applied;
}
