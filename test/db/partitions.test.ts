// Partitions of the log (db/partitions.ts, en_ensure_partitions in migrations/003_log.sql):
// made ahead and idempotently, by several processes at once and while a group commit holds
// its lock; and an old partition detached and dropped (the operator's archiving, as
// docs/deployment.md tells it) without touching the hot ones: ingest, sealing and proofs of
// the rest go on, and an archived id is never taken again.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { markAnchored, markSent } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, logState } from "../../service/db/log.ts";
import { ensurePartitions, ensurePartitionsAhead } from "../../service/db/partitions.ts";
import { getRecord, getRecordWithPath } from "../../service/db/records.ts";
import { forEachDatabase, forPostgres, truncateAll, usePartitionSize } from "../helpers/databases.ts";
import { newRecord, randomBytesArray } from "./bytes.ts";

const LOG_TABLES = ["entries", "entry_groups", "batch_levels"];

async function partitionNames(db: Database): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = ANY($1::text[]::regclass[]) ORDER BY 1`,
    [LOG_TABLES],
  );
  return rows.map((row) => row.name);
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(async () => {
    await truncateAll(db);
    await usePartitionSize(db, 10);
  });

  it("makes the partition the log writes into and the next one, once, for all three tables", async () => {
    expect(await partitionNames(db)).toEqual(
      ["batch_levels", "entries", "entry_groups"].flatMap((t) => [`${t}_p0`, `${t}_p1`]),
    );
    expect(await ensurePartitionsAhead(db)).toBe(0);
    await appendEntries(
      db,
      Array.from({ length: 15 }, (_, i) => newRecord(`a-${i}`)),
    );
    expect(await ensurePartitionsAhead(db)).toBe(3);
    expect(await ensurePartitionsAhead(db)).toBe(0);
    expect((await partitionNames(db)).filter((n) => n.startsWith("entries_"))).toEqual([
      "entries_p0",
      "entries_p1",
      "entries_p2",
    ]);
    // Never below the index asked for: an archived partition is not made again.
    expect(await ensurePartitions(db, 45, 45)).toBe(3);
    expect((await partitionNames(db)).filter((n) => n.startsWith("entries_"))).toEqual([
      "entries_p0",
      "entries_p1",
      "entries_p2",
      "entries_p4",
    ]);
  });

  it("archives an old partition without touching the hot ones: ingest, sealing and proofs go on", async () => {
    await appendEntries(
      db,
      Array.from({ length: 25 }, (_, i) => newRecord(`h-${i}`)),
    );
    for (let sealed = await sealBatch(db, 100); sealed !== null; sealed = await sealBatch(db, 100)) {
      const sent = {
        txHash: randomBytesArray(32),
        nonce: sealed.seq,
        chainId: 1,
        contract: randomBytesArray(20),
      };
      await markSent(db, sealed.seq, sent);
      await markAnchored(db, sealed.seq, {
        blockNumber: 1,
        blockHash: randomBytesArray(32),
        blockTimestamp: 1,
      });
    }
    // The operator's steps (docs/deployment.md): detach partition 0 of the three tables, then drop (after dumping it).
    const detach = target.kind === "postgres" ? "DETACH PARTITION %s CONCURRENTLY" : "DETACH PARTITION %s";
    for (const table of LOG_TABLES) {
      await db.exec(`ALTER TABLE ${table} ${detach.replace("%s", `${table}_p0`)}`);
      await db.exec(`DROP TABLE ${table}_p0`);
    }
    expect(await getRecord(db, "h-3")).toBeNull();
    expect(await getRecordWithPath(db, "h-12")).toMatchObject({ seq: 1, leafIndex: 2, state: "anchored" });
    expect((await getRecordWithPath(db, "h-12"))?.path).toHaveLength(4 * 32);

    const appended = await appendEntries(db, [newRecord("h-3"), newRecord("new-1")]);
    expect(appended).toContainEqual(
      expect.objectContaining({ id: "h-3", created: false, digest: null, leaf: null }),
    );
    expect(appended).toContainEqual(expect.objectContaining({ id: "new-1", created: true, index: 25 }));
    expect(await sealBatch(db, 100)).toMatchObject({ firstIndex: 25, size: 1 });
    expect(await logState(db)).toMatchObject({ nextIndex: 26, sealedEnd: 26 });
  });
});

forPostgres((target) => {
  it("makes partitions while a group commit holds its lock, and from several processes at once", async () => {
    const { db, url } = await target.create();
    await usePartitionSize(db, 10);
    const others = [target.connect(url as string), target.connect(url as string)];
    // A group commit in progress: rows inserted into entries, log_state locked, not committed.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const open = db.transaction(async (tx) => {
      await appendEntries(tx, [newRecord("in-flight")]);
      inserted();
      await held;
    });
    await insertedSignal;
    try {
      const made = await Promise.race([
        Promise.all(others.map((o) => ensurePartitions(o, 30, 59))),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("making a partition waited for the group commit")), 10_000),
        ),
      ]);
      expect(made.reduce((a, b) => a + b, 0)).toBe(9);
    } finally {
      release();
      await open;
    }
    expect((await partitionNames(db)).filter((n) => n.startsWith("entries_"))).toEqual([
      "entries_p0",
      "entries_p1",
      "entries_p3",
      "entries_p4",
      "entries_p5",
    ]);
  });
});
