// Group commit. Concurrent submissions queue here; one writer at a time takes everything
// queued and writes it in ONE multi-row INSERT, then answers each submitter. Requests that
// arrive during a commit ride in the next one, so the database sees one statement per
// round trip instead of one per request, and no answer goes out before its row committed.
//
// Idempotency: an id that is already stored (or appears twice in one group) with the same
// digest is a safe retry and gets the stored answer back; with a different digest it is
// a conflict. The queue is bounded: beyond INGEST_QUEUE_LIMIT records, submit() throws
// OverloadedError (503 + Retry-After) instead of growing memory.
import { type Hex, toHex } from "../core/hex.ts";
import type { Database } from "../db/database.ts";
import { findRecordsByIds, insertRecords, type NewRecord } from "../db/records.ts";
import { OverloadedError, UnavailableError } from "../service-errors.ts";

export type IngestResult =
  | { id: string; outcome: "created" | "duplicate"; digest: Hex; leafHash: Hex; receivedAt: Date }
  | { id: string; outcome: "conflict"; digest: Hex };

interface Waiter {
  records: readonly NewRecord[];
  resolve: (results: IngestResult[]) => void;
  reject: (error: unknown) => void;
}

export interface IngestorOptions {
  db: Database;
  queueLimit: number;
  /** Upper bound on rows in one INSERT. */
  maxRowsPerCommit?: number;
  /** Called after each commit with the number of new rows. */
  onCommitted?: (created: number) => void;
}

export class Ingestor {
  private readonly options: IngestorOptions;
  private queue: Waiter[] = [];
  private queued = 0;
  private writing: Promise<void> | undefined;
  private draining = false;

  constructor(options: IngestorOptions) {
    this.options = options;
  }

  /** Records accepted into memory but not yet committed. */
  get depth(): number {
    return this.queued;
  }

  /** Queues records for the next group commit; resolves with one result per record, in order. */
  submit(records: readonly NewRecord[]): Promise<IngestResult[]> {
    if (this.draining) return Promise.reject(new OverloadedError("the service is shutting down", 5));
    if (this.queued + records.length > this.options.queueLimit) {
      return Promise.reject(
        new OverloadedError(`ingest queue is full (${this.queued} records waiting); retry shortly`, 1),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.queued += records.length;
      this.writing ??= this.writeLoop();
    });
  }

  /** Stops taking submissions and waits until every queued one has been committed and answered. */
  async drain(): Promise<void> {
    this.draining = true;
    await this.writing;
  }

  private async writeLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitGroup(this.takeGroup());
    } finally {
      this.writing = undefined;
    }
  }

  private takeGroup(): Waiter[] {
    const limit = this.options.maxRowsPerCommit ?? 20_000;
    const group: Waiter[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Waiter;
      if (group.length > 0 && rows + next.records.length > limit) break;
      group.push(next);
      rows += next.records.length;
      this.queue.shift();
    }
    return group;
  }

  private async commitGroup(group: Waiter[]): Promise<void> {
    const rows = group.flatMap((w) => w.records);
    try {
      const inserted = await insertRecords(this.options.db, rows);
      const receivedAt = new Map(inserted.map((r) => [r.id, r.receivedAt]));
      const missing = [...new Set(rows.filter((r) => !receivedAt.has(r.id)).map((r) => r.id))];
      const stored = new Map((await findRecordsByIds(this.options.db, missing)).map((r) => [r.id, r]));
      const claimed = new Set<string>();
      for (const waiter of group) {
        waiter.resolve(
          waiter.records.map((record) => {
            const created = receivedAt.get(record.id);
            if (created !== undefined && !claimed.has(record.id)) {
              claimed.add(record.id);
              return { id: record.id, outcome: "created", ...answer(record), receivedAt: created };
            }
            const existing = stored.get(record.id) ?? rowOf(rows, record.id, receivedAt);
            if (existing === undefined || toHex(existing.digest) !== toHex(record.digest)) {
              return { id: record.id, outcome: "conflict", digest: toHex(existing?.digest ?? record.digest) };
            }
            return {
              id: record.id,
              outcome: "duplicate",
              ...answer(existing),
              receivedAt: existing.receivedAt,
            };
          }),
        );
      }
      this.options.onCommitted?.(inserted.length);
    } catch (error) {
      // One statement, so nothing of the group was stored either way. Only a database that
      // cannot be reached (the adapter's UnavailableError) is "retry shortly" (503); any
      // other error is a bug and goes out as it is: a 500, its detail only in the log.
      const failure =
        error instanceof UnavailableError
          ? new UnavailableError("the database is unavailable; nothing was stored, retry shortly", {
              cause: error,
            })
          : error;
      for (const waiter of group) waiter.reject(failure);
    } finally {
      this.queued -= rows.length;
    }
  }
}

function answer(record: { digest: Uint8Array; leaf: Uint8Array }): { digest: Hex; leafHash: Hex } {
  return { digest: toHex(record.digest), leafHash: toHex(record.leaf) };
}

/** The first row of this group with `id` that was inserted (for a repeat inside one group). */
function rowOf(
  rows: readonly NewRecord[],
  id: string,
  receivedAt: Map<string, Date>,
): (NewRecord & { receivedAt: Date }) | undefined {
  const at = receivedAt.get(id);
  const row = rows.find((r) => r.id === id);
  return at === undefined || row === undefined ? undefined : { ...row, receivedAt: at };
}
