// Queries of erasures (migrations/004_erasure.sql): the records to erase, locked; their content
// removed (the one UPDATE of an entry the log allows); the erasure entries (kind 1) appended
// to the log with their rows in `erasures`, in one statement that takes the log's row lock
// like a group commit (db/log.ts); and the erasures as stored.
import { InvariantError } from "../core/errors.ts";
import { HASH_BYTES } from "../core/merkle.ts";
import type { Queryable } from "./database.ts";

/** A record about to be erased or held, as stored when its entry was locked. */
export interface LockedRecord {
  id: string;
  index: number;
  leaf: Uint8Array;
  /** Its digest or salt is gone already. */
  contentGone: boolean;
}

// Each id by its own index probe (as the group commit does), and the entries locked in index
// order, so two erasures of overlapping sets of records never wait for each other in a cycle.
export const lockRecordsSql = `SELECT i.id, e.idx AS "index", e.leaf,
  (e.digest IS NULL OR e.salt IS NULL) AS "contentGone"
FROM unnest($1::text[]) AS q(id)
CROSS JOIN LATERAL (SELECT ii.id, ii.idx FROM entry_ids ii WHERE ii.id = q.id LIMIT 1) i
JOIN entries e ON e.idx = i.idx
ORDER BY e.idx
FOR UPDATE OF e`;

/**
 * The records of `ids` that are stored here, their entries locked until the transaction ends
 * (an id whose partition was archived has no entry here, and is not among them). Erasures and
 * holds both take this lock first, so neither passes the other unseen.
 */
export async function lockRecords(tx: Queryable, ids: readonly string[]): Promise<LockedRecord[]> {
  if (ids.length === 0) return [];
  return tx.query<LockedRecord>(lockRecordsSql, [ids]);
}

export interface StoredErasure {
  /** The erased record's index in the log. */
  index: number;
  /** The erasure entry's index in the log. */
  erasureIndex: number;
  erasedAt: Date;
  reference: string;
  /** The erasure statement's JCS text. */
  statement: string;
}

const ERASURE_COLUMNS = `er.idx AS "index", er.erasure_idx AS "erasureIndex", er.erased_at AS "erasedAt",
  er.reference, er.statement`;

export const erasuresOfSql = `SELECT ${ERASURE_COLUMNS} FROM erasures er WHERE er.idx = ANY($1::bigint[])`;

/** The erasures of the records at `indexes`, those that have one. */
export async function erasuresOf(q: Queryable, indexes: readonly number[]): Promise<StoredErasure[]> {
  if (indexes.length === 0) return [];
  return q.query<StoredErasure>(erasuresOfSql, [indexes]);
}

export const getErasureSql = `SELECT ${ERASURE_COLUMNS}
FROM entry_ids i JOIN erasures er ON er.idx = i.idx
WHERE i.id = $1`;

/** The erasure of record `id`, or null when it is not erased (or unknown). */
export async function getErasure(q: Queryable, id: string): Promise<StoredErasure | null> {
  const rows = await q.query<StoredErasure>(getErasureSql, [id]);
  return rows[0] ?? null;
}

export const removeContentSql = `UPDATE entries SET digest = NULL, salt = NULL
WHERE idx = ANY($1::bigint[]) AND kind = 0`;

/** Removes the digest and salt of the records at `indexes`; their leaves stay. Returns how many entries changed. */
export async function removeContent(tx: Queryable, indexes: readonly number[]): Promise<number> {
  if (indexes.length === 0) return 0;
  const rows = await tx.query<{ n: number }>(
    `WITH changed AS (${removeContentSql} RETURNING 1) SELECT count(*) AS n FROM changed`,
    [indexes],
  );
  return rows[0]?.n ?? 0;
}

/** One erasure to append: the erased record, and its statement's entry. */
export interface NewErasure {
  /** The erased record's index in the log. */
  erasedIndex: number;
  /** The erasure entry's id: a label (it has no row in entry_ids). */
  entryId: string;
  /** The statement's JCS text. */
  statement: string;
  digest: Uint8Array;
  salt: Uint8Array;
  leaf: Uint8Array;
}

const ROW_BYTES = 3 * HASH_BYTES;

// $1 erased indexes, $2 entry ids, $3 statements, $4 digest || salt || leaf of each, one after
// the other (one binary parameter, as in the group commit); $5 when; $6 reference; $7 reason;
// $8 the key's id. The UPDATE of log_state takes the log's row lock, held until commit: the
// erasure entries get the next dense range of indexes, as a group commit's records do.
export const appendErasuresSql = `WITH input AS (
  SELECT u.erased, u.id, u.statement, u.ord,
    substring($4::bytea FROM ((u.ord - 1) * ${ROW_BYTES} + 1)::int FOR ${HASH_BYTES}) AS digest,
    substring($4::bytea FROM ((u.ord - 1) * ${ROW_BYTES} + ${HASH_BYTES + 1})::int FOR ${HASH_BYTES}) AS salt,
    substring($4::bytea FROM ((u.ord - 1) * ${ROW_BYTES} + ${2 * HASH_BYTES + 1})::int FOR ${HASH_BYTES}) AS leaf
  FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS u(erased, id, statement, ord)
),
reserved AS (
  UPDATE log_state SET next_index = next_index + (SELECT count(*) FROM input)
  RETURNING next_index - (SELECT count(*) FROM input) AS first
),
appended AS (
  INSERT INTO entries (idx, kind, id, digest, salt, leaf, received_at)
  SELECT r.first + i.ord - 1, 1, i.id, i.digest, i.salt, i.leaf, $5 FROM input i, reserved r
),
recorded AS (
  INSERT INTO erasures (idx, erasure_idx, erased_at, reference, reason, erased_by, statement)
  SELECT i.erased, r.first + i.ord - 1, $5, $6, $7, $8, i.statement FROM input i, reserved r
)
SELECT first FROM reserved`;

/**
 * Appends the erasure entries, in order, at the log's next indexes, with their rows in
 * `erasures`; returns the first index. The log's row lock is then held until the transaction
 * ends: call it last. Fails with 23514 when the range needs a partition not made yet.
 */
export async function appendErasures(
  tx: Queryable,
  erasures: readonly NewErasure[],
  common: { erasedAt: Date; reference: string; reason: string; erasedBy: string },
): Promise<number> {
  const hashes = new Uint8Array(erasures.length * ROW_BYTES);
  for (const [i, e] of erasures.entries()) {
    if (e.digest.length !== HASH_BYTES || e.salt.length !== HASH_BYTES || e.leaf.length !== HASH_BYTES) {
      throw new InvariantError(
        `erasure of index ${e.erasedIndex}: digest, salt and leaf must be 32 bytes each`,
      );
    }
    hashes.set(e.digest, i * ROW_BYTES);
    hashes.set(e.salt, i * ROW_BYTES + HASH_BYTES);
    hashes.set(e.leaf, i * ROW_BYTES + 2 * HASH_BYTES);
  }
  const [row] = await tx.query<{ first: number }>(appendErasuresSql, [
    erasures.map((e) => e.erasedIndex),
    erasures.map((e) => e.entryId),
    erasures.map((e) => e.statement),
    hashes,
    common.erasedAt,
    common.reference,
    common.reason,
    common.erasedBy,
  ]);
  if (row === undefined) throw new InvariantError("appending erasures reserved no range of the log");
  return row.first;
}
