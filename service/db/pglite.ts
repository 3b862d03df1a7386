// PGlite: PostgreSQL compiled to WASM, running in this process with one session. PGlite
// queues every query and transaction itself, so a query outside a transaction waits for it.
// There is no second session to compete with, so an advisory lock only has to be exclusive
// within this process: a set of held keys.
import { mkdir } from "node:fs/promises";
import { PGlite, types } from "@electric-sql/pglite";
import type { AdvisoryLock, Database, PreparedSql, Queryable } from "./database.ts";
import { byteaFromHex, byteaToHex, parseInt8 } from "./database.ts";
import { LocalChannels } from "./notifications.ts";

interface PgliteSession {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(script: string): Promise<unknown>;
}

function wrap(session: PgliteSession): Queryable {
  return {
    async query<T>(sql: string | PreparedSql, params?: unknown[]): Promise<T[]> {
      return (await session.query<T>(typeof sql === "string" ? sql : sql.text, params)).rows;
    },
    async exec(script: string): Promise<void> {
      await session.exec(script);
    },
  };
}

export interface PgliteOptions {
  /** A data directory dumped by PGlite's dumpDataDir(), to skip initdb (tests). */
  loadDataDir?: Blob;
}

/** Opens PGlite with its files in `dataDir`, or in memory when `dataDir` is undefined. */
export async function openPglite(
  dataDir: string | undefined,
  options: PgliteOptions = {},
): Promise<Database> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
    // The rules in database.ts. PGlite's own bytea encoder and decoder work byte by byte in
    // JS: about 0.5 s per MB, minutes for a large batch's leaf level. Node's hex is native.
    parsers: { [types.INT8]: parseInt8, [types.BYTEA]: byteaFromHex },
    serializers: { [types.BYTEA]: byteaToHex },
  });
  const heldKeys = new Set<string>();
  const lostSignals = new Set<() => void>();
  const direct = wrap(pglite);
  const channels = new LocalChannels();
  let closing: Promise<void> | undefined;

  return {
    kind: "pglite",
    query: direct.query,
    exec: direct.exec,
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    async tryAcquireLock(key: bigint | number): Promise<AdvisoryLock | null> {
      const id = String(key);
      if (heldKeys.has(id)) return null;
      heldKeys.add(id);
      let signalLost: () => void = () => {};
      const lost = new Promise<void>((resolve) => {
        signalLost = resolve;
      });
      lostSignals.add(signalLost);
      return {
        lost,
        async release() {
          lostSignals.delete(signalLost);
          heldKeys.delete(id);
        },
      };
    },
    async ping() {
      await pglite.query("SELECT 1");
    },
    // No other process can open this database: delivering in this process is all there is.
    async notify(channel, payload) {
      channels.emit(channel, payload);
    },
    async listen(channel, listener) {
      return channels.add(channel, listener);
    },
    close() {
      closing ??= (async () => {
        // Closing ends the only session, which is what losing a lock means.
        for (const signal of lostSignals) signal();
        lostSignals.clear();
        heldKeys.clear();
        await pglite.close();
      })();
      return closing;
    },
  };
}
