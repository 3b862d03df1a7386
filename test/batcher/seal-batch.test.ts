// sealBatch and the Batcher loop on both databases: batches cut at MAX_BATCH (and at a
// partition's end) in log order, each a range of the log whose leaves are its tree's; sealing
// writes the batch and never touches an entry (row versions compared on both databases,
// PostgreSQL's own update counters on the server); and on PostgreSQL concurrent sealers in
// separate pools never put a record in two batches.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Batcher } from "../../service/batcher/batcher.ts";
import { type SealedBatch, sealBatch } from "../../service/batcher/seal-batch.ts";
import { InvariantError } from "../../service/core/errors.ts";
import { toHex } from "../../service/core/hex.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { listBatches, storedLevels } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, countPending, rangeLeaves } from "../../service/db/log.ts";
import { getRecord } from "../../service/db/records.ts";
import { SILENT_LOGGER } from "../../service/logger.ts";
import { newRecord } from "../db/bytes.ts";
import { forEachDatabase, forPostgres, truncateAll, usePartitionSize } from "../helpers/databases.ts";

/** Appends `count` records, one group commit each, so the log order is the id order; returns their leaves. */
async function appendPending(db: Database, count: number, prefix = "r"): Promise<Uint8Array[]> {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const record = newRecord(`${prefix}${i}`);
    leaves.push(record.leaf);
    await appendEntries(db, [record]);
  }
  return leaves;
}

/** Batches are consecutive ranges of the log, from index 0, and each one's stored tree is the tree of its entries' leaves. */
async function expectBatchesCoverLog(db: Database, recordCount: number): Promise<void> {
  const batches = await listBatches(db, { limit: 1000 });
  let next = 0;
  for (const batch of batches) {
    expect(batch.firstIndex).toBe(next);
    next += batch.size;
    const tree = buildTree(await rangeLeaves(db, batch.firstIndex, batch.size));
    expect(batch.root).toEqual(treeRoot(tree));
    expect((await storedLevels(db, batch.firstIndex)).slice(1)).toEqual(tree.levels.slice(1));
  }
  expect(next).toBe(recordCount);
}

/** Every entry's physical row version: unchanged exactly when the row was not updated or rewritten. */
async function rowVersions(db: Database): Promise<string[]> {
  const rows = await db.query<{ v: string }>(
    "SELECT tableoid::regclass::text || ctid::text || xmin::text AS v FROM entries ORDER BY idx",
  );
  return rows.map((row) => row.v);
}

forEachDatabase((target) => {
  let db: Database;
  let url: string | undefined;
  beforeAll(async () => {
    ({ db, url } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("cuts 12 pending records at MAX_BATCH=5 into batches of 5, 5, 2 in log order", async () => {
    const leaves = await appendPending(db, 12);
    const sealed: SealedBatch[] = [];
    for (let i = 0; i < 4; i++) {
      const batch = await sealBatch(db, 5);
      if (batch !== null) sealed.push(batch);
    }
    expect(sealed.map((b) => [b.seq, b.firstIndex, b.size, b.morePending])).toEqual([
      [0, 0, 5, true],
      [1, 5, 5, true],
      [2, 10, 2, false],
    ]);
    expect(sealed.map((b) => b.root)).toEqual(
      [leaves.slice(0, 5), leaves.slice(5, 10), leaves.slice(10)].map((l) => toHex(treeRoot(buildTree(l)))),
    );
    for (let i = 0; i < 12; i++) {
      expect(await getRecord(db, `r${i}`)).toMatchObject({ seq: Math.floor(i / 5), leafIndex: i % 5 });
    }
    expect(await countPending(db)).toBe(0);
    await expectBatchesCoverLog(db, 12);
  });

  it("returns null and stores nothing when nothing is pending", async () => {
    expect(await sealBatch(db, 5)).toBeNull();
    expect(await listBatches(db, { limit: 10 })).toEqual([]);
  });

  it("writes the batch and never touches an entry: every row version stays as ingest wrote it", async () => {
    await appendEntries(
      db,
      Array.from({ length: 40 }, (_, i) => newRecord(`v${i}`)),
    );
    const before = await rowVersions(db);
    expect(before).toHaveLength(40);
    while ((await sealBatch(db, 7)) !== null) {}
    expect(await countPending(db)).toBe(0);
    expect(await rowVersions(db)).toEqual(before);
  });

  it("fails loudly, storing nothing, when an entry of the range is missing", async () => {
    await appendPending(db, 4);
    await db.query("DELETE FROM entries WHERE idx = 2");
    await expect(sealBatch(db, 10)).rejects.toThrow(InvariantError);
    expect(await listBatches(db, { limit: 10 })).toEqual([]);
  });

  it("the Batcher drains a backlog in full batches at once, not one per interval", async () => {
    await appendPending(db, 12);
    const sealed: SealedBatch[] = [];
    let done!: () => void;
    const third = new Promise<void>((resolve) => {
      done = resolve;
    });
    const batcher = new Batcher({
      db,
      maxBatch: 5,
      intervalMs: 3_600_000,
      log: SILENT_LOGGER,
      onSealed: (batch) => {
        sealed.push(batch);
        if (sealed.length === 3) done();
      },
      onError: (error) => {
        throw error;
      },
    });
    batcher.start();
    await third;
    await batcher.stop();
    expect(sealed.map((b) => b.size)).toEqual([5, 5, 2]);
    expect(await countPending(db)).toBe(0);
  });

  it("concurrent sealers never put a record in two batches", async () => {
    await appendEntries(
      db,
      Array.from({ length: 100 }, (_, i) => newRecord(`c${i}`)),
    );
    // PostgreSQL: two pools, i.e. separate sessions, as two service processes would have.
    const sealers = target.kind === "postgres" ? [db, target.connect(url as string), db] : [db, db, db];
    const results: Array<SealedBatch | null> = [];
    for (let round = 0; round < 3; round++) {
      results.push(...(await Promise.all(sealers.map((d) => sealBatch(d, 30)))));
    }
    const sealed = results.filter((r) => r !== null).sort((a, b) => a.seq - b.seq);
    expect(sealed.map((b) => [b.seq, b.firstIndex, b.size])).toEqual([
      [0, 0, 30],
      [1, 30, 30],
      [2, 60, 30],
      [3, 90, 10],
    ]);
    expect(await countPending(db)).toBe(0);
    await expectBatchesCoverLog(db, 100);
  });

  describe("partitions", () => {
    beforeAll(async () => {
      await truncateAll(db);
      await usePartitionSize(db, 8);
    });

    it("never lets a batch cross a partition boundary, so every partition holds whole batches", async () => {
      await appendEntries(
        db,
        Array.from({ length: 20 }, (_, i) => newRecord(`q${i}`)),
      );
      const sealed: SealedBatch[] = [];
      for (let batch = await sealBatch(db, 5); batch !== null; batch = await sealBatch(db, 5))
        sealed.push(batch);
      expect(sealed.map((b) => [b.firstIndex, b.size, b.morePending])).toEqual([
        [0, 5, true],
        [5, 3, true],
        [8, 5, true],
        [13, 3, true],
        [16, 4, false],
      ]);
      const levels = await db.query<{ part: string; first: number }>(
        "SELECT DISTINCT tableoid::regclass::text AS part, first_index AS first FROM batch_levels ORDER BY 2",
      );
      expect(levels).toEqual([
        { part: "batch_levels_p0", first: 0 },
        { part: "batch_levels_p0", first: 5 },
        { part: "batch_levels_p1", first: 8 },
        { part: "batch_levels_p1", first: 13 },
        { part: "batch_levels_p2", first: 16 },
      ]);
      await expectBatchesCoverLog(db, 20);
    });
  });
});

forPostgres((target) => {
  it("PostgreSQL's own counters: sealing 30,000 records updates and deletes no entry, no id, no group", async () => {
    const { db } = await target.create();
    const tables = ["entries", "entry_ids", "entry_groups"];
    // The statistics of every partition of the log's tables, and of the batches table as the witness.
    const counters = async () => {
      await db.query("SELECT pg_stat_clear_snapshot()");
      const [row] = await db.query<{ upd: number; hot: number; del: number; batches: number }>(
        `SELECT coalesce(sum(s.n_tup_upd), 0)::bigint AS upd, coalesce(sum(s.n_tup_hot_upd), 0)::bigint AS hot,
           coalesce(sum(s.n_tup_del), 0)::bigint AS del,
           (SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'batches'::regclass) AS batches
         FROM pg_stat_user_tables s
         WHERE s.schemaname = current_schema()
           AND (s.relname = ANY($1::text[]) OR s.relid IN (
             SELECT inhrelid FROM pg_inherits WHERE inhparent = ANY($1::text[]::regclass[])))`,
        [tables],
      );
      return row as { upd: number; hot: number; del: number; batches: number };
    };
    for (let g = 0; g < 3; g++) {
      await appendEntries(
        db,
        Array.from({ length: 10_000 }, (_, i) => newRecord(`s${g}-${i}`)),
      );
    }
    const before = await counters();
    const sealed: SealedBatch[] = [];
    for (let batch = await sealBatch(db, 10_000); batch !== null; batch = await sealBatch(db, 10_000)) {
      sealed.push(batch);
    }
    expect(sealed).toHaveLength(3);
    // Statistics reach the shared counters when a session goes idle: wait until the three
    // batch inserts show, which also brings any change the same transactions made to entries.
    const deadline = Date.now() + 20_000;
    let after = await counters();
    while (after.batches < before.batches + 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await counters();
    }
    expect(after.batches).toBe(before.batches + 3);
    expect({ upd: after.upd, hot: after.hot, del: after.del }).toEqual({
      upd: before.upd,
      hot: before.hot,
      del: before.del,
    });
    expect(before).toMatchObject({ upd: 0, hot: 0, del: 0 });
  });
});
