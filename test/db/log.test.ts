// The log's group commit (db/log.ts) on both databases: dense indexes in array order, one
// entry per id, partitions crossed and made when missing; and on PostgreSQL, several pools
// appending at once (as several API processes do) leave a gap-free log that every reader sees
// as a prefix, with each id stored once.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvariantError } from "../../service/core/errors.ts";
import type { Database, Queryable } from "../../service/db/database.ts";
import {
  type AppendedEntry,
  appendEntries,
  countPending,
  logState,
  oldestPendingReceivedAt,
  rangeLeaves,
} from "../../service/db/log.ts";
import { forEachDatabase, forPostgres, truncateAll, usePartitionSize } from "../helpers/databases.ts";
import { newRecord } from "./bytes.ts";

async function storedLog(db: Queryable): Promise<Array<{ idx: number; id: string; leaf: Uint8Array }>> {
  return db.query("SELECT idx, id, leaf FROM entries ORDER BY idx");
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("appends 10,000 records in one statement, at dense indexes in array order", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => newRecord(`tx-${i}`));
    let statements = 0;
    const counting: Queryable = {
      query: (sql, params) => {
        statements++;
        return db.query(sql, params);
      },
      exec: (script) => db.exec(script),
    };
    const appended = await appendEntries(counting, rows);
    expect(statements).toBe(1);
    expect(appended).toHaveLength(10_000);
    expect(appended.every((e) => e.created)).toBe(true);
    const byId = new Map(appended.map((e) => [e.id, e]));
    expect(rows.map((r) => byId.get(r.id)?.index)).toEqual([...Array(10_000).keys()]);
    expect(appended[0]?.receivedAt).toBeInstanceOf(Date);
    expect(await logState(db)).toEqual({
      nextIndex: 10_000,
      sealedEnd: 0,
      partitionSize: expect.any(Number),
    });
    expect(await countPending(db)).toBe(10_000);
    const leaves = await rangeLeaves(db, 9_998, 2);
    expect(leaves).toEqual(new Uint8Array([...(rows[9_998]?.leaf ?? []), ...(rows[9_999]?.leaf ?? [])]));
  });

  it("stores each id once: a stored id or a repeat comes back as found, with what is stored", async () => {
    const a = newRecord("a");
    const b = newRecord("b");
    expect((await appendEntries(db, [a, b])).map((e) => [e.id, e.created, e.index])).toEqual([
      ["a", true, 0],
      ["b", true, 1],
    ]);
    const conflictingA = newRecord("a");
    const c = newRecord("c");
    const appended = await appendEntries(db, [conflictingA, { ...b }, c, newRecord("c")]);
    const byId = new Map<string, AppendedEntry>(appended.map((e) => [e.id, e]));
    expect(appended).toHaveLength(3);
    expect(byId.get("c")).toMatchObject({ created: true, index: 2 });
    expect(byId.get("a")).toMatchObject({ created: false, index: 0, digest: a.digest, leaf: a.leaf });
    expect(byId.get("b")).toMatchObject({ created: false, index: 1, digest: b.digest });
    // The first of a repeated id is the one stored.
    expect((await storedLog(db)).map((e) => e.leaf)).toEqual([a.leaf, b.leaf, c.leaf]);
    // A group of duplicates only reserves nothing and writes nothing.
    expect((await appendEntries(db, [a])).map((e) => e.created)).toEqual([false]);
    expect((await logState(db)).nextIndex).toBe(3);
    expect(await appendEntries(db, [])).toEqual([]);
  });

  it("round-trips every byte value of digest, salt and leaf as plain Uint8Arrays", async () => {
    const all = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    await appendEntries(db, [{ id: "bytes", digest: all, salt: new Uint8Array(32), leaf: all }]);
    const [stored] = await db.query<{ digest: Uint8Array; salt: Uint8Array; leaf: Uint8Array }>(
      "SELECT digest, salt, leaf FROM entries",
    );
    for (const value of [stored?.digest, stored?.salt, stored?.leaf]) {
      expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
    }
    expect(stored).toEqual({ digest: all, salt: new Uint8Array(32), leaf: all });
    await expect(
      appendEntries(db, [{ id: "short", digest: all, salt: new Uint8Array(31), leaf: all }]),
    ).rejects.toThrow(InvariantError);
  });

  it("knows how far the log is written and sealed, and when the oldest pending record came", async () => {
    expect(await oldestPendingReceivedAt(db)).toBeNull();
    await appendEntries(db, ["p", "q"].map(newRecord));
    expect(await oldestPendingReceivedAt(db)).toBeInstanceOf(Date);
    await expect(rangeLeaves(db, 1, 2)).rejects.toThrow(InvariantError);
  });

  describe("partitions", () => {
    beforeAll(async () => {
      await truncateAll(db);
      await usePartitionSize(db, 8);
    });

    it("splits a group across partitions, making the missing ones, each group row within one", async () => {
      const rows = Array.from({ length: 30 }, (_, i) => newRecord(`p-${i}`));
      await appendEntries(db, rows.slice(0, 5));
      await appendEntries(db, rows.slice(5));
      const placed = await db.query<{ part: string; n: number; lo: number; hi: number }>(
        "SELECT tableoid::regclass::text AS part, count(*) AS n, min(idx) AS lo, max(idx) AS hi FROM entries GROUP BY 1 ORDER BY 3",
      );
      expect(placed).toEqual([
        { part: "entries_p0", n: 8, lo: 0, hi: 7 },
        { part: "entries_p1", n: 8, lo: 8, hi: 15 },
        { part: "entries_p2", n: 8, lo: 16, hi: 23 },
        { part: "entries_p3", n: 6, lo: 24, hi: 29 },
      ]);
      const groups = await db.query<{ first: number; count: number }>(
        "SELECT first_index AS first, count FROM entry_groups ORDER BY first_index",
      );
      expect(groups).toEqual([
        { first: 0, count: 5 },
        { first: 5, count: 3 },
        { first: 8, count: 8 },
        { first: 16, count: 8 },
        { first: 24, count: 6 },
      ]);
      expect((await storedLog(db)).map((e) => e.id)).toEqual(rows.map((r) => r.id));
    });
  });
});

forPostgres((target) => {
  it("several processes appending at once leave one gap-free log, seen by every reader as a prefix, each id once", async () => {
    const { db, url } = await target.create();
    await usePartitionSize(db, 64);
    const pools = [db, target.connect(url as string), target.connect(url as string)];
    const reader = target.connect(url as string);
    let appending = true;
    const gaps: string[] = [];
    let reads = 0;
    const reading = (async () => {
      while (appending) {
        const [seen] = await reader.query<{ n: number; hi: number | null; next: number }>(
          "SELECT count(*) AS n, max(idx) AS hi, (SELECT next_index FROM log_state) AS next FROM entries",
        );
        reads++;
        if (seen !== undefined && (seen.n !== (seen.hi ?? -1) + 1 || seen.next !== seen.n)) {
          gaps.push(JSON.stringify(seen));
        }
      }
    })();
    // Ids overlap between the pools: every one of the 300 ids is submitted by all three.
    const results = await Promise.all(
      pools.map(async (pool, p) => {
        const found: AppendedEntry[] = [];
        for (let group = 0; group < 30; group++) {
          const ids = Array.from({ length: 10 }, (_, i) => `id-${(group * 10 + i + p * 7) % 300}`);
          found.push(...(await appendEntries(pool, ids.map(newRecord))));
        }
        return found;
      }),
    );
    appending = false;
    await reading;
    expect(gaps).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    const log = await storedLog(db);
    expect(log.map((e) => e.idx)).toEqual([...Array(300).keys()]);
    expect(new Set(log.map((e) => e.id)).size).toBe(300);
    const [ids] = await db.query<{ n: number }>("SELECT count(*) AS n FROM entry_ids");
    expect(ids?.n).toBe(300);
    const created = results.flat().filter((e) => e.created);
    expect(created).toHaveLength(300);
    expect(new Set(created.map((e) => e.id)).size).toBe(300);
    // Whoever found an id already stored was told the index it is stored at.
    const indexOf = new Map(log.map((e) => [e.id, e.idx]));
    for (const e of results.flat()) expect(e.index).toBe(indexOf.get(e.id));
  });
});
