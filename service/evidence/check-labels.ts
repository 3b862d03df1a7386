// What each verification check establishes, in plain words for a reader who is not an
// engineer (a judge, an arbitrator, a customer). Shared by the evidence certificate and
// the browser verification page; browser-safe (no node: imports).
import type { CheckName } from "../core/verify.ts";

export const CHECK_LABELS: Record<CheckName, { title: string; explains: string }> = {
  schema: {
    title: "The evidence file is complete and well-formed",
    explains: "Every field an evidence bundle must have is present and spelled in the one canonical way.",
  },
  digest: {
    title: "The record matches its fingerprint",
    explains:
      "The record is put in a canonical form (RFC 8785) and hashed with SHA-256; any change to the record, even one character, gives a different fingerprint (digest).",
  },
  leaf: {
    title: "The fingerprint and its secret salt give the published leaf",
    explains:
      "The digest is combined with a random salt kept for this record only, so that nobody can guess records from the published data.",
  },
  root: {
    title: "The record belongs to its batch",
    explains:
      "A short chain of hashes (the audit path) leads from this record's leaf to the batch's single Merkle root; it cannot be forged for a record that was not in the batch.",
  },
  notary: {
    title: "The evidence was anchored by this notary, on its own chain",
    explains:
      "The blockchain and the evidence contract named in the evidence are the ones in the notary's published profile (checked by the chain's first block, the block where the contract was created, and the contract's code), not a look-alike anyone could set up. Compare the profile's fingerprint with the one the notary publishes.",
  },
  anchor_tx: {
    title: "The batch root was published on the blockchain",
    explains:
      "The anchoring transaction succeeded, was sent to the evidence contract, and the contract announced this batch and root.",
  },
  anchor_root: {
    title: "The contract still holds this batch root",
    explains: "The contract keeps every batch root forever and cannot change one once written.",
  },
  anchor_block: {
    title: "The transaction is in the stated block, at the stated time",
    explains:
      "The blockchain network, the block number, the block hash and the block's timestamp all match the evidence: this fixes when the record existed at the latest.",
  },
  onchain_inclusion: {
    title: "The contract itself confirms the record is in the batch",
    explains: "The contract re-runs the audit-path computation on the chain and agrees.",
  },
};

export const STATUS_WORDS = { pass: "passed", fail: "FAILED", skip: "not run" } as const;
