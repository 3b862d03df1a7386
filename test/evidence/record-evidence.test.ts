// Reading records' evidence (evidence/record-evidence.ts) on both databases: the requests of
// one event-loop turn share one statement (counted), and each gets what readRecordEvidence
// alone would give: a verified bundle once anchored, pending before, unknown for no record.
// Once a batch's levels are held in memory, the statement no longer reads that batch's path,
// and the bundles cut from memory are the same.
import { beforeAll, expect, it } from "vitest";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { verifyBundleOffline } from "../../service/core/verify.ts";
import { markAnchored, markSent } from "../../service/db/batches.ts";
import type { Database, Queryable } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import { EvidenceReader, readRecordEvidence } from "../../service/evidence/record-evidence.ts";
import { newRecord, randomBytesArray } from "../db/bytes.ts";
import { forEachDatabase } from "../helpers/databases.ts";

/** The database, noting the parameters of every read of records (getRecordsWithPath). */
function watched(db: Database): { q: Queryable; reads: unknown[][] } {
  const reads: unknown[][] = [];
  const q: Queryable = {
    query: (sql, params) => {
      const text = typeof sql === "string" ? sql : sql.text;
      if (text.includes("AS q(id)")) reads.push(params ?? []);
      return db.query(sql, params);
    },
    exec: (script) => db.exec(script),
  };
  return { q, reads };
}

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
    await appendEntries(db, ["a", "b", "c", "d", "e"].map(newRecord));
    const sealed = await sealBatch(db, 10);
    if (sealed === null) throw new Error("nothing sealed");
    const sent = { txHash: randomBytesArray(32), nonce: 0, chainId: 1, contract: randomBytesArray(20) };
    await markSent(db, sealed.seq, sent);
    await markAnchored(db, sealed.seq, {
      blockNumber: 1,
      blockHash: randomBytesArray(32),
      blockTimestamp: 1,
    });
    await appendEntries(db, [newRecord("pending")]);
  });

  it("reads the ids asked for in one turn in one statement, then cuts paths from the levels it holds", async () => {
    const { q, reads } = watched(db);
    const reader = new EvidenceReader(q);
    const ids = ["a", "b", "c", "pending", "missing", "a"];
    const answers = await Promise.all(ids.map((id) => reader.read(id)));
    expect(reads).toHaveLength(1);
    expect(reads[0]?.[1]).toEqual([]);
    expect(answers.map((a) => a.status)).toEqual([
      "anchored",
      "anchored",
      "anchored",
      "pending",
      "unknown",
      "anchored",
    ]);
    for (const [i, id] of ids.entries()) {
      const alone = await readRecordEvidence(db, id);
      const answer = answers[i];
      expect(answer?.status, id).toBe(alone.status);
      if (answer?.status === "anchored" && alone.status === "anchored") {
        expect(answer.bundle).toEqual(alone.bundle);
        expect(verifyBundleOffline(answer.bundle).ok).toBe(true);
      }
    }
    // The batch's levels were loaded in the background; from now on its paths come from memory.
    for (let i = 0; i < 100 && reader.levelsHeld === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(reader.levelsHeld).toBe(1);
    for (const id of ["a", "b", "c", "d", "e"]) {
      const cut = await reader.read(id);
      const alone = await readRecordEvidence(db, id);
      expect(cut.status).toBe("anchored");
      if (cut.status === "anchored" && alone.status === "anchored") expect(cut.bundle).toEqual(alone.bundle);
    }
    expect(reads.slice(1).map((params) => params[1])).toEqual([[0], [0], [0], [0], [0]]);
  });
});
