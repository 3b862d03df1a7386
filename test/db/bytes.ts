// Small byte helpers shared by the database tests.
import { randomBytes } from "node:crypto";

/** `n` random bytes as a plain Uint8Array (not a Buffer), as the database layer returns them. */
export function randomBytesArray(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}
