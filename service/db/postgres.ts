// PostgreSQL through a pg.Pool. A transaction holds one pooled client from BEGIN to
// COMMIT/ROLLBACK; an advisory lock holds its own client outside the pool, so that the lock
// lives exactly as long as that session and a dead session shows up as `lost`.
import pg from "pg";
import type { AdvisoryLock, Database, Queryable } from "./database.ts";
import { byteaFromHex, lockKeySql, parseInt8 } from "./database.ts";

const BYTEA_OID = 17;
const INT8_OID = 20;

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
  /** How often a held advisory lock's session is probed, so a silent network loss is noticed; default 5000. */
  lockHeartbeatMs?: number;
}

function wrap(client: pg.Pool | pg.PoolClient | pg.Client): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      const result = await client.query(sql, params);
      return result.rows as T[];
    },
    async exec(script: string): Promise<void> {
      await client.query(script);
    },
  };
}

export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const onError = options.onError ?? ((error: Error) => console.warn(`database: ${error.message}`));
  const config: pg.ClientConfig = { connectionString: url, types: TYPES, keepAlive: true };
  const pool = new pg.Pool({ ...config, max: options.max ?? 10 });
  // An idle client whose connection dies emits 'error' on the pool; unhandled, it would crash.
  pool.on("error", onError);
  const locks = new Set<AdvisoryLock>();

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // While checked out, a client has no pool listener: keep a connection loss from crashing.
    let broken: Error | undefined;
    const onClientError = (error: Error) => {
      broken = error;
    };
    client.on("error", onClientError);
    try {
      await client.query("BEGIN");
      try {
        const result = await fn(wrap(client));
        await client.query("COMMIT");
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
  let closing: Promise<void> | undefined;
  return {
    kind: "postgres",
    query: direct.query,
    exec: direct.exec,
    transaction,
    async tryAcquireLock(key) {
      const lock = await acquireSessionLock(config, key, options.lockHeartbeatMs ?? 5000, onError);
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
      await pool.query("SELECT 1");
    },
    close() {
      closing ??= (async () => {
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
