// Sealing: the next range of the log -> one RFC 6962 tree -> a stored batch, in one
// transaction that writes the batch and its tree and never touches an entry. The batch is the
// range [sealedEnd, sealedEnd + size) of entries already committed: the oldest pending ones,
// in log order. It stops at a partition boundary, so that every partition holds whole
// batches. The transaction-level advisory lock (lockSealing) makes sealing exclusive across
// every service process sharing the database, and the range starts where the last batch
// ended, read under that lock, so no entry can ever land in two batches.
import { toHex } from "../core/hex.ts";
import { buildTree, treeRoot } from "../core/merkle.ts";
import { insertBatch, lockSealing, nextSeq } from "../db/batches.ts";
import type { Database } from "../db/database.ts";
import { logState, rangeLeaves } from "../db/log.ts";

export interface SealedBatch {
  seq: number;
  firstIndex: number;
  size: number;
  root: string;
  /** Whether records were left pending (the batch was cut at MAX_BATCH or at a partition's end). */
  morePending: boolean;
}

/** Seals up to `maxBatch` of the oldest pending records into the next batch; null when none are pending. */
export async function sealBatch(db: Database, maxBatch: number): Promise<SealedBatch | null> {
  return db.transaction(async (tx) => {
    await lockSealing(tx);
    const log = await logState(tx);
    const partitionEnd = (Math.floor(log.sealedEnd / log.partitionSize) + 1) * log.partitionSize;
    const size = Math.min(maxBatch, log.nextIndex - log.sealedEnd, partitionEnd - log.sealedEnd);
    if (size <= 0) return null;
    // Fails (InvariantError) unless every entry of the range is there.
    const leaves = await rangeLeaves(tx, log.sealedEnd, size);
    const seq = await nextSeq(tx);
    const tree = buildTree(leaves);
    const root = treeRoot(tree);
    await insertBatch(tx, { seq, firstIndex: log.sealedEnd, root, size, levels: tree.levels });
    const morePending = log.nextIndex - log.sealedEnd > size;
    return { seq, firstIndex: log.sealedEnd, size, root: toHex(root), morePending };
  });
}
