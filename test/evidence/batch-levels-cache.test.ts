// BatchLevelsCache on both databases: it serves a sealed batch's stored levels (equal to the
// tree built from its leaves), reads each batch once while it stays cached, drops the least
// recently used batch beyond its byte budget, and does not keep a failed read.
import { beforeAll, expect, it } from "vitest";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { buildTree } from "../../service/core/merkle.ts";
import type { Database, Queryable } from "../../service/db/database.ts";
import { insertRecords } from "../../service/db/records.ts";
import { BatchLevelsCache } from "../../service/evidence/batch-levels-cache.ts";
import { randomBytesArray } from "../db/bytes.ts";
import { forEachDatabase } from "../helpers/databases.ts";

/** The database, counting the queries that go through it. */
function counting(db: Database): { q: Queryable; count: () => number } {
  let n = 0;
  const q: Queryable = {
    query: (sql, params) => {
      n++;
      return db.query(sql, params);
    },
    exec: (sql) => db.exec(sql),
  };
  return { q, count: () => n };
}

forEachDatabase((target) => {
  let db: Database;
  const leaves: Uint8Array[][] = [];

  beforeAll(async () => {
    db = (await target.create()).db;
    for (let seq = 0; seq < 3; seq++) {
      const batch = Array.from({ length: 5 + seq }, () => randomBytesArray(32));
      await insertRecords(
        db,
        batch.map((leaf, i) => ({
          id: `b${seq}-${i}`,
          digest: randomBytesArray(32),
          salt: randomBytesArray(32),
          leaf,
        })),
      );
      await sealBatch(db, 1000);
      leaves.push(batch);
    }
  });

  it("serves the stored levels of a batch, equal to the tree of its leaves, reading it once", async () => {
    const { q, count } = counting(db);
    const cache = new BatchLevelsCache();
    for (let seq = 0; seq < 3; seq++) {
      const expected = buildTree(leaves[seq] as Uint8Array[]).levels;
      expect(await cache.levels(q, seq)).toEqual(expected);
      expect(await cache.levels(q, seq)).toEqual(expected);
    }
    expect(count()).toBe(3);
  });

  it("drops the least recently used batch beyond its byte budget", async () => {
    const { q, count } = counting(db);
    // Batch 0 has 5 leaves: 5 + 3 + 2 + 1 nodes of 32 bytes = 352 bytes; batch 1 has 6 leaves.
    const cache = new BatchLevelsCache(800);
    await cache.levels(q, 0);
    await cache.levels(q, 1);
    await cache.levels(q, 0); // 0 is now the most recent
    await cache.levels(q, 2); // over budget: 1 goes
    expect(count()).toBe(3);
    await cache.levels(q, 0);
    expect(count()).toBe(3);
    await cache.levels(q, 1);
    expect(count()).toBe(4);
  });

  it("does not keep a failed read", async () => {
    let fail = true;
    const q: Queryable = {
      query: (sql, params) => (fail ? Promise.reject(new Error("connection lost")) : db.query(sql, params)),
      exec: (sql) => db.exec(sql),
    };
    const cache = new BatchLevelsCache();
    await expect(cache.levels(q, 0)).rejects.toThrow("connection lost");
    fail = false;
    expect(await cache.levels(q, 0)).toEqual(buildTree(leaves[0] as Uint8Array[]).levels);
  });
});
