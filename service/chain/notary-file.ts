// DATA_DIR/notary.json: this notary's profile (core/notary-profile.ts), written once when the
// contract is deployed and read by the service (GET /v1/notary, POST /v1/verify), the CLIs
// (verify, audit, export) and the verification page.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseJsonBytes } from "../core/json-text.ts";
import { type NotaryProfile, notaryFingerprint, parseNotaryProfile } from "../core/notary-profile.ts";
import { writeFileDurably } from "../fs/durable-file.ts";

export function notaryProfilePath(dataDir: string): string {
  return join(dataDir, "notary.json");
}

/** Reads and validates a profile file; undefined when it does not exist. */
export async function readNotaryProfileFile(path: string): Promise<NotaryProfile | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read the notary profile ${path}: ${(error as Error).message}`);
  }
  // UTF-8 I-JSON, never repaired: with a duplicate member name, two readers could pin two different profiles.
  let untrusted: unknown;
  try {
    untrusted = parseJsonBytes(bytes);
  } catch (error) {
    throw new Error(`the notary profile ${path} ${(error as Error).message}`);
  }
  try {
    return parseNotaryProfile(untrusted);
  } catch (error) {
    throw new Error(`the notary profile ${path} is invalid: ${(error as Error).message}`);
  }
}

/** Writes the profile atomically and durably (file and folder fsynced). Returns its fingerprint. */
export async function writeNotaryProfileFile(path: string, profile: NotaryProfile): Promise<string> {
  await writeFileDurably(path, `${JSON.stringify(profile, null, 2)}\n`);
  return notaryFingerprint(profile);
}

export interface PinnedNotary {
  profile: NotaryProfile;
  path: string;
  /** True when no file was given and the default was read. */
  fromDefault: boolean;
}

/**
 * The profile a CLI pins (verify, audit): the file it was given, else `defaultPath` when that
 * exists. Undefined when neither: the caller must then decide nothing. Throws an Error when
 * the file cannot be read or is not a valid profile, and when a given file does not exist.
 */
export async function readPinnedNotary(
  given: string | undefined,
  defaultPath: string,
): Promise<PinnedNotary | undefined> {
  const path = given ?? defaultPath;
  const profile = await readNotaryProfileFile(path);
  if (profile !== undefined) return { profile, path, fromDefault: given === undefined };
  if (given === undefined) return undefined;
  throw new Error(`cannot read the notary profile ${path}: no such file`);
}
