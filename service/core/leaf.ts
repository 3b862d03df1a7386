// The leaf rule:
//
//   leafHash = SHA-256(0x00 || salt || digest)
//
//   digest = SHA-256(JCS(record)) (canonical.ts), 32 bytes
//   salt   = 32 random bytes, fresh for every record, kept next to the record
//   0x00   = the RFC 6962 leaf prefix; interior nodes use 0x01 (merkle.ts), so a leaf can
//            never be passed off as a node or the other way round
//
// Why a salt: evidence records are often low in entropy (a case number, a date, a yes/no),
// and every bundle hands out sibling hashes. Without a salt, anyone holding a bundle could
// guess records, hash them and compare against those siblings, learning other people's
// evidence. 256 random bits make each leaf unguessable. It also gives us crypto-shredding:
// delete a record's salt and its leaf can no longer be tied to any content, yet the leaf
// hash stays in the tree, so every other record's proof and the anchored root still verify.
import { sha256 } from "@noble/hashes/sha2.js";
import { InvalidArgumentError } from "./errors.ts";
import { HASH_BYTES } from "./merkle.ts";

export const SALT_BYTES = 32;

/** 32 bytes from the platform CSPRNG (Web Crypto: the same call in Node and in browsers). */
export function newSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SALT_BYTES));
}

/** SHA-256(0x00 || salt || digest). Requires a 32-byte salt and a 32-byte digest. */
export function hashLeaf(salt: Uint8Array, digest: Uint8Array): Uint8Array {
  if (salt.length !== SALT_BYTES) {
    throw new InvalidArgumentError("invalid_salt", `a salt must be ${SALT_BYTES} bytes, got ${salt.length}`);
  }
  if (digest.length !== HASH_BYTES) {
    throw new InvalidArgumentError(
      "invalid_digest",
      `a digest must be ${HASH_BYTES} bytes, got ${digest.length}`,
    );
  }
  const input = new Uint8Array(1 + SALT_BYTES + HASH_BYTES);
  input[0] = 0x00;
  input.set(salt, 1);
  input.set(digest, 1 + SALT_BYTES);
  return sha256(input);
}
