// The stored tree levels (1 and up) of recently used batches, in memory, by the batch's first
// index. A batch's levels are written once, in the transaction that seals it, and never
// change, so a proof's path can be cut from a cached copy: the statement that reads a record
// then skips the path's substring reads for the batches held here (db/records.ts,
// getRecordsWithPath), and reads only the record, its batch and its neighbouring leaf.
// A batch is loaded in the background the first time one of its proofs is read whole from the
// database; least recently used batches are dropped beyond `maxBytes`.
import { storedLevels } from "../db/batches.ts";
import type { Queryable } from "../db/database.ts";

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Batches loaded at once, at most: loading is a background courtesy, never a flood. */
const MAX_LOADING = 2;

export class BatchLevelsCache {
  private readonly maxBytes: number;
  private readonly entries = new Map<number, { levels: Uint8Array[]; bytes: number }>();
  private readonly loading = new Set<number>();
  private bytes = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** The levels held now, by first index: a snapshot that later evictions do not change. */
  held(): Map<number, Uint8Array[]> {
    return new Map([...this.entries].map(([first, entry]) => [first, entry.levels]));
  }

  /** Marks the batch as used (recency order). */
  touch(firstIndex: number): void {
    const entry = this.entries.get(firstIndex);
    if (entry === undefined) return;
    this.entries.delete(firstIndex);
    this.entries.set(firstIndex, entry);
  }

  /** Starts loading the levels of the batch at `firstIndex`, unless held or loading already. Never rejects. */
  load(q: Queryable, firstIndex: number): void {
    if (this.entries.has(firstIndex) || this.loading.has(firstIndex) || this.loading.size >= MAX_LOADING)
      return;
    this.loading.add(firstIndex);
    storedLevels(q, firstIndex).then(
      (levels) => {
        this.loading.delete(firstIndex);
        const bytes = levels.reduce((sum, level) => sum + level.byteLength, 0);
        if (bytes > this.maxBytes) return;
        this.entries.set(firstIndex, { levels, bytes });
        this.bytes += bytes;
        for (const [first, entry] of this.entries) {
          if (this.bytes <= this.maxBytes) break;
          this.entries.delete(first);
          this.bytes -= entry.bytes;
        }
      },
      () => {
        // A failed load is not cached; the next proof of the batch reads its path whole and asks again.
        this.loading.delete(firstIndex);
      },
    );
  }

  /** Batches held, and the bytes of their levels. */
  get usage(): { batches: number; bytes: number } {
    return { batches: this.entries.size, bytes: this.bytes };
  }
}
