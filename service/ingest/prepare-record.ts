// A submission becomes a row: digest (from the record via JCS, or given directly),
// a fresh salt, and the leaf hash. Pure CPU work, done before the row is queued.
import { digestRecord } from "../core/canonical.ts";
import { InvalidArgumentError } from "../core/errors.ts";
import { fromHex, type Hex, isHex } from "../core/hex.ts";
import { hashLeaf, newSalt } from "../core/leaf.ts";
import type { NewRecord } from "../db/records.ts";

export interface Submission {
  id: string;
  record?: unknown;
  digest?: string;
}

/** Requires exactly one of `record` and `digest`. `field` prefixes error paths (e.g. "records/3"). */
export function prepareRecord(submission: Submission, field = ""): NewRecord {
  const at = (name: string) => (field ? `${field}/${name}` : name);
  const hasRecord = submission.record !== undefined;
  const hasDigest = submission.digest !== undefined;
  if (hasRecord === hasDigest) {
    throw new InvalidArgumentError("invalid_request", `${at("")}send exactly one of "record" and "digest"`, {
      details: { field: field || "body" },
    });
  }
  let digest: Uint8Array;
  if (hasDigest) {
    if (!isHex(submission.digest, 32)) {
      throw new InvalidArgumentError(
        "invalid_request",
        `${at("digest")} must be 32 bytes of 0x-prefixed lowercase hex`,
        {
          details: { field: at("digest") },
        },
      );
    }
    digest = fromHex(submission.digest as Hex);
  } else {
    try {
      digest = digestRecord(submission.record);
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(error.code, `${at("record")}: ${error.message}`, {
          details: { field: at("record"), ...error.details },
        });
      }
      throw error;
    }
  }
  const salt = newSalt();
  return { id: submission.id, digest, salt, leaf: hashLeaf(salt, digest) };
}
