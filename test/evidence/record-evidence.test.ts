// Reading records' evidence (evidence/record-evidence.ts) on both databases: the requests of
// one event-loop turn share one statement (counted), and each gets what readRecordEvidence
// alone would give: a verified bundle once anchored, pending before, unknown for no record.
import { beforeAll, expect, it } from "vitest";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { verifyBundleOffline } from "../../service/core/verify.ts";
import { markAnchored, markSent } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import { EvidenceReader, readRecordEvidence } from "../../service/evidence/record-evidence.ts";
import { newRecord, randomBytesArray } from "../db/bytes.ts";
import { countingDatabase } from "../helpers/counting-database.ts";
import { forEachDatabase } from "../helpers/databases.ts";

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
    await appendEntries(db, ["a", "b", "c"].map(newRecord));
    const sealed = await sealBatch(db, 10);
    if (sealed === null) throw new Error("nothing sealed");
    await markSent(db, sealed.seq, {
      txHash: randomBytesArray(32),
      nonce: 0,
      chainId: 1,
      contract: randomBytesArray(20),
    });
    await markAnchored(db, sealed.seq, {
      blockNumber: 1,
      blockHash: randomBytesArray(32),
      blockTimestamp: 1,
    });
    await appendEntries(db, [newRecord("pending")]);
  });

  it("reads the ids asked for in one turn of the event loop in one statement, each as readRecordEvidence would", async () => {
    const counted = countingDatabase(db);
    const reader = new EvidenceReader(counted.db);
    const ids = ["a", "b", "c", "pending", "missing", "a"];
    const answers = await Promise.all(ids.map((id) => reader.read(id)));
    expect(counted.count()).toBe(1);
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
      expect(answers[i], id).toEqual(alone);
      const answer = answers[i];
      if (answer?.status === "anchored") expect(verifyBundleOffline(answer.bundle).ok).toBe(true);
    }
    // A later turn is a statement of its own.
    await reader.read("b");
    expect(counted.count()).toBe(2);
  });
});
