// Erasure and legal hold at the storage level (service/erasure/, db/erasures.ts,
// db/legal-holds.ts), on both databases: what an erasure removes and what it keeps, the
// erasure entry it appends to the log (a leaf of its statement, sealed like a record), the
// hold that blocks it, idempotency, records erased before and after their batch is sealed,
// and on PostgreSQL the one update it makes, concurrent erasures, and the announcement every
// process hears at commit.
import { createHash } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { statementDigest } from "../../service/core/erasure-statement.ts";
import { toHex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { getBatch } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, logState } from "../../service/db/log.ts";
import { onRecordChanged } from "../../service/db/record-changed.ts";
import { getRecord } from "../../service/db/records.ts";
import { type ErasureOutcome, eraseRecords } from "../../service/erasure/erase-records.ts";
import { liftLegalHold, placeLegalHold } from "../../service/erasure/legal-hold.ts";
import { forEachDatabase, forPostgres, truncateAll } from "../helpers/databases.ts";
import { newRecord } from "./bytes.ts";

const REQUEST = { reason: "the customer asked (Art. 17)", reference: "DSR-1", erasedBy: "key00001" };

interface EntryRow {
  idx: number;
  kind: number;
  id: string;
  digest: Uint8Array | null;
  salt: Uint8Array | null;
  leaf: Uint8Array;
  receivedAt: Date;
}

const entries = (db: Database) =>
  db.query<EntryRow>(
    'SELECT idx, kind, id, digest, salt, leaf, received_at AS "receivedAt" FROM entries ORDER BY idx',
  );

const erased = (outcome: ErasureOutcome | undefined) => {
  if (outcome?.outcome !== "erased" && outcome?.outcome !== "already_erased") {
    throw new Error(`not erased: ${JSON.stringify(outcome)}`);
  }
  return outcome.erasure;
};

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("removes the digest and salt, keeps the rest, and appends the statement's leaf to the log", async () => {
    const records = ["r0", "r1", "r2"].map(newRecord);
    await appendEntries(db, records);
    const before = await entries(db);
    const started = Date.now();
    const [outcome] = await eraseRecords(db, ["r1"], REQUEST);
    const erasure = erased(outcome);
    expect(outcome?.outcome).toBe("erased");

    const after = await entries(db);
    expect(after).toHaveLength(4);
    // The erased entry: only its digest and salt are gone.
    expect(after[1]).toEqual({ ...before[1], digest: null, salt: null });
    // Its neighbours are untouched.
    expect([after[0], after[2]]).toEqual([before[0], before[2]]);
    // The erasure entry: kind 1, labelled with the record's id, a leaf of its statement.
    const entry = after[3] as EntryRow;
    expect(entry).toMatchObject({ idx: 3, kind: 1, id: "erasure:r1" });
    const { text, digest } = statementDigest(erasure.statement);
    expect(toHex(entry.digest as Uint8Array)).toBe(toHex(digest));
    expect(toHex(entry.leaf)).toBe(toHex(hashLeaf(entry.salt as Uint8Array, digest)));
    // printf '%s' "$statement" | sha256sum: the digest is of the statement's JCS text.
    expect(toHex(digest)).toBe(`0x${createHash("sha256").update(text).digest("hex")}`);

    expect(erasure.statement).toEqual({
      format: "erasure-statement/v1",
      erasedLeaf: toHex(records[1]?.leaf as Uint8Array),
      erasedAt: erasure.erasedAt,
      reference: "DSR-1",
    });
    const at = Date.parse(erasure.erasedAt);
    expect(at).toBeGreaterThanOrEqual(started - 5000);
    expect(at).toBeLessThanOrEqual(Date.now() + 5000);
    expect(entry.receivedAt.toISOString()).toBe(erasure.erasedAt);

    // The reason is stored for the operator, and is in the statement nowhere.
    const [row] = await db.query<Record<string, unknown>>("SELECT * FROM erasures");
    expect(row).toMatchObject({ reason: REQUEST.reason, erased_by: "key00001", reference: "DSR-1" });
    expect(row?.statement).toBe(text);
    expect(text).not.toContain("Art. 17");
    expect((await logState(db)).nextIndex).toBe(4);

    // The record reads as erased: no digest, no salt, its erasure beside it.
    const record = await getRecord(db, "r1");
    expect(record).toMatchObject({ digest: null, salt: null, erasureReference: "DSR-1" });
    expect(record?.erasedAt?.toISOString()).toBe(erasure.erasedAt);
    expect(toHex(record?.leaf as Uint8Array)).toBe(toHex(records[1]?.leaf as Uint8Array));
  });

  it("erasing again is the same erasure, whatever the new reference; unknown ids are not found", async () => {
    await appendEntries(db, ["a", "b"].map(newRecord));
    const [first] = await eraseRecords(db, ["a"], REQUEST);
    const [again] = await eraseRecords(db, ["a"], { ...REQUEST, reference: "DSR-2", reason: "again" });
    expect(again?.outcome).toBe("already_erased");
    expect(erased(again)).toEqual(erased(first));
    expect((await logState(db)).nextIndex).toBe(3);
    expect(await db.query("SELECT reason FROM erasures")).toEqual([{ reason: REQUEST.reason }]);

    const outcomes = await eraseRecords(db, ["nope", "b", "b", "a"], REQUEST);
    expect(outcomes.map((o) => [o.id, o.outcome])).toEqual([
      ["nope", "not_found"],
      ["b", "erased"],
      ["b", "already_erased"],
      ["a", "already_erased"],
    ]);
    expect(erased(outcomes[2])).toEqual(erased(outcomes[1]));
    expect((await logState(db)).nextIndex).toBe(4);
  });

  it("a legal hold blocks the erasure and changes nothing; lifted, the record can be erased; an erased record cannot be held", async () => {
    await appendEntries(db, ["held", "free"].map(newRecord));
    const placed = await placeLegalHold(db, "held", { reference: "court-7", placedBy: "admin001" });
    expect(placed).toMatchObject({ outcome: "held", hold: { reference: "court-7" } });
    const before = await entries(db);

    const outcomes = await eraseRecords(db, ["held", "free"], REQUEST);
    expect(outcomes.map((o) => o.outcome)).toEqual(["legal_hold", "erased"]);
    expect(outcomes[0]).toMatchObject({ hold: { reference: "court-7" } });
    const after = await entries(db);
    expect(after[0]).toEqual(before[0]);
    expect(after.map((e) => e.id)).toEqual(["held", "free", "erasure:free"]);

    // The same reference again changes nothing; another one replaces it.
    const same = await placeLegalHold(db, "held", { reference: "court-7", placedBy: "admin002" });
    expect(same).toEqual(placed);
    const other = await placeLegalHold(db, "held", { reference: "court-8", placedBy: "admin002" });
    expect(other).toMatchObject({ outcome: "held", hold: { reference: "court-8" } });
    expect(await getRecord(db, "held")).toMatchObject({ holdReference: "court-8" });

    expect(await liftLegalHold(db, "held")).toMatchObject({ outcome: "lifted" });
    expect(await liftLegalHold(db, "held")).toEqual({ outcome: "not_held" });
    expect(await liftLegalHold(db, "nope")).toEqual({ outcome: "not_found" });
    expect(await getRecord(db, "held")).toMatchObject({ holdReference: null, holdPlacedAt: null });
    expect((await eraseRecords(db, ["held"], REQUEST))[0]?.outcome).toBe("erased");

    expect(await placeLegalHold(db, "free", { reference: "late", placedBy: "admin001" })).toMatchObject({
      outcome: "erased",
    });
    expect(await placeLegalHold(db, "nope", { reference: "x", placedBy: "admin001" })).toEqual({
      outcome: "not_found",
    });
  });

  it("a record erased before its batch is sealed: the batch seals with its leaf, and the erasure entry with it", async () => {
    const records = ["p0", "p1"].map(newRecord);
    await appendEntries(db, records);
    await eraseRecords(db, ["p0"], REQUEST);
    const sealed = await sealBatch(db, 100);
    expect(sealed).toMatchObject({ seq: 0, firstIndex: 0, size: 3 });
    const leaves = (await entries(db)).map((e) => e.leaf);
    expect(toHex(leaves[0] as Uint8Array)).toBe(toHex(records[0]?.leaf as Uint8Array));
    const batch = await getBatch(db, 0);
    expect(toHex(batch?.root as Uint8Array)).toBe(
      toHex(treeRoot(buildTree(Uint8Array.from(leaves.flatMap((l) => [...l]))))),
    );
    expect(await getRecord(db, "p0")).toMatchObject({ seq: 0, leafIndex: 0, digest: null });
  });

  it("a record erased after its batch is sealed: the batch is unchanged, and the erasure entry goes into a later one", async () => {
    const records = ["s0", "s1", "s2"].map(newRecord);
    await appendEntries(db, records);
    const sealed = await sealBatch(db, 100);
    expect(sealed).toMatchObject({ seq: 0, size: 3 });
    const root = (await getBatch(db, 0))?.root as Uint8Array;
    await eraseRecords(db, ["s1"], REQUEST);
    expect(toHex((await getBatch(db, 0))?.root as Uint8Array)).toBe(toHex(root));
    // The tree of the original leaves is still the batch's tree.
    expect(toHex(root)).toBe(
      toHex(treeRoot(buildTree(Uint8Array.from(records.flatMap((r) => [...r.leaf]))))),
    );
    expect(await sealBatch(db, 100)).toMatchObject({ seq: 1, firstIndex: 3, size: 1 });
    expect((await entries(db))[3]).toMatchObject({ kind: 1, id: "erasure:s1" });
  });

  it("a record whose salt was deleted by hand cannot be erased: the erasure would hide it", async () => {
    await appendEntries(db, [newRecord("hand")]);
    await db.query("UPDATE entries SET salt = NULL WHERE id = 'hand'");
    await expect(eraseRecords(db, ["hand"], REQUEST)).rejects.toThrow(/no erasure of it is recorded/);
    expect(await db.query("SELECT count(*)::int AS n FROM erasures")).toEqual([{ n: 0 }]);
    expect((await logState(db)).nextIndex).toBe(1);
  });

  it("erases many records in one call, in one transaction", async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `m${i}`);
    await appendEntries(db, ids.map(newRecord));
    const outcomes = await eraseRecords(db, ids, REQUEST);
    expect(outcomes.every((o) => o.outcome === "erased")).toBe(true);
    const [counts] = await db.query<{ gone: number; kind1: number; erasures: number }>(
      `SELECT (SELECT count(*)::int FROM entries WHERE kind = 0 AND digest IS NULL AND salt IS NULL) AS gone,
         (SELECT count(*)::int FROM entries WHERE kind = 1) AS kind1,
         (SELECT count(*)::int FROM erasures) AS erasures`,
    );
    expect(counts).toEqual({ gone: 2000, kind1: 2000, erasures: 2000 });
    // Each erasure entry follows the log: 2000 .. 3999, in the order of the ids.
    const [last] = await db.query<{ idx: number; erasedIdx: number }>(
      `SELECT erasure_idx AS idx, idx AS "erasedIdx" FROM erasures ORDER BY erasure_idx DESC LIMIT 1`,
    );
    expect(last).toEqual({ idx: 3999, erasedIdx: 1999 });
  });
});

forPostgres((target) => {
  describe("on PostgreSQL", () => {
    it("the erasure is the one update of an entry: one per record erased; sealing after it updates none", async () => {
      const { db } = await target.create();
      await appendEntries(
        db,
        Array.from({ length: 50 }, (_, i) => newRecord(`u${i}`)),
      );
      const counters = async () => {
        await db.query("SELECT pg_stat_clear_snapshot()");
        const [row] = await db.query<{ upd: number; del: number; ins: number }>(
          `SELECT coalesce(sum(n_tup_upd), 0)::int AS upd, coalesce(sum(n_tup_del), 0)::int AS del,
             coalesce(sum(n_tup_ins), 0)::int AS ins
           FROM pg_stat_user_tables WHERE schemaname = current_schema()
             AND relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'entries'::regclass)`,
        );
        return row as { upd: number; del: number; ins: number };
      };
      const settle = async (ins: number) => {
        const deadline = Date.now() + 20_000;
        let now = await counters();
        while (now.ins < ins && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          now = await counters();
        }
        return now;
      };
      const before = await settle(50);
      await eraseRecords(db, ["u1", "u7", "u30"], REQUEST);
      const erasedNow = await settle(53);
      expect(erasedNow).toEqual({ upd: before.upd + 3, del: before.del, ins: before.ins + 3 });
      for (let b = await sealBatch(db, 20); b !== null; b = await sealBatch(db, 20));
      await db.query(
        "INSERT INTO entries (idx, kind, id, leaf, received_at) VALUES (999999, 0, 'witness', '\\x00', now())",
      );
      const sealedNow = await settle(54);
      expect({ upd: sealedNow.upd, del: sealedNow.del }).toEqual({ upd: erasedNow.upd, del: erasedNow.del });
    });

    it("concurrent erasures of one record from two processes make one erasure", async () => {
      const { db, url } = await target.create();
      const other = target.connect(url as string);
      await appendEntries(db, ["race", "x", "y"].map(newRecord));
      const outcomes = await Promise.all([
        eraseRecords(db, ["race", "x"], REQUEST),
        eraseRecords(other, ["y", "race"], { ...REQUEST, reference: "DSR-other" }),
      ]);
      const race = outcomes.flat().filter((o) => o.id === "race");
      expect(race.map((o) => o.outcome).sort()).toEqual(["already_erased", "erased"]);
      expect(erased(race[0])).toEqual(erased(race[1]));
      expect(await db.query("SELECT count(*)::int AS n FROM entries WHERE kind = 1")).toEqual([{ n: 3 }]);
      expect((await logState(db)).nextIndex).toBe(6);
    });

    it("every process, the erasing one included, hears at commit which records changed", async () => {
      const { db, url } = await target.create();
      const other = target.connect(url as string);
      await appendEntries(db, ["heard-1", "heard-2"].map(newRecord));
      const heard = { self: [] as Array<string | undefined>, other: [] as Array<string | undefined> };
      await onRecordChanged(db, (id) => heard.self.push(id));
      await onRecordChanged(other, (id) => heard.other.push(id));
      await eraseRecords(db, ["heard-1", "heard-2", "nope"], REQUEST);
      const deadline = Date.now() + 10_000;
      while ((heard.self.length < 2 || heard.other.length < 2) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(heard.self.sort()).toEqual(["heard-1", "heard-2"]);
      expect(heard.other.sort()).toEqual(["heard-1", "heard-2"]);
      // Nothing for a call that erased nothing new.
      await eraseRecords(db, ["heard-1"], REQUEST);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard.other).toHaveLength(2);
    });
  });
});
