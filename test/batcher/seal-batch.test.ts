// sealBatch and the Batcher loop on both databases: batches cut at MAX_BATCH in ingest
// order, leaf indexes 0..n-1 matching the stored tree, and on PostgreSQL concurrent sealers
// in separate pools never putting a record in two batches.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { Batcher } from "../../service/batcher/batcher.ts";
import { type SealedBatch, sealBatch } from "../../service/batcher/seal-batch.ts";
import { toHex } from "../../service/core/hex.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { getBatchLeaves, listBatches } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { countPending, insertRecords } from "../../service/db/records.ts";
import { SILENT_LOGGER } from "../../service/logger.ts";
import { randomBytesArray } from "../db/bytes.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";

/** Stores `count` pending records, one INSERT each so ingest order is the id order; returns their leaves. */
async function insertPending(db: Database, count: number): Promise<Uint8Array[]> {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const leaf = randomBytesArray(32);
    leaves.push(leaf);
    await insertRecords(db, [
      { id: `r${i}`, digest: randomBytesArray(32), salt: randomBytesArray(32), leaf },
    ]);
  }
  return leaves;
}

interface Placement {
  id: string;
  seq: number | null;
  leafIndex: number | null;
}

async function placements(db: Database): Promise<Placement[]> {
  return db.query<Placement>(`SELECT id, seq, leaf_index AS "leafIndex" FROM records ORDER BY pos`);
}

/** Every batch's stored leaves are exactly its records' leaves, in leaf-index order. */
async function expectBatchesMatchRecords(db: Database, recordCount: number): Promise<void> {
  const batches = await listBatches(db, { limit: 1000 });
  expect(batches.reduce((sum, b) => sum + b.size, 0)).toBe(recordCount);
  for (const batch of batches) {
    const rows = await db.query<{ leaf: Uint8Array; leafIndex: number }>(
      `SELECT leaf, leaf_index AS "leafIndex" FROM records WHERE seq = $1 ORDER BY leaf_index`,
      [batch.seq],
    );
    expect(rows.map((r) => r.leafIndex)).toEqual([...Array(batch.size).keys()]);
    const leaves = await getBatchLeaves(db, batch.seq);
    expect(leaves).toEqual(new Uint8Array(Buffer.concat(rows.map((r) => r.leaf))));
  }
}

forEachDatabase((target) => {
  let db: Database;
  let url: string | undefined;
  beforeAll(async () => {
    ({ db, url } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("cuts 12 pending records at MAX_BATCH=5 into batches of 5, 5, 2 in ingest order", async () => {
    const leaves = await insertPending(db, 12);
    const sealed: SealedBatch[] = [];
    for (let i = 0; i < 4; i++) {
      const batch = await sealBatch(db, 5);
      if (batch !== null) sealed.push(batch);
    }
    expect(sealed.map((b) => [b.seq, b.size])).toEqual([
      [0, 5],
      [1, 5],
      [2, 2],
    ]);
    expect(sealed.map((b) => b.root)).toEqual(
      [leaves.slice(0, 5), leaves.slice(5, 10), leaves.slice(10)].map((l) => toHex(treeRoot(buildTree(l)))),
    );
    expect(await placements(db)).toEqual(
      Array.from({ length: 12 }, (_, i) => ({ id: `r${i}`, seq: Math.floor(i / 5), leafIndex: i % 5 })),
    );
    expect(await countPending(db)).toBe(0);
    await expectBatchesMatchRecords(db, 12);
  });

  it("returns null and stores nothing when nothing is pending", async () => {
    expect(await sealBatch(db, 5)).toBeNull();
    expect(await listBatches(db, { limit: 10 })).toEqual([]);
  });

  it("the Batcher drains a backlog in full batches at once, not one per interval", async () => {
    await insertPending(db, 12);
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
    await insertRecords(
      db,
      Array.from({ length: 100 }, (_, i) => ({
        id: `c${i}`,
        digest: randomBytesArray(32),
        salt: randomBytesArray(32),
        leaf: randomBytesArray(32),
      })),
    );
    // PostgreSQL: two pools, i.e. separate sessions, as two service processes would have.
    const sealers = target.kind === "postgres" ? [db, target.connect(url as string), db] : [db, db, db];
    const results: Array<SealedBatch | null> = [];
    for (let round = 0; round < 3; round++) {
      results.push(...(await Promise.all(sealers.map((d) => sealBatch(d, 30)))));
    }
    const sealed = results.filter((r) => r !== null).sort((a, b) => a.seq - b.seq);
    expect(sealed.map((b) => [b.seq, b.size])).toEqual([
      [0, 30],
      [1, 30],
      [2, 30],
      [3, 10],
    ]);
    expect(await countPending(db)).toBe(0);
    await expectBatchesMatchRecords(db, 100);
  });
});
