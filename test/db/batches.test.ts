import { beforeAll, beforeEach, expect, it } from "vitest";
import { InvalidArgumentError, InvariantError } from "../../service/core/errors.ts";
import { auditPathPositions, buildTree, inclusionPath, treeRoot } from "../../service/core/merkle.ts";
import {
  batchesToAnchor,
  firstBatchInState,
  getBatch,
  getBatchLeaves,
  insertBatch,
  listBatches,
  markAnchored,
  markSent,
  nextSeq,
  proofNodes,
  recordAnchorError,
} from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";
import { randomBytesArray } from "./bytes.ts";

/** Stores a batch of `size` random leaves as the next seq; returns its tree. */
async function storeTree(db: Database, size: number) {
  const tree = buildTree(Array.from({ length: size }, () => randomBytesArray(32)));
  const seq = await nextSeq(db);
  await insertBatch(db, { seq, root: treeRoot(tree), size, levels: tree.levels });
  return { seq, tree };
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it.each([1, 2, 3, 5, 8, 1000])(
    "reads the same audit paths as merkle.inclusionPath for %i leaves",
    async (size) => {
      const { seq, tree } = await storeTree(db, size);
      const indexes =
        size <= 8 ? [...Array(size).keys()] : [0, 1, 2, 255, 256, 511, 512, 513, 767, 998, size - 1];
      for (const index of indexes) {
        const nodes = await proofNodes(db, seq, auditPathPositions(index, size));
        expect(nodes, `leaf ${index}`).toEqual(inclusionPath(tree, index));
      }
      expect(await getBatchLeaves(db, seq)).toEqual(tree.levels[0]);
      expect(await getBatch(db, seq)).toMatchObject({
        seq,
        root: treeRoot(tree),
        size,
        state: "sealed",
        attempts: 0,
      });
    },
  );

  it("stores the levels uncompressed (STORAGE EXTERNAL), so substring reads only the chunks it needs", async () => {
    const rows = await db.query<{ storage: string }>(
      `SELECT a.attstorage AS storage FROM pg_attribute a
       WHERE a.attrelid = 'batch_levels'::regclass AND a.attname = 'nodes'`,
    );
    expect(rows).toEqual([{ storage: "e" }]);
  });

  it("refuses levels that are not a tree of the stated size, and positions outside it", async () => {
    const tree = buildTree([randomBytesArray(32), randomBytesArray(32), randomBytesArray(32)]);
    const root = treeRoot(tree);
    await expect(insertBatch(db, { seq: 0, root, size: 4, levels: tree.levels })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(
      insertBatch(db, { seq: 0, root: randomBytesArray(32), size: 3, levels: tree.levels }),
    ).rejects.toThrow(InvalidArgumentError);
    await insertBatch(db, { seq: 0, root, size: 3, levels: tree.levels });
    await expect(proofNodes(db, 0, [{ level: 0, index: 3 }])).rejects.toThrow(InvariantError);
    await expect(proofNodes(db, 1, [{ level: 0, index: 0 }])).rejects.toThrow(InvariantError);
    expect(await proofNodes(db, 0, [])).toEqual([]);
    expect(await getBatchLeaves(db, 1)).toBeNull();
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
