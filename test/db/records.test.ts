import { beforeAll, beforeEach, expect, it } from "vitest";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { insertBatch, nextSeq } from "../../service/db/batches.ts";
import type { Database, Queryable } from "../../service/db/database.ts";
import {
  assignToBatch,
  countPending,
  deleteSalt,
  findRecordsByIds,
  getRecord,
  insertRecords,
  type NewRecord,
  oldestPendingReceivedAt,
  selectPendingForSeal,
} from "../../service/db/records.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";
import { randomBytesArray } from "./bytes.ts";

function newRecord(id: string): NewRecord {
  return { id, digest: randomBytesArray(32), salt: randomBytesArray(32), leaf: randomBytesArray(32) };
}

/** Seals `ids` (in that order) into the next batch, as the batcher does. */
async function sealIds(db: Database, ids: string[], leaves: Uint8Array[]): Promise<number> {
  return db.transaction(async (tx) => {
    const seq = await nextSeq(tx);
    const tree = buildTree(leaves);
    await insertBatch(tx, { seq, root: treeRoot(tree), size: tree.size, levels: tree.levels });
    expect(await assignToBatch(tx, seq, ids)).toBe(ids.length);
    return seq;
  });
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("inserts 10,000 records in one statement, keeping their order as ingest order", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => newRecord(`tx-${i}`));
    let statements = 0;
    const counting: Queryable = {
      query: (sql, params) => {
        statements++;
        return db.query(sql, params);
      },
      exec: (script) => db.exec(script),
    };
    const inserted = await insertRecords(counting, rows);
    expect(statements).toBe(1);
    expect(inserted).toHaveLength(10_000);
    expect(inserted[0]?.receivedAt).toBeInstanceOf(Date);
    expect(await countPending(db)).toBe(10_000);
    const pending = await selectPendingForSeal(db, 20_000);
    expect(pending.map((p) => p.id)).toEqual(rows.map((r) => r.id));
    expect(pending[9_999]?.leaf).toEqual(rows[9_999]?.leaf);
  });

  it("skips ids already stored or repeated, and returns only the rows it inserted", async () => {
    const a = newRecord("a");
    const b = newRecord("b");
    expect((await insertRecords(db, [a, b])).map((r) => r.id)).toEqual(["a", "b"]);
    const retryOfB = { ...b };
    const conflictingA = newRecord("a");
    const c = newRecord("c");
    const inserted = await insertRecords(db, [conflictingA, retryOfB, c, newRecord("c")]);
    expect(inserted.map((r) => r.id)).toEqual(["c"]);

    const stored = new Map((await findRecordsByIds(db, ["a", "b", "missing"])).map((r) => [r.id, r]));
    expect([...stored.keys()].sort()).toEqual(["a", "b"]);
    expect(stored.get("a")?.digest).toEqual(a.digest);
    expect(stored.get("a")?.digest).not.toEqual(conflictingA.digest);
    expect(stored.get("b")?.digest).toEqual(retryOfB.digest);
    expect(await insertRecords(db, [])).toEqual([]);
    expect(await findRecordsByIds(db, [])).toEqual([]);
  });

  it("round-trips every byte value as a plain Uint8Array", async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const row = { id: "bytes", digest: all, salt: Buffer.from([0, 255, 0]), leaf: new Uint8Array(32) };
    await insertRecords(db, [row]);
    const [stored] = await findRecordsByIds(db, ["bytes"]);
    for (const value of [stored?.digest, stored?.salt, stored?.leaf]) {
      expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
    }
    expect(stored?.digest).toEqual(all);
    expect(stored?.salt).toEqual(new Uint8Array([0, 255, 0]));
    expect(stored?.leaf).toEqual(new Uint8Array(32));
  });

  it("selects pending records oldest first, and only pending ones", async () => {
    expect(await oldestPendingReceivedAt(db)).toBeNull();
    const rows = ["c", "a", "b", "e", "d"].map(newRecord);
    await insertRecords(db, rows.slice(0, 3));
    await insertRecords(db, rows.slice(3));
    expect((await selectPendingForSeal(db, 3)).map((p) => p.id)).toEqual(["c", "a", "b"]);
    expect(await oldestPendingReceivedAt(db)).toBeInstanceOf(Date);

    await sealIds(db, ["c", "a"], [rows[0]?.leaf, rows[1]?.leaf] as Uint8Array[]);
    expect((await selectPendingForSeal(db, 10)).map((p) => p.id)).toEqual(["b", "e", "d"]);
    expect(await countPending(db)).toBe(3);
  });

  it("assigns leaf indexes in the given order, once, and shows the batch on the record", async () => {
    const rows = ["r0", "r1", "r2"].map(newRecord);
    await insertRecords(db, rows);
    const pendingRecord = await getRecord(db, "r2");
    expect(pendingRecord).toMatchObject({ id: "r2", seq: null, leafIndex: null, state: null, root: null });
    expect(pendingRecord?.pos).toBeTypeOf("number");

    const seq = await sealIds(db, ["r1", "r0"], [rows[1]?.leaf, rows[0]?.leaf] as Uint8Array[]);
    expect(seq).toBe(0);
    const sealed = await getRecord(db, "r0");
    expect(sealed).toMatchObject({ id: "r0", seq: 0, leafIndex: 1, state: "sealed", size: 2, txHash: null });
    expect(sealed?.root).toHaveLength(32);
    expect(sealed?.sealedAt).toBeInstanceOf(Date);
    expect(sealed?.digest).toEqual(rows[0]?.digest);
    expect((await getRecord(db, "r1"))?.leafIndex).toBe(0);

    // Already sealed: a second assignment changes nothing.
    expect(await assignToBatch(db, seq, ["r0"])).toBe(0);
    // (seq, leaf_index) is unique.
    await expect(
      db.query("UPDATE records SET seq = 0, leaf_index = 0 WHERE id = 'r2'"),
    ).rejects.toMatchObject({
      code: "23505",
    });
    // A batch that does not exist is refused (the foreign key is checked at commit).
    await expect(assignToBatch(db, 7, ["r2"])).rejects.toMatchObject({ code: "23503" });
    expect(await getRecord(db, "missing")).toBeNull();
  });

  it("deletes a salt once (crypto-shredding) and keeps the rest of the record", async () => {
    await insertRecords(db, [newRecord("shred")]);
    expect(await deleteSalt(db, "shred")).toBe(true);
    expect(await deleteSalt(db, "shred")).toBe(false);
    expect(await deleteSalt(db, "missing")).toBe(false);
    const record = await getRecord(db, "shred");
    expect(record?.salt).toBeNull();
    expect(record?.leaf).toHaveLength(32);
  });
});
