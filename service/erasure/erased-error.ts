// What a client is told about an erased record: 410 Gone, when and under which reference, and
// nothing derived from its content (no digest, salt or leaf hash). One place, so that the
// status, the proof and the certificate say the same.
import { InvariantError } from "../core/errors.ts";
import type { Queryable } from "../db/database.ts";
import { getErasure } from "../db/erasures.ts";
import { ErasedError } from "../service-errors.ts";

export function erasedErrorOf(id: string, erasedAt: Date, reference: string): ErasedError {
  const at = erasedAt.toISOString();
  return new ErasedError(
    `record ${id} was erased at ${at} under reference ${JSON.stringify(reference)}: its content is no longer kept, so no evidence of it can be issued; GET /v1/records/${encodeURIComponent(id)}/erasure has the erasure's own evidence`,
    { erasedAt: at, reference },
  );
}

/** A record whose digest or salt is gone without an erasure: only a hand edit of the database does that. */
export function contentGoneWithoutErasure(id: string): InvariantError {
  return new InvariantError(
    `record ${id} has lost its digest or salt, but no erasure of it is recorded: run the audit`,
    { id },
  );
}

/** The 410 for record `id`, whose content is gone: its erasure, read from the database. */
export async function erasedError(q: Queryable, id: string): Promise<ErasedError> {
  const erasure = await getErasure(q, id);
  if (erasure === null) throw contentGoneWithoutErasure(id);
  return erasedErrorOf(id, erasure.erasedAt, erasure.reference);
}
