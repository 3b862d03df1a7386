// A ledger as the release before the log (commit 7dffeb8) left it: the schema of migrations
// 001 and 002 (the very files, never edited), and rows written with that release's own SQL,
// kept here as a fixture: records inserted in ingest order (pos), a sealed batch stored with
// every level of its tree (level 0 too), its records then assigned to it by an UPDATE, and
// the anchoring recorded as the anchorer did. An upgrade is tested against exactly this.
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import type { Database, Queryable } from "../../service/db/database.ts";
import { migrate, readMigrations } from "../../service/db/migrate.ts";

export const LEGACY_VERSIONS = ["001_initial", "002_records_received_at"];

/** Applies migrations 001 and 002 only: the schema that release created. */
export async function createLegacySchema(db: Database): Promise<void> {
  const all = await readMigrations();
  await migrate(
    db,
    all.filter((m) => LEGACY_VERSIONS.includes(m.version)),
  );
}

export interface LegacyRecord {
  id: string;
  digest: Uint8Array;
  salt: Uint8Array;
  leaf: Uint8Array;
  receivedAt: Date;
}

export interface LegacyAnchor {
  chainId: number;
  contract: Uint8Array;
  txHash: Uint8Array;
  nonce: number;
  blockNumber: number;
  blockHash: Uint8Array;
  blockTimestamp: number;
}

// That release's service/db/records.ts insertRecordsSql, with received_at given (it took now()).
const INSERT_RECORDS = `INSERT INTO records (id, digest, salt, leaf, received_at)
SELECT id, digest, salt, leaf, received_at
FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bytea[], $5::timestamptz[])
  WITH ORDINALITY AS n(id, digest, salt, leaf, received_at, ord)
ORDER BY ord
ON CONFLICT (id) DO NOTHING`;

// That release's service/db/batches.ts insertBatchSql: one row per level, level 0 included.
function insertBatchSql(levelCount: number): string {
  const values = Array.from({ length: levelCount }, (_, level) => `(${level}, $${level + 4}::bytea)`);
  return `WITH batch AS (
  INSERT INTO batches (seq, root, size, state) VALUES ($1, $2, $3, 'sealed') RETURNING seq
)
INSERT INTO batch_levels (seq, level, nodes)
SELECT batch.seq, l.level, l.nodes FROM batch, (VALUES ${values.join(", ")}) AS l(level, nodes)`;
}

// That release's assignToBatchSql: the second write of every record, which the log removes.
const ASSIGN_TO_BATCH = `UPDATE records r
SET seq = $1, leaf_index = a.ord - 1
FROM unnest($2::text[]) WITH ORDINALITY AS a(id, ord)
WHERE r.id = a.id AND r.seq IS NULL`;

const MARK_SENT = `UPDATE batches
SET state = 'sent', tx_hash = $2, tx_nonce = $3, chain_id = $4, contract = $5, sent_at = now()
WHERE seq = $1`;

const MARK_ANCHORED = `UPDATE batches
SET state = 'anchored', block_number = $2, block_hash = $3, block_timestamp = $4, anchored_at = now()
WHERE seq = $1`;

/** Inserts records as that release's group commit did (they stay pending). */
export async function writeLegacyRecords(q: Queryable, records: readonly LegacyRecord[]): Promise<void> {
  await q.query(INSERT_RECORDS, [
    records.map((r) => r.id),
    records.map((r) => r.digest),
    records.map((r) => r.salt),
    records.map((r) => r.leaf),
    records.map((r) => r.receivedAt),
  ]);
}

/**
 * Seals `ids` (already stored, pending) into batch `seq` at leaf indexes 0..n-1 as that
 * release's sealer did, and records its anchor when given. Returns the batch's root.
 */
export async function writeLegacyBatch(
  db: Database,
  seq: number,
  records: readonly LegacyRecord[],
  anchor?: LegacyAnchor,
): Promise<Uint8Array> {
  const tree = buildTree(records.map((r) => r.leaf));
  const root = treeRoot(tree);
  await db.transaction(async (tx) => {
    await tx.query(insertBatchSql(tree.levels.length), [seq, root, tree.size, ...tree.levels]);
    await tx.query(ASSIGN_TO_BATCH, [seq, records.map((r) => r.id)]);
  });
  if (anchor !== undefined) {
    await db.query(MARK_SENT, [seq, anchor.txHash, anchor.nonce, anchor.chainId, anchor.contract]);
    await db.query(MARK_ANCHORED, [seq, anchor.blockNumber, anchor.blockHash, anchor.blockTimestamp]);
  }
  return root;
}
