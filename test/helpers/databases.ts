// Runs one suite against both databases: PGlite (in process) and the real PostgreSQL server
// at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
//
// Every database a suite creates is fresh and empty: on PostgreSQL a new schema, reached
// through `?options=-c search_path=…` in its URL, so test files running in parallel never
// see each other's tables; on PGlite a new in-memory instance. When the server cannot be
// reached, the PostgreSQL suite is registered as skipped, never silently passed.
import { randomBytes } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe } from "vitest";
import type { Database } from "../../service/db/database.ts";
import { migrate } from "../../service/db/migrate.ts";
import { openPglite } from "../../service/db/pglite.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { createPostgresSchema } from "./postgres-schema.ts";

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function canReach(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether the PostgreSQL server answers; decided once, before any suite is registered. */
export const postgresReachable: boolean = await canReach(POSTGRES_URL);

export type DatabaseKind = "pglite" | "postgres";

export interface TestDatabase {
  db: Database;
  /** PostgreSQL: a URL reaching the same schema, for a second pool or a child process. PGlite: undefined. */
  url: string | undefined;
}

export interface DatabaseTarget {
  readonly kind: DatabaseKind;
  /**
   * A new, empty database, migrated unless `migrate: false`. Closed (and its schema dropped)
   * after the suite. PGlite instances cost about a second each; share one per file and
   * clear it with truncateAll between tests.
   */
  create(options?: { migrate?: boolean }): Promise<TestDatabase>;
  /** PostgreSQL only: another pool on an existing database's schema (closed after the suite). */
  connect(url: string): Database;
}

/** Empties every table of the schema and starts the log again at index 0 (its partitions stay). */
export async function truncateAll(db: Database): Promise<void> {
  await db.exec(
    "TRUNCATE entries, entry_ids, entry_groups, batch_levels, batches, api_keys, erasures, legal_holds; UPDATE log_state SET next_index = 0",
  );
}

/**
 * Gives the (empty) log partitions of `size` indexes, so that tests cross partition
 * boundaries with a few records: drops the partitions there are and makes the first two anew.
 */
export async function usePartitionSize(db: Database, size: number): Promise<void> {
  const [used] = await db.query<{ n: number }>("SELECT next_index AS n FROM log_state");
  if (used?.n !== 0) throw new Error("the log must be empty to change its partition size");
  const partitions = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent IN ('entries'::regclass, 'entry_groups'::regclass, 'batch_levels'::regclass)`,
  );
  for (const { name } of partitions) await db.exec(`DROP TABLE "${name}"`);
  await db.query("UPDATE log_state SET partition_size = $1", [size]);
  await db.query("SELECT en_ensure_partitions(0, $1::bigint)", [size]);
}

// initdb in WASM takes several seconds; a dumped data directory loads in about one. The dump
// is kept on disk per PGlite version, so only the first test file ever pays for initdb.
let pgliteTemplate: Promise<Blob> | undefined;

async function loadPgliteTemplate(): Promise<Blob> {
  const { version } = JSON.parse(
    await readFile(new URL("../package.json", import.meta.resolve("@electric-sql/pglite")), "utf8"),
  ) as { version: string };
  const path = join(tmpdir(), `evidence-notary-pglite-${version}.tar`);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const fresh = await PGlite.create();
    const dump = await fresh.dumpDataDir("none");
    await fresh.close();
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
    await writeFile(temporary, new Uint8Array(await dump.arrayBuffer()));
    await rename(temporary, path);
    return dump;
  }
}

/** A freshly initialized PGlite data directory, for openPglite's loadDataDir (skips initdb). */
export function pgliteTemplateDump(): Promise<Blob> {
  pgliteTemplate ??= loadPgliteTemplate();
  return pgliteTemplate;
}

function pgliteTarget(cleanups: Array<() => Promise<void>>): DatabaseTarget {
  return {
    kind: "pglite",
    async create(options = {}) {
      const db = await openPglite(undefined, { loadDataDir: await pgliteTemplateDump() });
      cleanups.push(() => db.close());
      if (options.migrate !== false) await migrate(db);
      return { db, url: undefined };
    },
    connect() {
      throw new Error("PGlite has one session per instance: there is nothing to connect to");
    },
  };
}

function postgresTarget(cleanups: Array<() => Promise<void>>): DatabaseTarget {
  const connect = (url: string): Database => {
    const db = openPostgres(url, { max: 4 });
    cleanups.push(() => db.close());
    return db;
  };
  return {
    kind: "postgres",
    async create(options = {}) {
      const schema = await createPostgresSchema(POSTGRES_URL);
      // Registered before the pool, so it runs after the pool is closed (cleanups run in reverse).
      cleanups.push(schema.drop);
      const db = connect(schema.url);
      if (options.migrate !== false) await migrate(db);
      return { db, url: schema.url };
    },
    connect,
  };
}

/**
 * Registers `suite` once per database, inside `describe("pglite")` and `describe("postgres")`.
 * The PostgreSQL copy is skipped when the server is unreachable.
 */
export function forEachDatabase(suite: (target: DatabaseTarget) => void): void {
  for (const kind of ["pglite", "postgres"] as const) registerSuite(kind, suite);
}

/**
 * Registers `suite` for PostgreSQL only, inside `describe("postgres")`, skipped when the
 * server is unreachable: for tests of several service processes sharing one database.
 */
export function forPostgres(suite: (target: DatabaseTarget) => void): void {
  registerSuite("postgres", suite);
}

/**
 * Registers `suite` for PGlite only, inside `describe("pglite")`: for a file whose tests do
 * not depend on the database (the page, an attack on the chain), so they run once.
 */
export function forPglite(suite: (target: DatabaseTarget) => void): void {
  registerSuite("pglite", suite);
}

/**
 * `register` (a `describe` or `it`, with its modifiers) when the target is of `kind`, else a
 * function that registers nothing. A suite that does not depend on the database runs on one
 * kind and is absent from the other, so "skipped" in a run means only that something a test
 * needs (Chromium, a reachable PostgreSQL) is missing on this machine.
 */
export function onlyOn<F extends (...args: never[]) => unknown>(
  kind: DatabaseKind,
  target: DatabaseTarget,
  register: F,
): F {
  return target.kind === kind ? register : ((() => undefined) as unknown as F);
}

function registerSuite(kind: DatabaseKind, suite: (target: DatabaseTarget) => void): void {
  describe.skipIf(kind === "postgres" && !postgresReachable)(kind, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });
    suite(kind === "pglite" ? pgliteTarget(cleanups) : postgresTarget(cleanups));
  });
}
