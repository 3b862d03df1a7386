// The log of entries (migrations/003_log.sql says why it is shaped so). appendEntries is the
// group commit's one statement: it takes the row lock of log_state, reserves the next dense
// range of indexes for the ids not stored yet, and writes their entries, their id rows and
// their group row, all before the lock is released at commit. Everything a reader needs of
// the log's state (how far it is written, how far sealed) is one row and one index probe.
import { InvariantError } from "../core/errors.ts";
import { HASH_BYTES } from "../core/merkle.ts";
import { prepared, type Queryable } from "./database.ts";
import { ensurePartitions } from "./partitions.ts";

export interface NewRecord {
  id: string;
  digest: Uint8Array;
  salt: Uint8Array;
  leaf: Uint8Array;
}

/**
 * What the group commit found for one distinct id: appended now, or stored before (with what
 * is stored; all null when its partition was archived, the id row being kept so that an id is
 * never used twice).
 */
export type AppendedEntry =
  | { id: string; created: true; index: number; receivedAt: Date }
  | {
      id: string;
      created: false;
      index: number;
      receivedAt: Date | null;
      digest: Uint8Array | null;
      leaf: Uint8Array | null;
    };

const ROW_BYTES = 3 * HASH_BYTES;

// $1: the ids, in order; $2: digest || salt || leaf of each, one after the other (one binary
// parameter instead of three arrays of hex text). The answer is small whatever the group's
// size: the range reserved, and a row for each id found stored; the new ids' indexes follow
// from their order (the first occurrence of each, in array order, from the range's start). `existing` reads with the statement's
// snapshot, which may predate the commit of the group that held the lock before us: an id
// that group stored is then missed here, and the insert into entry_ids fails on its primary
// key (23505) instead of storing it twice; appendEntries then runs the group again. Each id is
// looked up by its own index probe (LATERAL … LIMIT 1 keeps the planner from scanning
// entry_ids whole for a large group), so a group costs the same whatever the log holds.
export const appendEntriesSql = `WITH input AS (
  SELECT u.ord, u.id,
    substring($2::bytea FROM u.at + 1 FOR ${HASH_BYTES}) AS digest,
    substring($2::bytea FROM u.at + ${HASH_BYTES + 1} FOR ${HASH_BYTES}) AS salt,
    substring($2::bytea FROM u.at + ${2 * HASH_BYTES + 1} FOR ${HASH_BYTES}) AS leaf
  FROM (
    SELECT id, ord, ((ord - 1) * ${ROW_BYTES})::int AS at FROM unnest($1::text[]) WITH ORDINALITY AS n(id, ord)
  ) u
),
existing AS MATERIALIZED (
  SELECT i.idx, i.id, e.digest, e.leaf, e.received_at
  FROM (SELECT DISTINCT id FROM input) q
  CROSS JOIN LATERAL (SELECT ii.idx, ii.id FROM entry_ids ii WHERE ii.id = q.id LIMIT 1) i
  LEFT JOIN LATERAL (SELECT ee.digest, ee.leaf, ee.received_at FROM entries ee WHERE ee.idx = i.idx LIMIT 1) e ON true
),
fresh AS MATERIALIZED (
  SELECT DISTINCT ON (input.id) input.ord, input.id, input.digest, input.salt, input.leaf
  FROM input
  WHERE NOT EXISTS (SELECT 1 FROM existing x WHERE x.id = input.id)
  ORDER BY input.id, input.ord
),
reserved AS (
  UPDATE log_state SET next_index = next_index + (SELECT count(*) FROM fresh)
  WHERE EXISTS (SELECT 1 FROM fresh)
  RETURNING next_index - (SELECT count(*) FROM fresh) AS first, next_index AS next, partition_size, now() AS at
),
numbered AS MATERIALIZED (
  SELECT r.first + row_number() OVER (ORDER BY f.ord) - 1 AS idx, f.id, f.digest, f.salt, f.leaf, r.at
  FROM fresh f CROSS JOIN reserved r
),
ids AS (
  INSERT INTO entry_ids (id, idx) SELECT id, idx FROM numbered
),
groups AS (
  INSERT INTO entry_groups (first_index, count, received_at)
  SELECT greatest(r.first, k * r.partition_size),
    least(r.next, (k + 1) * r.partition_size) - greatest(r.first, k * r.partition_size), r.at
  FROM reserved r, generate_series(r.first / r.partition_size, (r.next - 1) / r.partition_size) AS k
),
inserted AS (
  INSERT INTO entries (idx, kind, id, digest, salt, leaf, received_at)
  SELECT idx, 0, id, digest, salt, leaf, at FROM numbered
  RETURNING idx
)
SELECT NULL::text AS id, r.first AS "index", r.at AS "receivedAt", true AS created,
  NULL::bytea AS digest, NULL::bytea AS leaf, r.next - r.first AS count
FROM reserved r
UNION ALL
SELECT x.id, x.idx, x.received_at, false, x.digest, x.leaf, NULL FROM existing x`;

// Prepared: planned once per session (the plan is most of the cost of a small group).
const appendEntriesStatement = prepared("en_append_entries", appendEntriesSql);

/** The statement's answer: the reserved range (one row, when anything was new), and one row per id already stored. */
type AppendRow =
  | { id: null; index: number; receivedAt: Date; created: true; count: number }
  | (Extract<AppendedEntry, { created: false }> & { count: null });

const UNIQUE_VIOLATION = "23505";
const NO_PARTITION = "23514";
const MAX_ATTEMPTS = 5;

/**
 * Appends the records whose ids are not stored yet, in array order (an id repeated in `rows`
 * is appended once, as its first occurrence), in one statement. Returns one result per
 * distinct id: created, or found already stored (with what is stored). Creates a missing
 * partition and runs again when the reserved range needs one; runs again when another
 * process stored one of these ids in the meantime.
 */
export async function appendEntries(q: Queryable, rows: readonly NewRecord[]): Promise<AppendedEntry[]> {
  if (rows.length === 0) return [];
  const hashes = new Uint8Array(rows.length * ROW_BYTES);
  for (const [i, row] of rows.entries()) {
    if (
      row.digest.length !== HASH_BYTES ||
      row.salt.length !== HASH_BYTES ||
      row.leaf.length !== HASH_BYTES
    ) {
      throw new InvariantError(`record ${row.id}: digest, salt and leaf must be ${HASH_BYTES} bytes each`);
    }
    hashes.set(row.digest, i * ROW_BYTES);
    hashes.set(row.salt, i * ROW_BYTES + HASH_BYTES);
    hashes.set(row.leaf, i * ROW_BYTES + 2 * HASH_BYTES);
  }
  const ids = rows.map((row) => row.id);
  for (let attempt = 1; ; attempt++) {
    try {
      return appended(ids, await q.query<AppendRow>(appendEntriesStatement, [ids, hashes]));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= MAX_ATTEMPTS || (code !== UNIQUE_VIOLATION && code !== NO_PARTITION)) throw error;
      if (code === NO_PARTITION) {
        const { nextIndex } = await logState(q);
        await ensurePartitions(q, nextIndex, nextIndex + rows.length);
      }
    }
  }
}

/** One result per distinct id, from the statement's answer; fails loudly if the reserved range does not fit the new ids. */
function appended(ids: readonly string[], answer: readonly AppendRow[]): AppendedEntry[] {
  const found: AppendedEntry[] = [];
  let range: { index: number; receivedAt: Date; count: number } | undefined;
  for (const row of answer) {
    if (row.created) range = row;
    else {
      const { count: _count, ...entry } = row;
      found.push(entry);
    }
  }
  const stored = new Set(found.map((entry) => entry.id));
  const fresh: string[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (stored.has(id) || seen.has(id)) continue;
    seen.add(id);
    fresh.push(id);
  }
  if ((range?.count ?? 0) !== fresh.length) {
    throw new InvariantError(
      `the group commit reserved ${range?.count ?? 0} indexes for ${fresh.length} new ids`,
      { reserved: range?.count ?? 0, fresh: fresh.length },
    );
  }
  const created: AppendedEntry[] = fresh.map((id, k) => ({
    id,
    created: true,
    index: (range?.index ?? 0) + k,
    receivedAt: range?.receivedAt as Date,
  }));
  return [...created, ...found];
}

export interface LogState {
  /** Entries [0, nextIndex) exist. */
  nextIndex: number;
  /** Entries [0, sealedEnd) are in batches; [sealedEnd, nextIndex) are pending. */
  sealedEnd: number;
  partitionSize: number;
}

export const logStateSql = `SELECT l.next_index AS "nextIndex", l.partition_size AS "partitionSize",
  coalesce((SELECT b.first_index + b.size FROM batches b ORDER BY b.first_index DESC LIMIT 1), 0) AS "sealedEnd"
FROM log_state l`;

export async function logState(q: Queryable): Promise<LogState> {
  const [row] = await q.query<LogState>(logStateSql);
  if (row === undefined) throw new InvariantError("log_state has no row: the migrations did not run");
  return row;
}

/** Records waiting for a batch. */
export async function countPending(q: Queryable): Promise<number> {
  const state = await logState(q);
  return state.nextIndex - state.sealedEnd;
}

/** When the oldest pending record arrived, or null when nothing is pending. */
export async function oldestPendingReceivedAt(q: Queryable): Promise<Date | null> {
  const { sealedEnd, nextIndex } = await logState(q);
  if (sealedEnd >= nextIndex) return null;
  const rows = await q.query<{ receivedAt: Date }>(
    'SELECT received_at AS "receivedAt" FROM entries WHERE idx = $1',
    [sealedEnd],
  );
  return rows[0]?.receivedAt ?? null;
}

export const rangeLeavesSql = `SELECT count(*) AS n, string_agg(leaf, ''::bytea ORDER BY idx) AS leaves
FROM entries WHERE idx >= $1 AND idx < $2`;

/**
 * The leaves of entries [first, first + size), concatenated (size * 32 bytes). Requires them
 * all to exist: a missing entry or a leaf of the wrong length is an InvariantError.
 */
export async function rangeLeaves(q: Queryable, first: number, size: number): Promise<Uint8Array> {
  const [row] = await q.query<{ n: number; leaves: Uint8Array | null }>(rangeLeavesSql, [
    first,
    first + size,
  ]);
  const leaves = row?.leaves ?? new Uint8Array(0);
  if (row?.n !== size || leaves.length !== size * HASH_BYTES) {
    throw new InvariantError(
      `entries [${first}, ${first + size}) should hold ${size} leaves, found ${row?.n ?? 0} rows of ${leaves.length} bytes`,
      { first, size, rows: row?.n ?? 0, bytes: leaves.length },
    );
  }
  return leaves;
}
