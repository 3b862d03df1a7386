// Schema migrations: plain SQL files `migrations/NNN_name.sql`, applied in name order, each
// recorded in schema_migrations.
//
// One migrator at a time: the process that starts first takes a session-level advisory lock
// and applies what is missing; the others wait, then find it recorded. They wait by polling
// pg_try_advisory_lock, never blocking in pg_advisory_lock: a session blocked in a statement
// holds a snapshot, and CREATE INDEX CONCURRENTLY waits for every such snapshot to end, which
// would make the two processes wait for each other.
//
// A file runs in one transaction together with its row in schema_migrations, unless its
// first line is `-- migrate: no-transaction`. Then each of its statements runs on its own,
// outside any transaction, as CREATE INDEX CONCURRENTLY requires (it builds an index on a
// large table without blocking the inserts of the processes still serving). Statements of
// such a file end with a `;` at the end of a line, and the file must be safe to run again
// from the start (DROP INDEX CONCURRENTLY IF EXISTS first, IF NOT EXISTS): a crash can stop
// it after some statements and before its row is recorded.
import { readdir, readFile } from "node:fs/promises";
import { InvariantError } from "../core/errors.ts";
import type { AdvisoryLock, Database, Queryable } from "./database.ts";
import { LOCK_KEYS } from "./database.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);
const MIGRATION_FILE = /^\d{3}_[a-z0-9_]+\.sql$/;
const NO_TRANSACTION = /^--\s*migrate:\s*no-transaction\s*$/m;

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

/** True when the migration's first line asks to run it outside a transaction. */
export function isNoTransaction(migration: Migration): boolean {
  const firstLine = migration.sql.split("\n", 1)[0] ?? "";
  return NO_TRANSACTION.test(firstLine);
}

/** The statements of a no-transaction migration: split at each `;` that ends a line; comment-only lines dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*\r?$/m)
    .map((part) =>
      part
        .split("\n")
        .filter((line) => !/^\s*--/.test(line))
        .join("\n")
        .trim(),
    )
    .filter((statement) => statement !== "");
}

export const createMigrationsTableSql = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export const appliedVersionsSql = "SELECT version FROM schema_migrations ORDER BY version";

export const recordMigrationSql = "INSERT INTO schema_migrations (version) VALUES ($1)";

async function appliedVersions(q: Queryable): Promise<Set<string>> {
  await q.exec(createMigrationsTableSql);
  const rows = await q.query<{ version: string }>(appliedVersionsSql);
  return new Set(rows.map((row) => row.version));
}

export interface MigrateOptions {
  /** How long to wait for another process's migrations, in ms; default 30 minutes. */
  lockTimeoutMs?: number;
}

const LOCK_POLL_MS = 100;

async function takeMigrationLock(db: Database, timeoutMs: number): Promise<AdvisoryLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await db.tryAcquireLock(LOCK_KEYS.migrate);
    if (lock !== null) return lock;
    if (Date.now() > deadline) {
      throw new InvariantError(`another process held the migration lock for over ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** Applies the migrations not yet recorded; returns the versions this call applied. */
export async function migrate(
  db: Database,
  migrations?: readonly Migration[],
  options: MigrateOptions = {},
): Promise<string[]> {
  const all = migrations ?? (await readMigrations());
  const lock = await takeMigrationLock(db, options.lockTimeoutMs ?? 30 * 60_000);
  try {
    const done = await appliedVersions(db);
    const applied: string[] = [];
    for (const migration of all) {
      if (done.has(migration.version)) continue;
      if (isNoTransaction(migration)) {
        for (const statement of splitStatements(migration.sql)) await db.exec(statement);
        await db.query(recordMigrationSql, [migration.version]);
      } else {
        await db.transaction(async (tx) => {
          await tx.exec(migration.sql);
          await tx.query(recordMigrationSql, [migration.version]);
        });
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await lock.release();
  }
}
