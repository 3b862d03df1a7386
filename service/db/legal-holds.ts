// Queries of legal_holds (migrations/004_erasure.sql): one hold per record, by its log index.
// A held record cannot be erased; service/erasure/ takes the entry's row lock around both, so
// a hold and an erasure of one record never pass each other.
import type { Queryable } from "./database.ts";

export interface LegalHold {
  index: number;
  reference: string;
  placedAt: Date;
}

const HOLD_COLUMNS = `h.idx AS "index", h.reference, h.placed_at AS "placedAt"`;

export const holdsOfSql = `SELECT ${HOLD_COLUMNS} FROM legal_holds h WHERE h.idx = ANY($1::bigint[])`;

/** The holds on the records at `indexes`, those that have one. */
export async function holdsOf(q: Queryable, indexes: readonly number[]): Promise<LegalHold[]> {
  if (indexes.length === 0) return [];
  return q.query<LegalHold>(holdsOfSql, [indexes]);
}

// The same reference again changes nothing (PUT is idempotent); another one replaces it, from now.
export const placeHoldSql = `INSERT INTO legal_holds AS h (idx, reference, placed_by) VALUES ($1, $2, $3)
ON CONFLICT (idx) DO UPDATE SET reference = excluded.reference, placed_by = excluded.placed_by,
  placed_at = now()
WHERE h.reference IS DISTINCT FROM excluded.reference
RETURNING ${HOLD_COLUMNS}`;

/** Places (or replaces) the hold on the record at `index`; returns the hold as it now stands. */
export async function placeHold(
  q: Queryable,
  hold: { index: number; reference: string; placedBy: string },
): Promise<LegalHold> {
  const [changed] = await q.query<LegalHold>(placeHoldSql, [hold.index, hold.reference, hold.placedBy]);
  if (changed !== undefined) return changed;
  const [kept] = await holdsOf(q, [hold.index]);
  return kept as LegalHold;
}

export const liftHoldSql = `DELETE FROM legal_holds h WHERE h.idx = $1 RETURNING ${HOLD_COLUMNS}`;

/** Lifts the hold on the record at `index`; the hold that was lifted, or null when there was none. */
export async function liftHold(q: Queryable, index: number): Promise<LegalHold | null> {
  const [lifted] = await q.query<LegalHold>(liftHoldSql, [index]);
  return lifted ?? null;
}
