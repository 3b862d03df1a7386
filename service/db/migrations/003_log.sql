-- The log: every record written once, ready to partition (issue 12). Upgrades a database
-- made by 001 and 002 in place; its batches keep their seqs, roots and leaf positions, so
-- every bundle issued from it stays the same.
--
-- Why this shape:
--  * Sequence once, at the door (as transparency-dev/tessera does). A group commit takes the
--    row lock of log_state (its UPDATE … RETURNING), reserves the dense range of indexes
--    [next_index, next_index + n) and writes its entries there, in one statement; the lock
--    is held until commit. So commit order is index order across any number of API
--    processes, and readers always see a gap-free prefix of the log.
--  * A batch is a range of indexes [first_index, first_index + size). Sealing inserts the
--    batch and its tree and never touches an entry: an entry's batch and leaf index follow
--    from its index. No entry row is updated or deleted in the normal flow (erasure, issue
--    13, aside).
--  * The leaf hash is stored once, in entries.leaf; the stored tree keeps levels 1 and up
--    (level 0 would be the same leaves again). A proof takes its level-0 sibling from the
--    neighbouring entry. The leaf lives on the entry, not in the tree, because an entry has
--    its leaf from the moment it is acknowledged: an erasure of a record still pending
--    (issue 13) removes its salt and digest and must leave the leaf it will be sealed with.
--  * Ready to partition. entries, entry_groups and batch_levels are partitioned by index
--    range: partition k of each covers [k * partition_size, (k + 1) * partition_size)
--    (en_ensure_partitions below makes them, ahead of need). A batch never crosses a
--    partition boundary, so partition k of the three holds whole batches and can be
--    detached and archived without touching the hot ones (docs/deployment.md).
--  * One entry per id. PostgreSQL requires the partition key in every unique index, so the
--    id index lives in its own table, entry_ids (id -> index, Tessera's "antispam"). It
--    costs a second row and index entry per record, most of the WAL beyond the entry itself
--    (BENCHMARKS.md measures it). The other ways were worse: a non-unique id index in each
--    partition makes every lookup and every duplicate check probe every partition, and
--    partitioning by a hash of the id puts every year into every partition, so nothing old
--    could ever be detached. entry_ids stays whole; it is what a lookup by id needs, for as
--    long as the records are kept.
--  * entry_groups: one row per group commit (and partition it touches), with its
--    received_at: the sparse time index behind GET /v1/records?receivedFrom=&receivedTo=.
--    A btree on entries.received_at would cost an index entry per record.
--  * kind 0 is a submitted record. Issue 13 appends erasure entries (a leaf stating which
--    leaf was erased, when and under which reference) into the same log, so they are batched
--    and anchored like records; digest and salt are nullable so an erasure can remove them.

CREATE TABLE log_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- Entries [0, next_index) exist: the next group commit starts here.
  next_index bigint NOT NULL CHECK (next_index >= 0),
  -- Entries per partition; fixed once the first partition exists.
  partition_size bigint NOT NULL CHECK (partition_size > 0)
);

INSERT INTO log_state (next_index, partition_size) VALUES ((SELECT count(*) FROM records), 268435456);

CREATE TABLE entries (
  idx bigint NOT NULL CHECK (idx >= 0),
  -- 0: a submitted record. 1 is kept for erasure entries (issue 13).
  kind smallint NOT NULL DEFAULT 0 CHECK (kind IN (0, 1)),
  -- The submitter's transaction id.
  id text NOT NULL,
  digest bytea,
  -- Null once deleted: the leaf no longer links to the record (crypto-shredding).
  salt bytea,
  leaf bytea NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (idx)
) PARTITION BY RANGE (idx);

CREATE TABLE entry_ids (
  id text PRIMARY KEY,
  idx bigint NOT NULL
);

CREATE TABLE entry_groups (
  first_index bigint NOT NULL,
  count integer NOT NULL CHECK (count > 0),
  received_at timestamptz NOT NULL,
  PRIMARY KEY (first_index)
) PARTITION BY RANGE (first_index);

CREATE INDEX entry_groups_received_at ON entry_groups (received_at, first_index);

ALTER TABLE batch_levels RENAME TO legacy_batch_levels;
ALTER INDEX batch_levels_pkey RENAME TO legacy_batch_levels_pkey;

CREATE TABLE batch_levels (
  -- The batch's first index (batches.first_index): the partition key.
  first_index bigint NOT NULL,
  level smallint NOT NULL CHECK (level >= 1),
  -- The whole level: count * 32 bytes.
  nodes bytea NOT NULL,
  PRIMARY KEY (first_index, level)
) PARTITION BY RANGE (first_index);

-- Uncompressed TOAST: substring(nodes FROM off FOR 32) then reads only the chunk holding
-- those bytes, so a proof's path costs one small read per level, never a whole level.
ALTER TABLE batch_levels ALTER COLUMN nodes SET STORAGE EXTERNAL;

-- Makes the missing partitions of entries, entry_groups and batch_levels for the indexes
-- [from_index, to_index] (never one below from_index, so an archived partition is not made
-- again), and returns how many tables it made. Each is created on its own and then
-- attached, which takes only a SHARE UPDATE EXCLUSIVE lock on the parent: inserts and reads
-- go on meanwhile. Safe to call from several processes at once (an advisory lock, key
-- 0x4e4f0004 mixed with the schema, as LOCK_KEYS in service/db/database.ts).
CREATE FUNCTION en_ensure_partitions(from_index bigint, to_index bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  psize bigint;
  k bigint;
  parent text;
  part text;
  made integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(1313800196::bigint # (hashtext(current_schema())::bigint << 32));
  SELECT partition_size INTO psize FROM log_state;
  k := greatest(from_index, 0) / psize;
  WHILE k <= to_index / psize LOOP
    FOREACH parent IN ARRAY ARRAY['entries', 'entry_groups', 'batch_levels'] LOOP
      part := parent || '_p' || k;
      IF to_regclass(quote_ident(current_schema()) || '.' || quote_ident(part)) IS NULL THEN
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING ALL)', part, parent);
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
          parent, part, k * psize, (k + 1) * psize);
        made := made + 1;
      END IF;
    END LOOP;
    k := k + 1;
  END LOOP;
  RETURN made;
END
$$;

-- The upgrade. Every batch of the old schema must hold exactly its records at leaf indexes
-- 0..size-1; then ordering the records by (batch, leaf index), and the pending ones after
-- them in ingest order, gives each batch a range of indexes that holds its leaves in order.
-- A database where that does not hold was altered by hand: refuse, rather than move proofs.
DO $$
DECLARE
  bad record;
BEGIN
  SELECT b.seq, b.size, count(r.id) AS n INTO bad
  FROM batches b LEFT JOIN records r ON r.seq = b.seq
  GROUP BY b.seq, b.size
  HAVING count(r.id) <> b.size OR min(r.leaf_index) <> 0 OR max(r.leaf_index) <> b.size - 1
  ORDER BY b.seq
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'cannot upgrade: batch % should hold % records at leaf indexes 0..%, it holds %',
      bad.seq, bad.size, bad.size - 1, bad.n;
  END IF;
END
$$;

ALTER TABLE batches ADD COLUMN first_index bigint;
UPDATE batches b SET first_index = s.first_index
FROM (
  SELECT seq, coalesce(sum(size) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
    AS first_index
  FROM batches
) s
WHERE s.seq = b.seq;
ALTER TABLE batches ALTER COLUMN first_index SET NOT NULL;
ALTER TABLE batches ADD CONSTRAINT batches_first_index_key UNIQUE (first_index);
ALTER TABLE batches ADD CONSTRAINT batches_first_index_check CHECK (first_index >= 0);

-- Partitions for what the old schema holds, and the next one.
SELECT en_ensure_partitions(0, next_index + partition_size) FROM log_state;

INSERT INTO entries (idx, kind, id, digest, salt, leaf, received_at)
SELECT row_number() OVER (ORDER BY seq NULLS LAST, leaf_index, pos) - 1, 0, id, digest, salt, leaf, received_at
FROM records;

INSERT INTO entry_ids (id, idx) SELECT id, idx FROM entries;

-- One group per run of consecutive indexes with the same received_at, within a partition.
INSERT INTO entry_groups (first_index, count, received_at)
SELECT min(idx), count(*), received_at
FROM (
  SELECT e.idx, e.received_at, e.idx / l.partition_size AS part,
    e.idx - row_number() OVER (PARTITION BY e.received_at, e.idx / l.partition_size ORDER BY e.idx) AS run
  FROM entries e, log_state l
) runs
GROUP BY received_at, part, run;

INSERT INTO batch_levels (first_index, level, nodes)
SELECT b.first_index, l.level, l.nodes
FROM legacy_batch_levels l JOIN batches b ON b.seq = l.seq
WHERE l.level >= 1;

DROP TABLE legacy_batch_levels;
DROP TABLE records;
