// Sealing: pending records -> one RFC 6962 tree -> a stored batch, in one transaction.
// The transaction-level advisory lock (lockSealing) makes sealing exclusive across every
// service process sharing the database, and the records are assigned in the same
// transaction, so no record can ever land in two batches.
import { toHex } from "../core/hex.ts";
import { buildTree, treeRoot } from "../core/merkle.ts";
import { insertBatch, nextSeq } from "../db/batches.ts";
import type { Database } from "../db/database.ts";
import { assignToBatch, lockSealing, selectPendingForSeal } from "../db/records.ts";

export interface SealedBatch {
  seq: number;
  size: number;
  root: string;
}

/** Seals up to `maxBatch` of the oldest pending records into the next batch; null when none are pending. */
export async function sealBatch(db: Database, maxBatch: number): Promise<SealedBatch | null> {
  return db.transaction(async (tx) => {
    await lockSealing(tx);
    const pending = await selectPendingForSeal(tx, maxBatch);
    if (pending.length === 0) return null;
    const seq = await nextSeq(tx);
    const tree = buildTree(pending.map((p) => p.leaf));
    const root = treeRoot(tree);
    await insertBatch(tx, { seq, root, size: tree.size, levels: tree.levels });
    await assignToBatch(
      tx,
      seq,
      pending.map((p) => p.id),
    );
    return { seq, size: tree.size, root: toHex(root) };
  });
}
