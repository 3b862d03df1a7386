// Small byte helpers shared by the database tests.
import { randomBytes } from "node:crypto";
import { hashLeaf } from "../../service/core/leaf.ts";
import type { NewRecord } from "../../service/db/log.ts";

/** `n` random bytes as a plain Uint8Array (not a Buffer), as the database layer returns them. */
export function randomBytesArray(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

/** A record with a random digest and salt, and the leaf they give. */
export function newRecord(id: string): NewRecord {
  const digest = randomBytesArray(32);
  const salt = randomBytesArray(32);
  return { id, digest, salt, leaf: hashLeaf(salt, digest) };
}
