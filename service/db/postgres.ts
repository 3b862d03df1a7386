// PostgreSQL through a pg.Pool. A transaction holds one pooled client from BEGIN to
// COMMIT/ROLLBACK; an advisory lock holds its own client outside the pool, so that the lock
// lives exactly as long as that session and a dead session shows up as `lost`.
//
// Losing the server is not a bug: every call here turns a lost or refused connection into
// UnavailableError (HTTP 503 + Retry-After), so callers need no driver knowledge, and a
// connection attempt gives up after CONNECT_TIMEOUT_MS instead of hanging on a silent network.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { UnavailableError } from "../service-errors.ts";
import type { AdvisoryLock, Database, PreparedSql, Queryable } from "./database.ts";
import { byteaFromHex, lockKeySql, parseInt8 } from "./database.ts";
import { assertChannel, LocalChannels, scopedChannelSql } from "./notifications.ts";
import { PostgresListener } from "./postgres-listener.ts";

const BYTEA_OID = 17;
const INT8_OID = 20;
const CONNECT_TIMEOUT_MS = 5000;

/** bytea -> Uint8Array; pg's own parser (a Buffer) only for the legacy escape format. */
function parseBytea(text: string): Uint8Array {
  if (text.startsWith("\\x")) return byteaFromHex(text);
  return new Uint8Array(pg.types.getTypeParser(BYTEA_OID)(text) as Buffer);
}

const TYPES = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (format === undefined || format === "text") {
      if (oid === BYTEA_OID) return parseBytea;
      if (oid === INT8_OID) return parseInt8;
    }
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PostgresOptions {
  /** Pool size; default 10. */
  max?: number;
  /** Told about errors of idle pooled connections and of lock sessions; default console.warn. */
  onError?: (error: Error) => void;
  /** How often a held advisory lock's session, and the notification session, are probed, so a silent network loss is noticed; default 5000. */
  lockHeartbeatMs?: number;
}

/** SQLSTATE classes and codes that mean the session is gone or cannot be had, not a bad statement. */
const CONNECTION_SQLSTATE = /^(08|57P0[123]|53300)/;
const CONNECTION_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Query read timeout|Client was closed|ECONNREFUSED|ECONNRESET/i;

/** The server could not be reached or the session died (as opposed to a statement that failed). */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return CONNECTION_SQLSTATE.test(error.code ?? "");
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return true;
  return error instanceof Error && CONNECTION_MESSAGES.test(error.message);
}

/** Runs `call`, turning a connection loss into UnavailableError; other errors pass unchanged. */
async function reachable<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isConnectionLoss(error)) throw error;
    throw new UnavailableError("the database is unavailable; retry shortly", { cause: error });
  }
}

function wrap(client: pg.Pool | pg.PoolClient | pg.Client): Queryable {
  return {
    async query<T>(sql: string | PreparedSql, params?: unknown[]): Promise<T[]> {
      const result = await reachable(() =>
        typeof sql === "string"
          ? client.query(sql, params)
          : client.query({ name: sql.name, text: sql.text, values: params ?? [] }),
      );
      return result.rows as T[];
    },
    async exec(script: string): Promise<void> {
      await reachable(() => client.query(script));
    },
  };
}

export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const onError = options.onError ?? ((error: Error) => console.warn(`database: ${error.message}`));
  const config: pg.ClientConfig = {
    connectionString: url,
    types: TYPES,
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  };
  const pool = new pg.Pool({ ...config, max: options.max ?? 10 });
  // An idle client whose connection dies emits 'error' on the pool; unhandled, it would crash.
  pool.on("error", onError);
  const locks = new Set<AdvisoryLock>();

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await reachable(() => pool.connect());
    // While checked out, a client has no pool listener: keep a connection loss from crashing.
    let broken: Error | undefined;
    const onClientError = (error: Error) => {
      broken = error;
    };
    client.on("error", onClientError);
    try {
      const tx = wrap(client);
      await tx.exec("BEGIN");
      try {
        const result = await fn(tx);
        await tx.exec("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackError) {
          broken ??= rollbackError as Error;
        }
        throw error;
      }
    } finally {
      client.off("error", onClientError);
      client.release(broken);
    }
  }

  const direct = wrap(pool);
  const channels = new LocalChannels();
  const origin = randomBytes(6).toString("hex");
  const listener = new PostgresListener({
    config,
    origin,
    channels,
    heartbeatMs: options.lockHeartbeatMs ?? 5000,
    onError,
  });
  let closing: Promise<void> | undefined;
  return {
    kind: "postgres",
    query: direct.query,
    exec: direct.exec,
    transaction,
    async tryAcquireLock(key) {
      const lock = await reachable(() =>
        acquireSessionLock(config, key, options.lockHeartbeatMs ?? 5000, onError),
      );
      if (lock === null) return null;
      locks.add(lock);
      lock.lost.then(() => locks.delete(lock));
      return {
        lost: lock.lost,
        release: async () => {
          locks.delete(lock);
          await lock.release();
        },
      };
    },
    async ping() {
      await direct.exec("SELECT 1");
    },
    async notify(channel, payload) {
      assertChannel(channel);
      channels.emit(channel, payload);
      try {
        await direct.query(`SELECT pg_notify(${scopedChannelSql(1)}, $2)`, [channel, `${origin}|${payload}`]);
      } catch (error) {
        onError(error as Error);
      }
    },
    async listen(channel, onNotify) {
      const remove = channels.add(channel, onNotify);
      await listener.listen(channel);
      return remove;
    },
    close() {
      closing ??= (async () => {
        await listener.close();
        await Promise.allSettled([...locks].map((lock) => lock.release()));
        await pool.end();
      })();
      return closing;
    },
  };
}

/**
 * pg_try_advisory_lock on a client of its own. The lock lives as long as that session: when
 * the connection errors, ends, or fails a heartbeat (also bounded by a query timeout, for a
 * network that goes silent), `lost` resolves and the session is closed.
 */
async function acquireSessionLock(
  config: pg.ClientConfig,
  key: bigint | number,
  heartbeatMs: number,
  onError: (error: Error) => void,
): Promise<AdvisoryLock | null> {
  const client = new pg.Client({
    ...config,
    query_timeout: heartbeatMs,
    connectionTimeoutMillis: heartbeatMs,
  });
  const keyParam = [String(key)];
  let done = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let signalLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => {
    signalLost = resolve;
  });
  const finish = async (): Promise<void> => {
    done = true;
    clearInterval(heartbeat);
    await client.end().catch(() => {});
  };
  const onLost = (error?: Error): void => {
    if (done) return;
    if (error !== undefined) onError(error);
    signalLost();
    void finish();
  };
  client.on("error", onLost);
  client.on("end", () => onLost());

  try {
    await client.connect();
    const result = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(${lockKeySql(1)}) AS locked`,
      keyParam,
    );
    if (result.rows[0]?.locked !== true) {
      await finish();
      return null;
    }
  } catch (error) {
    await finish();
    throw error;
  }
  heartbeat = setInterval(() => {
    client.query("SELECT 1").catch(onLost);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    lost,
    async release() {
      if (done) return;
      done = true;
      clearInterval(heartbeat);
      // Ending the session would release the lock too; unlocking first says so explicitly.
      await client.query(`SELECT pg_advisory_unlock(${lockKeySql(1)})`, keyParam).catch(() => {});
      await finish();
    },
  };
}
