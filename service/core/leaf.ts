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

/** Web Crypto fills at most 65,536 bytes per call: 2,048 salts. */
const POOL_BYTES = 65_536;

// Salts are cut from a pool of CSPRNG output drawn 64 KiB at a time, as Node's own
// crypto.randomUUID() does: one call into the CSPRNG per 2,048 salts instead of one per salt
// (a call costs more than the 32 bytes it returns). Bytes from one draw are as random and
// unpredictable as bytes from many; each pool is a fresh buffer, handed out once, never
// refilled in place, so a salt never changes after it is given.
let pool = new Uint8Array(0);
let poolAt = 0;

/** `count` fresh 32-byte salts from the platform CSPRNG (Web Crypto: the same call in Node and in browsers). */
export function newSalts(count: number): Uint8Array[] {
  const salts: Uint8Array[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (poolAt + SALT_BYTES > pool.length) {
      pool = crypto.getRandomValues(new Uint8Array(POOL_BYTES));
      poolAt = 0;
    }
    salts[i] = pool.subarray(poolAt, poolAt + SALT_BYTES);
    poolAt += SALT_BYTES;
  }
  return salts;
}

/** One fresh 32-byte salt (see newSalts). */
export function newSalt(): Uint8Array {
  return newSalts(1)[0] as Uint8Array;
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
