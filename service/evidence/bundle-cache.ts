// The serialized bundles of anchored records, in memory. An anchored bundle never changes:
// its record, batch, path and anchor are written once (until an erasure, issue 13, which
// announces itself: invalidateOnChange), so a bundle served once can be served again as the
// very bytes it was, with no database round trip and no JSON work. Least recently used
// bundles are dropped beyond `maxBytes`.
//
// An erasure may commit while a proof request is reading the record: the request then holds
// the bundle as it was, and must not keep it after the invalidation went by. So a caller takes
// a stamp() before its read and hands it to set(), which keeps nothing when any invalidation
// came in between (erasures are rare: the cost is a few bundles not kept, once).
import type { Database } from "../db/database.ts";
import { onRecordChanged } from "../db/record-changed.ts";

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** Map and key overhead per entry, counted against maxBytes with the bytes themselves. */
const ENTRY_OVERHEAD = 128;

export class BundleCache {
  private readonly maxBytes: number;
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;
  /** Invalidations so far: a stamp taken before a read is stale once this moved. */
  private generation = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** The bundle of record `id` as it was served, if kept. */
  get(id: string): Uint8Array | undefined {
    const hit = this.entries.get(id);
    if (hit !== undefined) {
      this.entries.delete(id); // re-insert: Map order is the recency order
      this.entries.set(id, hit);
    }
    return hit;
  }

  /** Take it before reading a bundle to keep: set() refuses the bundle if an invalidation came since. */
  stamp(): number {
    return this.generation;
  }

  /** Keeps the serialized bundle of an anchored record, read after `stamp` was taken. */
  set(id: string, bundle: Uint8Array, stamp: number): void {
    if (stamp !== this.generation) return;
    this.drop(id);
    const cost = bundle.byteLength + id.length + ENTRY_OVERHEAD;
    if (cost > this.maxBytes) return;
    this.entries.set(id, bundle);
    this.bytes += cost;
    if (this.bytes <= this.maxBytes) return;
    // Make room for a tenth more at once: a Map's iteration walks past the entries deleted at
    // its head, so evicting one at a time, on every set of a full cache, costs more and more.
    for (const [oldest, kept] of this.entries) {
      if (this.bytes <= this.maxBytes * 0.9) break;
      this.entries.delete(oldest);
      this.bytes -= kept.byteLength + oldest.length + ENTRY_OVERHEAD;
    }
  }

  /** Forgets record `id`'s bundle, and any read of it in flight: the hook for whatever changes a record's evidence (an erasure). */
  invalidate(id: string): void {
    this.generation++;
    this.drop(id);
  }

  private drop(id: string): void {
    const kept = this.entries.get(id);
    if (kept === undefined) return;
    this.entries.delete(id);
    this.bytes -= kept.byteLength + id.length + ENTRY_OVERHEAD;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.bytes = 0;
  }

  /** Bundles kept, and the bytes they count for. */
  get usage(): { bundles: number; bytes: number } {
    return { bundles: this.entries.size, bytes: this.bytes };
  }
}

/**
 * Keeps `cache` true to the database: forgets a record's bundle when any process announces
 * that its evidence changed, and everything when announcements may have been missed.
 * Resolves once listening; returns the function that stops it.
 */
export function invalidateOnChange(db: Database, cache: BundleCache): Promise<() => void> {
  return onRecordChanged(db, (id) => {
    if (id === undefined) cache.clear();
    else cache.invalidate(id);
  });
}
