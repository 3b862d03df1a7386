// The one seam between the service and its storage: PostgreSQL through a `pg.Pool`, or PGlite
// (Postgres compiled to WASM, in process) for tests and single-node installs. Query files
// take a `Queryable`, so the same SQL runs on both.
//
// Value rules, the same on both drivers (set as type parsers in each adapter, so no caller
// ever converts):
//  - bytea comes back as a plain Uint8Array (never a Buffer); pass Uint8Array (or Buffer) in.
//  - int8 (bigint, count(*)) comes back as a JS number. Every int8 we store (seq, pos, nonce,
//    block number, chain id, unix seconds) fits in 2^53, so a value that does not is an
//    error when read, never a silently rounded number.
//  - timestamptz comes back as a Date.
//  - Parameters are always `$n`; pass int8 parameters as number, bigint or decimal string.
import { join } from "node:path";
import { InvariantError } from "../core/errors.ts";
import type { Listener } from "./notifications.ts";

/**
 * A statement run often enough to prepare: the PostgreSQL adapter parses and plans it once per
 * session, under `name`, and then sends only its parameters (PGlite runs its text). Name only
 * statements whose tables keep their columns while the service runs.
 */
export interface PreparedSql {
  readonly name: string;
  readonly text: string;
}

export function prepared(name: string, text: string): PreparedSql {
  return { name, text };
}

export interface Queryable {
  /** One statement with `$n` parameters; returns its rows. */
  query<T = Record<string, unknown>>(sql: string | PreparedSql, params?: unknown[]): Promise<T[]>;
  /** A script of several statements without parameters (migrations only). */
  exec(script: string): Promise<void>;
}

export interface AdvisoryLock {
  /** Unlocks and closes the lock's session. */
  release(): Promise<void>;
  /** Resolves when the lock was lost without release() (its session ended); never resolves otherwise. */
  readonly lost: Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /**
   * Runs `fn` inside BEGIN/COMMIT on one session; ROLLBACK when it throws (the error is
   * rethrown). Do not call `transaction` again inside `fn` (on PGlite it would wait forever).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Session-level advisory lock held on a dedicated connection until released or the process
   * dies: leader election between service processes. Returns null if another session holds it.
   */
  tryAcquireLock(key: bigint | number): Promise<AdvisoryLock | null>;
  ping(): Promise<void>;
  /**
   * Tells every listener on `channel` (see notifications.ts): in this process at once, and on
   * PostgreSQL in every other process on the same schema. Best effort: never throws (a
   * failure is logged), since it only ever shortens a wait that has its own deadline.
   */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * Calls `listener` for each notification on `channel` from now on (once this resolves),
   * and with undefined when some may have been missed. Returns the function that stops it.
   */
  listen(channel: string, listener: Listener): Promise<() => void>;
  /** Releases held locks and closes every session; calling it again returns the same promise. */
  close(): Promise<void>;
}

/**
 * Advisory lock keys. Postgres scopes advisory locks to a database, not a schema; the SQL
 * below mixes the current schema into every key, so deployments (and test files) sharing one
 * database in different schemas never wait for each other.
 */
export const LOCK_KEYS = {
  /** Held (session-level) by the one process applying migrations. */
  migrate: 0x4e4f_0001,
  /** Held (transaction-level) while a batch is sealed. */
  seal: 0x4e4f_0002,
  /** Held (session-level) by the one process that seals and anchors. */
  leader: 0x4e4f_0003,
} as const;

/** SQL for lock key parameter `$n`, scoped to the current schema (see LOCK_KEYS). */
export function lockKeySql(n: number): string {
  return `($${n}::bigint # (hashtext(current_schema())::bigint << 32))`;
}

/** Takes transaction-level advisory lock `$1` (a LOCK_KEYS value), waiting for it; released at COMMIT/ROLLBACK. */
export const advisoryXactLockSql = `SELECT pg_advisory_xact_lock(${lockKeySql(1)})`;

/** bytea in hex output format (`\x0aff…`) -> Uint8Array that owns its memory. */
export function byteaFromHex(text: string): Uint8Array {
  const buffer = Buffer.from(text.slice(2), "hex");
  // Small Buffers are views into a shared pool; copy those so callers own their bytes.
  return buffer.byteLength === buffer.buffer.byteLength
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
}

/** Uint8Array -> bytea hex input text, by Node's native hex encoder (PGlite's own is far slower). */
export function byteaToHex(value: unknown): string {
  if (!(value instanceof Uint8Array)) return String(value);
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}`;
}

/** Text of an int8 value -> number, refusing values a double cannot hold exactly. */
export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new InvariantError(`int8 value ${text} does not fit in a JS number`, { value: text });
  }
  return value;
}

export interface OpenDatabaseOptions {
  /** postgres://… selects PostgreSQL; without it, PGlite stores its files in `${dataDir}/pglite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined && options.databaseUrl !== "") {
    const { openPostgres } = await import("./postgres.ts");
    return openPostgres(options.databaseUrl);
  }
  const { openPglite } = await import("./pglite.ts");
  return openPglite(join(options.dataDir, "pglite"));
}
