import { randomInt } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { InvariantError } from "../../service/core/errors.ts";
import { type Database, openDatabase } from "../../service/db/database.ts";
import { appendEntries, countPending } from "../../service/db/log.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { forEachDatabase, onlyOn, truncateAll } from "../helpers/databases.ts";
import { newRecord as record } from "./bytes.ts";

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A lock key of its own per test, so parallel test files never hold the same one. */
const freshKey = () => randomInt(1, 2 ** 31 - 1);

forEachDatabase((target) => {
  const onPostgres = target.kind === "postgres";
  let db: Database;
  let url: string | undefined;
  beforeAll(async () => {
    ({ db, url } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("commits a transaction's writes, and rolls them all back when it throws", async () => {
    const result = await db.transaction(async (tx) => {
      await appendEntries(tx, [record("kept")]);
      return "done";
    });
    expect(result).toBe("done");
    const failure = new Error("boom");
    await expect(
      db.transaction(async (tx) => {
        await appendEntries(tx, [record("lost-1")]);
        await appendEntries(tx, [record("lost-2")]);
        throw failure;
      }),
    ).rejects.toBe(failure);
    // A failed statement aborts the transaction; the error is the database's.
    await expect(
      db.transaction(async (tx) => {
        await appendEntries(tx, [record("lost-3")]);
        await tx.query("SELECT 1 / 0");
      }),
    ).rejects.toMatchObject({ code: "22012" });
    const ids = await db.query<{ id: string }>("SELECT id FROM entries ORDER BY id");
    expect(ids).toEqual([{ id: "kept" }]);
  });

  it("never shows a transaction's uncommitted writes to a query outside it", async () => {
    let inserted: () => void = () => {};
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const transaction = db.transaction(async (tx) => {
      await appendEntries(tx, [record("uncommitted")]);
      inserted();
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw new Error("roll back");
    });
    await insertedSignal;
    // Postgres answers at once from its snapshot; PGlite queues the query behind the transaction.
    expect(await countPending(db)).toBe(0);
    await expect(transaction).rejects.toThrow("roll back");
    expect(await countPending(db)).toBe(0);
  });

  it("returns int8 as a number, refuses one a double cannot hold, and stays usable", async () => {
    const [row] = await db.query<Record<string, unknown>>(
      "SELECT 9007199254740991::bigint AS big, count(*) AS n, now() AS at, '\\x00ff'::bytea AS b, 7::smallint AS s",
    );
    expect(row).toEqual({ big: 2 ** 53 - 1, n: 1, at: expect.any(Date), b: new Uint8Array([0, 255]), s: 7 });
    expect(Object.getPrototypeOf(row?.b)).toBe(Uint8Array.prototype);
    await expect(db.query("SELECT 9007199254740992::bigint AS n")).rejects.toThrow(InvariantError);
    await expect(db.transaction((tx) => tx.query("SELECT (-9007199254740992)::bigint AS n"))).rejects.toThrow(
      InvariantError,
    );
    // int8 parameters may be number, bigint or decimal text.
    const params = await db.query<{ a: number; b: number; c: number }>(
      "SELECT $1::bigint AS a, $2::bigint AS b, $3::bigint AS c",
      [5, 6n, "7"],
    );
    expect(params).toEqual([{ a: 5, b: 6, c: 7 }]);
    await db.ping();
  });

  it("holds an advisory lock exclusively until it is released", async () => {
    const key = freshKey();
    const first = await db.tryAcquireLock(key);
    expect(first).not.toBeNull();
    expect(await db.tryAcquireLock(key)).toBeNull();
    const other = await db.tryAcquireLock(BigInt(key) + 1n);
    expect(other).not.toBeNull();
    await first?.release();
    await first?.release();
    const again = await db.tryAcquireLock(key);
    expect(again).not.toBeNull();
    await again?.release();
    await other?.release();
    // Released, not lost: `lost` stays pending.
    const settled = await Promise.race([first?.lost.then(() => "lost"), Promise.resolve("pending")]);
    expect(settled).toBe("pending");
  });

  onlyOn(
    "postgres",
    target,
    it,
  )("excludes other sessions; killing the holder's session loses the lock", async () => {
    const key = freshKey();
    const other = target.connect(url as string);
    const held = await db.tryAcquireLock(key);
    expect(held).not.toBeNull();
    expect(await other.tryAcquireLock(key)).toBeNull();

    // The key is mixed with the schema: the same key in another schema is another lock.
    const elsewhere = (await target.create({ migrate: false })).db;
    const unrelated = await elsewhere.tryAcquireLock(key);
    expect(unrelated).not.toBeNull();
    await unrelated?.release();

    const killed = await other.query<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objid::bigint = $1 AND database =
         (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [key],
    );
    expect(killed).toEqual([{ killed: true }]);
    await held?.lost;
    let taken: Awaited<ReturnType<Database["tryAcquireLock"]>> = null;
    await eventually(async () => {
      taken = await other.tryAcquireLock(key);
      return taken !== null;
    });
    await held?.release();
    await (taken as { release(): Promise<void> } | null)?.release();
  });

  onlyOn(
    "postgres",
    target,
    it,
  )("survives the death of idle pooled connections", async () => {
    const errors: Error[] = [];
    const pool = openPostgres(url as string, { max: 2, onError: (error) => errors.push(error) });
    try {
      const [own] = await pool.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      await db.query("SELECT pg_terminate_backend($1)", [own?.pid]);
      await eventually(async () => errors.length > 0);
      await expect(pool.query("SELECT 1 AS one")).resolves.toEqual([{ one: 1 }]);
    } finally {
      await pool.close();
    }
  });

  onlyOn(
    "pglite",
    target,
    it,
  )("loses every advisory lock when the instance closes", async () => {
    const { db: own } = await target.create({ migrate: false });
    const held = await own.tryAcquireLock(freshKey());
    await own.close();
    await expect(held?.lost).resolves.toBeUndefined();
  });

  it("opens PostgreSQL for a DATABASE_URL, else PGlite under the data directory", async () => {
    if (onPostgres) {
      const opened = await openDatabase({ databaseUrl: url, dataDir: "/nonexistent" });
      expect(opened.kind).toBe("postgres");
      await opened.ping();
      await opened.close();
      return;
    }
    const dataDir = await mkdtemp(join(tmpdir(), "en-db-"));
    try {
      const opened = await openDatabase({ dataDir });
      expect(opened.kind).toBe("pglite");
      await opened.ping();
      await opened.close();
      expect(await readdir(join(dataDir, "pglite"))).toContain("PG_VERSION");
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
