// Group commit. Concurrent submissions queue here; one writer at a time takes everything
// queued and appends it to the log in ONE statement (db/log.ts: it takes the next dense
// range of log indexes under the log's row lock), then answers each submitter. Requests that
// arrive during a commit ride in the next one, so the database sees one statement per
// round trip instead of one per request, and no answer goes out before its row committed.
//
// Idempotency: an id that is already stored (or appears twice in one group) with the same
// digest is a safe retry and gets the stored answer back; with a different digest it is
// a conflict. The queue is bounded: beyond INGEST_QUEUE_LIMIT records, submit() throws
// OverloadedError (503 + Retry-After) instead of growing memory.
import { InvariantError } from "../core/errors.ts";
import { type Hex, toHex } from "../core/hex.ts";
import { bytesEqual } from "../core/merkle.ts";
import type { Database } from "../db/database.ts";
import { type AppendedEntry, appendEntries, type NewRecord } from "../db/log.ts";
import { OverloadedError, UnavailableError } from "../service-errors.ts";

export type IngestResult =
  | { id: string; outcome: "created" | "duplicate"; digest: Hex; leafHash: Hex; receivedAt: Date }
  | { id: string; outcome: "conflict"; digest: Hex }
  /**
   * The id is taken, but what it holds is no longer kept: the record was erased, or its
   * partition was archived. It cannot be used again.
   */
  | { id: string; outcome: "conflict"; digest: null; erased: boolean };

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
      while (this.queue.length > 0) {
        // Let the requests already read from the network join this group: one turn of the
        // event loop, which a burst of clients answered by the last commit needs to send their
        // next ones. Without it a group of one record would leave before them, every other time.
        await new Promise((resolve) => setImmediate(resolve));
        await this.commitGroup(this.takeGroup());
      }
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
      const appended = await appendEntries(this.options.db, rows);
      const byId = new Map<string, AppendedEntry>(appended.map((entry) => [entry.id, entry]));
      const firstOf = new Map<string, NewRecord>();
      for (const row of rows) if (!firstOf.has(row.id)) firstOf.set(row.id, row);
      const claimed = new Set<string>();
      let created = 0;
      const answers = group.map((waiter) =>
        waiter.records.map((record): IngestResult => {
          const entry = byId.get(record.id);
          if (entry === undefined) throw new InvariantError(`the group commit said nothing of ${record.id}`);
          if (entry.created && !claimed.has(record.id)) {
            claimed.add(record.id);
            created++;
            return { id: record.id, outcome: "created", ...answer(record), receivedAt: entry.receivedAt };
          }
          // Stored before, or by an earlier item of this very group.
          const stored = entry.created ? (firstOf.get(record.id) as NewRecord) : entry;
          if (stored.digest === null || stored.leaf === null || entry.receivedAt === null) {
            // An erased record keeps its leaf; an archived one has no entry here at all.
            return { id: record.id, outcome: "conflict", digest: null, erased: stored.leaf !== null };
          }
          if (!bytesEqual(stored.digest, record.digest)) {
            return { id: record.id, outcome: "conflict", digest: toHex(stored.digest) };
          }
          const found = { digest: stored.digest, leaf: stored.leaf };
          return { id: record.id, outcome: "duplicate", ...answer(found), receivedAt: entry.receivedAt };
        }),
      );
      for (const [i, waiter] of group.entries()) waiter.resolve(answers[i] as IngestResult[]);
      this.options.onCommitted?.(created);
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
