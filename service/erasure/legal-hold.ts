// Legal holds (issue 13): a record on hold cannot be erased. Placing a hold takes the same
// entry lock as an erasure (db/erasures.ts lockRecords), so a hold and an erasure of one
// record are ordered: a hold placed first makes the erasure wait for its lifting (409
// legal_hold); an erasure that came first makes the hold pointless, and it is refused.
import type { Database } from "../db/database.ts";
import { erasuresOf, lockRecords, type StoredErasure } from "../db/erasures.ts";
import { type LegalHold, liftHold, placeHold } from "../db/legal-holds.ts";

export type HoldOutcome =
  | { outcome: "held"; hold: LegalHold }
  | { outcome: "not_found" }
  | { outcome: "erased"; erasure: StoredErasure };

/** Places the hold (or replaces its reference) on record `id`, unless it is unknown or erased. */
export function placeLegalHold(
  db: Database,
  id: string,
  hold: { reference: string; placedBy: string },
): Promise<HoldOutcome> {
  return db.transaction(async (tx) => {
    const [record] = await lockRecords(tx, [id]);
    if (record === undefined) return { outcome: "not_found" };
    const [erasure] = await erasuresOf(tx, [record.index]);
    if (erasure !== undefined) return { outcome: "erased", erasure };
    return { outcome: "held", hold: await placeHold(tx, { index: record.index, ...hold }) };
  });
}

export type LiftOutcome =
  | { outcome: "lifted"; hold: LegalHold }
  | { outcome: "not_found" }
  | { outcome: "not_held" };

/** Lifts the hold on record `id`. */
export function liftLegalHold(db: Database, id: string): Promise<LiftOutcome> {
  return db.transaction(async (tx) => {
    const [record] = await lockRecords(tx, [id]);
    if (record === undefined) return { outcome: "not_found" };
    const hold = await liftHold(tx, record.index);
    return hold === null ? { outcome: "not_held" } : { outcome: "lifted", hold };
  });
}
