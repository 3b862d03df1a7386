// Reading records (db/records.ts) on both databases: by id with the batch whose range holds
// it, with its audit path in the same statement once anchored (equal to merkle.inclusionPath
// for every leaf of trees of many sizes), and listed by time in pages (erasure: erasures.test.ts).
import { beforeAll, beforeEach, expect, it } from "vitest";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { buildTree, HASH_BYTES, inclusionPath } from "../../service/core/merkle.ts";
import { markAnchored, markSent } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, type NewRecord } from "../../service/db/log.ts";
import {
  getRecord,
  getRecordWithPath,
  listRecordsReceived,
  type RecordWithBatch,
} from "../../service/db/records.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";
import { newRecord, randomBytesArray } from "./bytes.ts";

/** Seals everything pending in batches of `maxBatch` and records each as anchored. */
async function sealAndAnchorAll(db: Database, maxBatch: number): Promise<void> {
  for (;;) {
    const sealed = await sealBatch(db, maxBatch);
    if (sealed === null) return;
    const sent = {
      txHash: randomBytesArray(32),
      nonce: sealed.seq,
      chainId: 31337,
      contract: randomBytesArray(20),
    };
    await markSent(db, sealed.seq, sent);
    await markAnchored(db, sealed.seq, {
      blockNumber: 7,
      blockHash: randomBytesArray(32),
      blockTimestamp: 1,
    });
  }
}

function pathNodes(path: Uint8Array | null): Uint8Array[] {
  const bytes = path ?? new Uint8Array(0);
  return Array.from({ length: bytes.length / HASH_BYTES }, (_, i) =>
    bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES),
  );
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("shows a record pending, then in the batch whose range holds it, at its leaf index", async () => {
    const rows = ["r0", "r1", "r2"].map(newRecord);
    await appendEntries(db, rows);
    const pending = await getRecord(db, "r2");
    expect(pending).toMatchObject({
      id: "r2",
      index: 2,
      seq: null,
      leafIndex: null,
      state: null,
      root: null,
    });
    expect(pending?.digest).toEqual(rows[2]?.digest);
    expect(await sealBatch(db, 2)).toMatchObject({ seq: 0, firstIndex: 0, size: 2 });
    expect(await sealBatch(db, 2)).toMatchObject({ seq: 1, firstIndex: 2, size: 1 });
    const sealed = await getRecord(db, "r1");
    expect(sealed).toMatchObject({ id: "r1", seq: 0, firstIndex: 0, leafIndex: 1, state: "sealed", size: 2 });
    expect(sealed?.sealedAt).toBeInstanceOf(Date);
    expect(await getRecord(db, "r2")).toMatchObject({ seq: 1, leafIndex: 0, size: 1 });
    // Not anchored: no path is read.
    expect((await getRecordWithPath(db, "r1"))?.path).toBeNull();
    expect(await getRecord(db, "missing")).toBeNull();
    expect(await getRecordWithPath(db, "missing")).toBeNull();
  });

  it("reads an anchored record's audit path in the same statement, equal to inclusionPath for every leaf", async () => {
    const sizes = [1, 2, 3, 5, 8, 13, 100];
    const groups: NewRecord[][] = sizes.map((size, b) =>
      Array.from({ length: size }, (_, i) => newRecord(`b${b}-${i}`)),
    );
    let first = 0;
    for (const group of groups) {
      await appendEntries(db, group);
      await sealAndAnchorAll(db, group.length);
      const tree = buildTree(group.map((r) => r.leaf));
      for (const [i, record] of group.entries()) {
        const row = (await getRecordWithPath(db, record.id)) as RecordWithBatch & { path: Uint8Array | null };
        expect(row, record.id).toMatchObject({
          firstIndex: first,
          leafIndex: i,
          size: group.length,
          state: "anchored",
        });
        expect(pathNodes(row.path), record.id).toEqual(inclusionPath(tree, i));
      }
      first += group.length;
    }
  });

  it("lists records received in a window, oldest first, in pages", async () => {
    const before = new Date(Date.now() - 60_000);
    for (let g = 0; g < 4; g++) {
      await appendEntries(
        db,
        Array.from({ length: 3 }, (_, i) => newRecord(`w${g}-${i}`)),
      );
    }
    await sealAndAnchorAll(db, 5);
    const window = { from: before, to: new Date(Date.now() + 60_000) };
    const seen: string[] = [];
    let after: number | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await listRecordsReceived(db, {
        ...window,
        ...(after === undefined ? {} : { after }),
        limit: 5,
      });
      seen.push(...rows.map((r) => r.id));
      if (rows.length < 5) break;
      after = rows[rows.length - 1]?.index;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, n) => `w${Math.floor(n / 3)}-${n % 3}`));
    const all = await listRecordsReceived(db, { ...window, limit: 100 });
    expect(all.map((r) => r.receivedAt.getTime())).toEqual(
      [...all.map((r) => r.receivedAt.getTime())].sort((a, b) => a - b),
    );
    expect(all[11]).toMatchObject({ id: "w3-2", seq: 2, leafIndex: 1 });
    expect(
      await listRecordsReceived(db, { from: window.to, to: new Date(window.to.getTime() + 1), limit: 5 }),
    ).toEqual([]);
    expect(await listRecordsReceived(db, { ...window, after: 11, limit: 5 })).toEqual([]);
  });
});
