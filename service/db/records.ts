// Reading records: an entry of the log found by its id (entry_ids), with the batch whose
// range holds its index, if it is sealed. A record's place in its batch is not stored on it:
// its leaf index is its index minus the batch's first index.
import { prepared, type Queryable } from "./database.ts";

export interface StoredRecord {
  id: string;
  /** The record's index in the log. */
  index: number;
  /** Null once erased (migrations/004_erasure.sql), with the salt. */
  digest: Uint8Array | null;
  /** Null once erased, with the digest. */
  salt: Uint8Array | null;
  leaf: Uint8Array;
  receivedAt: Date;
}

/** A record with its batch, if sealed. Batch fields are null while the record is pending. */
export interface RecordWithBatch extends StoredRecord {
  seq: number | null;
  firstIndex: number | null;
  leafIndex: number | null;
  state: "sealed" | "sent" | "anchored" | null;
  root: Uint8Array | null;
  size: number | null;
  sealedAt: Date | null;
  chainId: number | null;
  contract: Uint8Array | null;
  txHash: Uint8Array | null;
  sentAt: Date | null;
  blockNumber: number | null;
  blockHash: Uint8Array | null;
  blockTimestamp: number | null;
  anchoredAt: Date | null;
}

/** An anchored record's audit path comes with it: the nodes bottom-up, 32 bytes each, concatenated. */
export interface RecordWithPath extends RecordWithBatch {
  /** Null unless the batch is anchored. */
  path: Uint8Array | null;
}

const RECORD_WITH_BATCH_COLUMNS = `e.idx AS "index", e.id, e.digest, e.salt, e.leaf, e.received_at AS "receivedAt",
  b.seq, b.first_index AS "firstIndex", e.idx - b.first_index AS "leafIndex",
  b.state, b.root, b.size, b.sealed_at AS "sealedAt", b.chain_id AS "chainId", b.contract,
  b.tx_hash AS "txHash", b.sent_at AS "sentAt", b.block_number AS "blockNumber",
  b.block_hash AS "blockHash", b.block_timestamp AS "blockTimestamp", b.anchored_at AS "anchoredAt"`;

/** The batch whose range holds entry e, if any: the last batch starting at or before it. */
const BATCH_OF_ENTRY = `LEFT JOIN LATERAL (
  SELECT bb.* FROM batches bb WHERE bb.first_index <= e.idx ORDER BY bb.first_index DESC LIMIT 1
) b ON e.idx < b.first_index + b.size`;

/** A record with its batch, and its erasure or legal hold, if it has one. */
export interface RecordState extends RecordWithBatch {
  /** Set once erased. */
  erasedAt: Date | null;
  erasureReference: string | null;
  /** Set while on legal hold. */
  holdReference: string | null;
  holdPlacedAt: Date | null;
}

const RECORD_NOTES_COLUMNS = `er.erased_at AS "erasedAt", er.reference AS "erasureReference",
  h.reference AS "holdReference", h.placed_at AS "holdPlacedAt"`;

const RECORD_NOTES = `LEFT JOIN erasures er ON er.idx = e.idx
LEFT JOIN legal_holds h ON h.idx = e.idx`;

export const getRecordSql = `SELECT ${RECORD_WITH_BATCH_COLUMNS}, ${RECORD_NOTES_COLUMNS}
FROM entry_ids i
JOIN entries e ON e.idx = i.idx
${BATCH_OF_ENTRY}
${RECORD_NOTES}
WHERE i.id = $1`;

const getRecordStatement = prepared("en_get_record", getRecordSql);

export async function getRecord(q: Queryable, id: string): Promise<RecordState | null> {
  const rows = await q.query<RecordState>(getRecordStatement, [id]);
  return rows[0] ?? null;
}

// The audit path of leaf i = index - first_index in a tree of `size` leaves (RFC 9162, as
// merkle.auditPathPositions): at each level g that has more than one node, the sibling
// (i >> g) XOR 1 when it exists. Level 0 is the neighbouring entry's leaf; levels 1 and up
// are one 32-byte substring of the stored level each, read only for a batch whose levels the
// caller does not hold ($2: the first indexes of those it holds).
const AUDIT_PATH = `(
  SELECT string_agg(
    CASE WHEN p.level = 0 THEN s.leaf ELSE substring(l.nodes FROM (p.sibling * 32 + 1)::int FOR 32) END,
    ''::bytea ORDER BY p.level)
  FROM (
    SELECT g AS level, ((e.idx - b.first_index) >> g) # 1 AS sibling
    FROM generate_series(0, 62) AS g
    WHERE (b.size::bigint - 1) >> g > 0 AND (((e.idx - b.first_index) >> g) # 1) <= (b.size::bigint - 1) >> g
      AND (g = 0 OR NOT (b.first_index = ANY($2::bigint[])))
  ) p
  LEFT JOIN entries s ON p.level = 0 AND s.idx = b.first_index + p.sibling
  LEFT JOIN batch_levels l ON p.level > 0 AND l.first_index = b.first_index AND l.level = p.level
)`;

// Many ids in one statement: concurrent proof requests share one round trip.
export const getRecordsWithPathSql = `SELECT q.id AS "requestedId", r.*
FROM unnest($1::text[]) AS q(id)
CROSS JOIN LATERAL (
  SELECT ${RECORD_WITH_BATCH_COLUMNS},
    CASE WHEN b.state = 'anchored' THEN ${AUDIT_PATH} END AS path
  FROM entry_ids i
  JOIN entries e ON e.idx = i.idx
  ${BATCH_OF_ENTRY}
  WHERE i.id = q.id
  LIMIT 1
) r`;

const getRecordsWithPathStatement = prepared("en_get_records_with_path", getRecordsWithPathSql);

/**
 * The records of `ids` (those that exist), each with its batch and, once anchored, its audit
 * path: everything their bundles need, in one statement. For a batch whose first index is in
 * `levelsHeld` (its levels are in the caller's memory), the path holds only its level-0 node,
 * the neighbouring entry's leaf; the caller cuts the rest from the levels it holds.
 */
export async function getRecordsWithPath(
  q: Queryable,
  ids: readonly string[],
  levelsHeld: readonly number[] = [],
): Promise<Map<string, RecordWithPath>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<RecordWithPath & { requestedId: string }>(getRecordsWithPathStatement, [
    ids,
    levelsHeld,
  ]);
  return new Map(rows.map(({ requestedId, ...row }) => [requestedId, row]));
}

/** One record with its batch and, once anchored, its whole audit path (getRecordsWithPath for one id). */
export async function getRecordWithPath(q: Queryable, id: string): Promise<RecordWithPath | null> {
  return (await getRecordsWithPath(q, [id])).get(id) ?? null;
}

export const getEntryWithPathSql = `SELECT ${RECORD_WITH_BATCH_COLUMNS},
  CASE WHEN b.state = 'anchored' THEN ${AUDIT_PATH} END AS path
FROM entries e
${BATCH_OF_ENTRY}
WHERE e.idx = $1`;

/**
 * The entry at `index` of the log, whatever its kind, with its batch and, once anchored, its
 * whole audit path: an erasure entry, which has no id to be found by.
 */
export async function getEntryWithPath(q: Queryable, index: number): Promise<RecordWithPath | null> {
  const rows = await q.query<RecordWithPath>(getEntryWithPathSql, [index, []]);
  return rows[0] ?? null;
}

// Records in (received_at, index) order, from the sparse time index entry_groups (one row per
// group commit, whose entries share its received_at): the groups of the window in order,
// each group's entries in index order, so a page reads no more than it returns. The cursor is
// the last row's index; the page after it starts at its received_at. Erasure entries belong to
// no group: only records are listed.
export const listRecordsReceivedSql = `WITH cursor AS (
  SELECT coalesce((SELECT c.received_at FROM entries c WHERE c.idx = $3::bigint), $1::timestamptz) AS at,
    coalesce($3::bigint, -1) AS idx
)
SELECT ${RECORD_WITH_BATCH_COLUMNS}, ${RECORD_NOTES_COLUMNS}
FROM cursor k
JOIN entry_groups g ON g.received_at >= k.at AND g.received_at >= $1 AND g.received_at < $2
  AND g.first_index + g.count > k.idx
JOIN entries e ON e.idx >= g.first_index AND e.idx < g.first_index + g.count
  AND (g.received_at > k.at OR e.idx > k.idx)
${BATCH_OF_ENTRY}
${RECORD_NOTES}
ORDER BY g.received_at, g.first_index, e.idx
LIMIT $4`;

/**
 * Records received in [from, to), oldest first, at most `limit`; `after` is the `index` of
 * the last record of the previous page (omit it for the first page).
 */
export async function listRecordsReceived(
  q: Queryable,
  window: { from: Date; to: Date; after?: number; limit: number },
): Promise<RecordState[]> {
  return q.query<RecordState>(listRecordsReceivedSql, [
    window.from,
    window.to,
    window.after ?? null,
    window.limit,
  ]);
}
