// Erasure (issue 13): forget records' content on request, provably, without breaking anyone
// else's evidence. For each record, in one transaction:
//   1. its entry is locked (db/erasures.ts lockRecords), and an erasure already made or a
//      legal hold on it is read under that lock;
//   2. its erasure statement is written (core/erasure-statement.ts: its leaf hash, when, the
//      reference) and notarized like a record: digest, fresh salt, leaf;
//   3. its digest and salt are removed from its entry; its leaf stays, so its batch, whether
//      sealed already or not yet, keeps the same tree;
//   4. the erasure entry (kind 1) is appended to the log, to be batched and anchored like a
//      record, and the erasure's row (with the reason, for the operator only) is written.
// Every process is told at commit to forget the records' cached bundles (db/record-changed.ts).
// Erasing again is no change: the erasure made before is the answer. A held record is not
// erased. Many records are erased in one transaction, all or none.
import { canonicalText } from "../core/canonical.ts";
import { type ErasureStatement, erasureStatement, statementDigest } from "../core/erasure-statement.ts";
import { InvariantError } from "../core/errors.ts";
import { hashLeaf, newSalts } from "../core/leaf.ts";
import type { Database, Queryable } from "../db/database.ts";
import {
  appendErasures,
  erasuresOf,
  type LockedRecord,
  lockRecords,
  type NewErasure,
  removeContent,
  type StoredErasure,
} from "../db/erasures.ts";
import { holdsOf, type LegalHold } from "../db/legal-holds.ts";
import { logState } from "../db/log.ts";
import { ensurePartitions } from "../db/partitions.ts";
import { announceRecordsChangedAfterCommit, announceRecordsChangedAtCommit } from "../db/record-changed.ts";
import { contentGoneWithoutErasure } from "./erased-error.ts";

/** The id label of an erasure entry: "erasure:" and the erased record's id. */
export const ERASURE_ENTRY_PREFIX = "erasure:";

export interface ErasureRequest {
  /** Why, in the caller's words: kept for the operator only, never notarized nor served. */
  reason: string;
  /** The caller's reference: notarized in the statement. */
  reference: string;
  /** The id of the API key that asks. */
  erasedBy: string;
}

/** An erasure as the API shows it: the same whether it was made now or before. */
export interface ErasureView {
  id: string;
  erasedAt: string;
  reference: string;
  statement: ErasureStatement;
}

export type ErasureOutcome =
  | { id: string; outcome: "erased" | "already_erased"; erasure: ErasureView }
  | { id: string; outcome: "not_found" }
  | { id: string; outcome: "legal_hold"; hold: LegalHold };

const NO_PARTITION = "23514";
const MAX_ATTEMPTS = 3;

/**
 * Erases the records `ids` (distinct or not), all in one transaction; one outcome per item of
 * `ids`, in order. An id repeated after its first occurrence is already erased by then.
 */
export async function eraseRecords(
  db: Database,
  ids: readonly string[],
  request: ErasureRequest,
): Promise<ErasureOutcome[]> {
  const distinct = [...new Set(ids)];
  for (let attempt = 1; ; attempt++) {
    try {
      const { outcomes, erased } = await db.transaction((tx) => eraseLocked(db, tx, distinct, request));
      await announceRecordsChangedAfterCommit(db, erased);
      const seen = new Set<string>();
      return ids.map((id) => {
        const outcome = outcomes.get(id) as ErasureOutcome;
        if (seen.has(id) && outcome.outcome === "erased") return { ...outcome, outcome: "already_erased" };
        seen.add(id);
        return outcome;
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== NO_PARTITION || attempt >= MAX_ATTEMPTS) throw error;
      // The erasure entries' range of the log needs a partition not made yet.
      const { nextIndex } = await logState(db);
      await ensurePartitions(db, nextIndex, nextIndex + distinct.length);
    }
  }
}

async function eraseLocked(
  db: Database,
  tx: Queryable,
  ids: readonly string[],
  request: ErasureRequest,
): Promise<{ outcomes: Map<string, ErasureOutcome>; erased: string[] }> {
  const locked = await lockRecords(tx, ids);
  const indexes = locked.map((record) => record.index);
  const erasures = new Map((await erasuresOf(tx, indexes)).map((e) => [e.index, e]));
  const holds = new Map((await holdsOf(tx, indexes)).map((h) => [h.index, h]));
  const outcomes = new Map<string, ErasureOutcome>(ids.map((id) => [id, { id, outcome: "not_found" }]));
  const toErase: LockedRecord[] = [];
  for (const record of locked) {
    const done = erasures.get(record.index);
    const hold = holds.get(record.index);
    if (done !== undefined) {
      outcomes.set(record.id, { id: record.id, outcome: "already_erased", erasure: viewOf(record.id, done) });
    } else if (hold !== undefined) {
      outcomes.set(record.id, { id: record.id, outcome: "legal_hold", hold });
    } else if (record.contentGone) {
      // Only a hand edit of the database removes content without an erasure (the audit
      // reports it as tampering): an erasure now would state a time the content did not go.
      throw contentGoneWithoutErasure(record.id);
    } else toErase.push(record);
  }
  if (toErase.length === 0) return { outcomes, erased: [] };

  // When, read after the locks were taken: the statement says when the content went.
  const [clock] = await tx.query<{ now: Date }>("SELECT clock_timestamp() AS now");
  const erasedAt = clock?.now as Date;
  const salts = newSalts(toErase.length);
  const appended: NewErasure[] = toErase.map((record, i) => {
    const statement = erasureStatement({ erasedLeaf: record.leaf, erasedAt, reference: request.reference });
    const { text, digest } = statementDigest(statement);
    const salt = salts[i] as Uint8Array;
    outcomes.set(record.id, {
      id: record.id,
      outcome: "erased",
      erasure: { id: record.id, erasedAt: erasedAt.toISOString(), reference: request.reference, statement },
    });
    return {
      erasedIndex: record.index,
      entryId: `${ERASURE_ENTRY_PREFIX}${record.id}`,
      statement: text,
      digest,
      salt,
      leaf: hashLeaf(salt, digest),
    };
  });
  const changed = await removeContent(
    tx,
    toErase.map((record) => record.index),
  );
  if (changed !== toErase.length) {
    throw new InvariantError(`erasing ${toErase.length} records changed ${changed} entries`);
  }
  const erased = toErase.map((record) => record.id);
  await announceRecordsChangedAtCommit(db, tx, erased);
  // Last: it takes the log's row lock, which every group commit waits for until we commit.
  await appendErasures(tx, appended, { erasedAt, ...request });
  return { outcomes, erased };
}

/** An erasure as stored, shown as the API shows it. */
export function viewOf(id: string, stored: StoredErasure): ErasureView {
  const statement = JSON.parse(stored.statement) as ErasureStatement;
  if (canonicalText(statement) !== stored.statement) {
    throw new InvariantError(`the stored erasure statement of record ${id} is not in its JCS form`, { id });
  }
  return { id, erasedAt: stored.erasedAt.toISOString(), reference: stored.reference, statement };
}
