// The stored tree levels of recently used batches, in memory. A batch's levels are written
// once, in the transaction that seals it, and never change, so a proof can be cut from a
// cached copy: one database read per batch instead of one per proof. Least recently used
// batches are dropped beyond `maxBytes`.
import { batchLevels } from "../db/audit-reads.ts";
import type { Queryable } from "../db/database.ts";

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class BatchLevelsCache {
  private readonly maxBytes: number;
  private readonly entries = new Map<number, { levels: Promise<Uint8Array[]>; bytes: number }>();
  private bytes = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** The levels of sealed batch `seq`, level 0 (the leaves) first. */
  levels(q: Queryable, seq: number): Promise<Uint8Array[]> {
    const hit = this.entries.get(seq);
    if (hit !== undefined) {
      this.entries.delete(seq); // re-insert: Map order is the recency order
      this.entries.set(seq, hit);
      return hit.levels;
    }
    const entry = { levels: batchLevels(q, seq), bytes: 0 };
    this.entries.set(seq, entry);
    entry.levels.then(
      (levels) => {
        if (this.entries.get(seq) !== entry) return;
        entry.bytes = levels.reduce((sum, level) => sum + level.byteLength, 0);
        this.bytes += entry.bytes;
        this.evict();
      },
      () => {
        if (this.entries.get(seq) === entry) this.entries.delete(seq); // a failed read is not cached
      },
    );
    return entry.levels;
  }

  private evict(): void {
    for (const [seq, entry] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) return;
      this.entries.delete(seq);
      this.bytes -= entry.bytes;
    }
  }
}
