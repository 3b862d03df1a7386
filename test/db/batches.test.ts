import { beforeAll, beforeEach, expect, it } from "vitest";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import {
  batchesToAnchor,
  firstBatchInState,
  getBatch,
  insertBatch,
  listBatches,
  markAnchored,
  markSent,
  nextSeq,
  recordAnchorError,
  storedLevels,
} from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";
import { randomBytesArray } from "./bytes.ts";

/** Stores a batch of `size` random leaves as the next seq, its range right after the previous one; returns its tree. */
async function storeTree(db: Database, size: number) {
  const tree = buildTree(Array.from({ length: size }, () => randomBytesArray(32)));
  const seq = await nextSeq(db);
  const [end] = await db.query<{ end: number }>(
    'SELECT coalesce(max(first_index + size), 0) AS "end" FROM batches',
  );
  const firstIndex = end?.end ?? 0;
  await insertBatch(db, { seq, firstIndex, root: treeRoot(tree), size, levels: tree.levels });
  return { seq, firstIndex, tree };
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it.each([1, 2, 3, 5, 8, 1000])(
    "stores levels 1 and up of a tree of %i leaves, never the leaves themselves",
    async (size) => {
      const { seq, firstIndex, tree } = await storeTree(db, size);
      const levels = await storedLevels(db, firstIndex);
      expect(levels[0]).toEqual(new Uint8Array(0));
      expect(levels.slice(1)).toEqual(tree.levels.slice(1));
      const [level0] = await db.query<{ n: number }>(
        "SELECT count(*) AS n FROM batch_levels WHERE first_index = $1 AND level = 0",
        [firstIndex],
      );
      expect(level0?.n).toBe(0);
      expect(await getBatch(db, seq)).toMatchObject({
        seq,
        firstIndex,
        root: treeRoot(tree),
        size,
        state: "sealed",
        attempts: 0,
      });
    },
  );

  it("stores the levels uncompressed (STORAGE EXTERNAL) in every partition, so substring reads only the chunk it needs", async () => {
    const rows = await db.query<{ storage: string }>(
      `SELECT DISTINCT a.attstorage AS storage FROM pg_attribute a
       WHERE a.attname = 'nodes' AND a.attrelid IN (
         SELECT 'batch_levels'::regclass UNION ALL
         SELECT inhrelid FROM pg_inherits WHERE inhparent = 'batch_levels'::regclass)`,
    );
    expect(rows).toEqual([{ storage: "e" }]);
  });

  it("refuses levels that are not a tree of the stated size, and a second batch at the same first index", async () => {
    const tree = buildTree([randomBytesArray(32), randomBytesArray(32), randomBytesArray(32)]);
    const root = treeRoot(tree);
    await expect(
      insertBatch(db, { seq: 0, firstIndex: 0, root, size: 4, levels: tree.levels }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      insertBatch(db, { seq: 0, firstIndex: 0, root: randomBytesArray(32), size: 3, levels: tree.levels }),
    ).rejects.toThrow(InvalidArgumentError);
    await insertBatch(db, { seq: 0, firstIndex: 0, root, size: 3, levels: tree.levels });
    await expect(
      insertBatch(db, { seq: 1, firstIndex: 0, root, size: 3, levels: tree.levels }),
    ).rejects.toMatchObject({ code: "23505" });
    expect(await storedLevels(db, 3)).toEqual([new Uint8Array(0)]);
    expect(await getBatch(db, 1)).toBeNull();
  });

  it("numbers batches densely from 0 and pages them by seq", async () => {
    expect(await nextSeq(db)).toBe(0);
    for (let i = 0; i < 5; i++) await storeTree(db, i + 1);
    expect(await nextSeq(db)).toBe(5);
    expect((await listBatches(db, { limit: 2 })).map((b) => b.seq)).toEqual([0, 1]);
    expect((await listBatches(db, { after: 1, limit: 2 })).map((b) => b.seq)).toEqual([2, 3]);
    expect((await listBatches(db, { after: 3, limit: 10 })).map((b) => [b.seq, b.size])).toEqual([[4, 5]]);
    expect(await listBatches(db, { after: 4, limit: 10 })).toEqual([]);
  });

  it("moves a batch sealed -> sent -> anchored, counting failed attempts", async () => {
    await storeTree(db, 2);
    await storeTree(db, 3);
    expect((await batchesToAnchor(db)).map((b) => b.seq)).toEqual([0, 1]);
    expect((await firstBatchInState(db, ["sent"])) ?? null).toBeNull();
    expect(await recordAnchorError(db, 0, "rpc timeout")).toBe(1);
    expect(await recordAnchorError(db, 0, "nonce too low")).toBe(2);
    expect(await recordAnchorError(db, 9, "unknown batch")).toBe(0);

    const sent = { txHash: randomBytesArray(32), nonce: 7, chainId: 31337, contract: randomBytesArray(20) };
    expect(await markSent(db, 0, sent)).toBe(true);
    const afterSend = await getBatch(db, 0);
    expect(afterSend).toMatchObject({ state: "sent", txHash: sent.txHash, txNonce: 7, chainId: 31337 });
    expect(afterSend).toMatchObject({ contract: sent.contract, attempts: 2, lastError: "nonce too low" });
    expect(afterSend?.sentAt).toBeInstanceOf(Date);
    expect((await firstBatchInState(db, ["sealed", "sent"]))?.seq).toBe(0);
    expect((await firstBatchInState(db, ["sealed"]))?.seq).toBe(1);

    const inclusion = { blockNumber: 123, blockHash: randomBytesArray(32), blockTimestamp: 1_760_000_000 };
    expect(await markAnchored(db, 0, inclusion)).toBe(true);
    expect(await markAnchored(db, 0, inclusion)).toBe(false);
    expect(await markSent(db, 0, sent)).toBe(false);
    const anchored = await getBatch(db, 0);
    expect(anchored).toMatchObject({ state: "anchored", ...inclusion, txHash: sent.txHash });
    expect(anchored?.anchoredAt).toBeInstanceOf(Date);
    expect((await batchesToAnchor(db)).map((b) => b.seq)).toEqual([1]);

    // Reconciliation may find the batch anchored by another transaction than the one recorded.
    const otherTx = randomBytesArray(32);
    expect(await markAnchored(db, 1, { ...inclusion, txHash: otherTx })).toBe(true);
    expect((await getBatch(db, 1))?.txHash).toEqual(otherTx);
    expect(await batchesToAnchor(db)).toEqual([]);
  });
});
