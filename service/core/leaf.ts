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
import { InvalidArgumentError } from "./errors.ts";
import { HASH_BYTES } from "./merkle.ts";
import { Sha256Of65 } from "./node-hasher.ts";

export const SALT_BYTES = 32;

/** Web Crypto fills at most 65,536 bytes per call. */
const MAX_RANDOM_BYTES_PER_CALL = 65_536;

/** 32 bytes from the platform CSPRNG (Web Crypto: the same call in Node and in browsers). */
export function newSalt(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(SALT_BYTES));
}

/**
 * `count` fresh salts, drawn from the CSPRNG in as few calls as its limit allows (one per
 * 2,048 salts) rather than one call each: views into one buffer, 32 bytes apart.
 */
export function newSalts(count: number): Uint8Array[] {
  const all = new Uint8Array(count * SALT_BYTES);
  for (let at = 0; at < all.length; at += MAX_RANDOM_BYTES_PER_CALL) {
    crypto.getRandomValues(all.subarray(at, Math.min(all.length, at + MAX_RANDOM_BYTES_PER_CALL)));
  }
  return Array.from({ length: count }, (_, i) => all.subarray(i * SALT_BYTES, (i + 1) * SALT_BYTES));
}

// One scratch hasher for the module: hashLeaf runs to completion without yielding.
const leafHasher = new Sha256Of65(0x00);

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
  return leafHasher.hash(salt, digest);
}
