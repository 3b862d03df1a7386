-- Erasure and legal hold (issue 13).
--
-- An erasure removes a record's digest and salt from its entry (the one UPDATE of an entry
-- the log allows: 003_log.sql) and keeps its leaf, so its batch's root and every other
-- record's proof still verify. Each erasure is notarized like a record: it appends an entry
-- of kind 1 to the log, whose digest is SHA-256(JCS(statement)) of an erasure statement
-- (service/core/erasure-statement.ts: the erased leaf's hash, when, the reference), with a
-- salt and leaf of its own, batched and anchored like any entry. Erasure entries have no row
-- in entry_ids (they are not submitted records, and their ids are labels, never looked up)
-- and none in entry_groups (so the time listing of records does not show them).
--
-- A row of erasures ties the two entries together and keeps what only the operator may read:
-- the reason, which may hold personal data and is therefore never notarized nor served. The
-- statement is kept as its JCS text: the erasure entry's digest is SHA-256 of it, which the
-- audit checks, and it is what GET /v1/records/:id/erasure hands out with the bundle.
--
-- A legal hold blocks erasure. One hold per record, placed and lifted by an admin.

CREATE TABLE erasures (
  -- The erased record's log index.
  idx bigint PRIMARY KEY,
  -- The erasure's own entry (kind 1) in the log.
  erasure_idx bigint NOT NULL UNIQUE,
  erased_at timestamptz NOT NULL,
  -- The caller's reference; it is in the statement, notarized.
  reference text NOT NULL,
  -- Why, in the caller's words: for the operator only (may hold personal data).
  reason text NOT NULL,
  -- The id of the API key that asked.
  erased_by text NOT NULL,
  -- The erasure statement as its RFC 8785 (JCS) text.
  statement text NOT NULL
);

CREATE TABLE legal_holds (
  -- The held record's log index.
  idx bigint PRIMARY KEY,
  reference text NOT NULL,
  placed_at timestamptz NOT NULL DEFAULT now(),
  -- The id of the API key that placed it.
  placed_by text NOT NULL
);

ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
  CHECK (role IN ('admin', 'submitter', 'reader', 'eraser'));
