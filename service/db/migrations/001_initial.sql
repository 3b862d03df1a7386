-- Records, batches (sealed Merkle trees and their anchoring), stored tree levels, API keys.

CREATE TABLE records (
  -- The submitter's transaction id.
  id text PRIMARY KEY,
  digest bytea NOT NULL,
  -- Nullable: deleting the salt crypto-shreds the record (the leaf no longer links to it).
  salt bytea,
  leaf bytea NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- Ingest order; batches take pending records in this order.
  pos bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  -- The batch, null while pending.
  seq bigint,
  leaf_index integer,
  CONSTRAINT records_leaf_position UNIQUE (seq, leaf_index),
  CONSTRAINT records_batched_together CHECK ((seq IS NULL) = (leaf_index IS NULL))
);

CREATE INDEX records_pending ON records (pos) WHERE seq IS NULL;

CREATE TABLE batches (
  -- Dense from 0, as the contract requires.
  seq bigint PRIMARY KEY CHECK (seq >= 0),
  root bytea NOT NULL,
  size integer NOT NULL CHECK (size > 0),
  state text NOT NULL CHECK (state IN ('sealed', 'sent', 'anchored')),
  sealed_at timestamptz NOT NULL DEFAULT now(),
  chain_id bigint,
  contract bytea,
  tx_hash bytea,
  tx_nonce bigint,
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  block_number bigint,
  block_hash bytea,
  -- Unix seconds, as the block header states it.
  block_timestamp bigint,
  anchored_at timestamptz
);

-- Only batches still to anchor; stays tiny however many batches there are.
CREATE INDEX batches_unanchored ON batches (seq) WHERE state <> 'anchored';

-- Deferred, so a seal may assign records and insert their batch in either order.
ALTER TABLE records ADD CONSTRAINT records_batch FOREIGN KEY (seq) REFERENCES batches (seq)
  DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE batch_levels (
  seq bigint NOT NULL REFERENCES batches (seq),
  level smallint NOT NULL CHECK (level >= 0),
  -- The whole level: count * 32 bytes.
  nodes bytea NOT NULL,
  PRIMARY KEY (seq, level)
);

-- Uncompressed TOAST: substring(nodes FROM off FOR 32) then reads only the chunks holding
-- those bytes, so a proof costs O(log n) small reads and never a whole level.
ALTER TABLE batch_levels ALTER COLUMN nodes SET STORAGE EXTERNAL;

CREATE TABLE api_keys (
  -- Short public key id.
  id text PRIMARY KEY,
  -- SHA-256 of the secret. Secrets are 32 random bytes, so a fast hash is right.
  key_hash bytea NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('admin', 'submitter', 'reader')),
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
