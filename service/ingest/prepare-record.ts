// Submissions become rows: digest (from the record via JCS, or given directly), a fresh salt,
// and the leaf hash. Pure CPU work, done before the rows are queued; the salts of a call are
// drawn from the CSPRNG together (newSalts), not one call each.
// A record's size is the length of its JCS bytes, which the digest is computed from anyway:
// beyond MAX_RECORD_BYTES it is refused (413) before it is hashed.
import { canonicalize, digestCanonical } from "../core/canonical.ts";
import { InvalidArgumentError } from "../core/errors.ts";
import { fromHex, type Hex, isHex } from "../core/hex.ts";
import { hashLeaf, newSalts } from "../core/leaf.ts";
import type { NewRecord } from "../db/log.ts";
import { PayloadTooLargeError } from "../service-errors.ts";

export interface Submission {
  id: string;
  record?: unknown;
  digest?: string;
}

/**
 * Requires of each exactly one of `record` and `digest`, and a record of at most
 * `maxRecordBytes` JCS bytes. `fieldOf(i)` prefixes the error paths of submission i (e.g.
 * "records/3"); none for a single submission.
 */
export function prepareRecords(
  submissions: readonly Submission[],
  maxRecordBytes: number,
  fieldOf: (i: number) => string = () => "",
): NewRecord[] {
  const digests = submissions.map((submission, i) => digestOf(submission, maxRecordBytes, fieldOf(i)));
  const salts = newSalts(submissions.length);
  return submissions.map((submission, i) => {
    const digest = digests[i] as Uint8Array;
    const salt = salts[i] as Uint8Array;
    return { id: submission.id, digest, salt, leaf: hashLeaf(salt, digest) };
  });
}

function digestOf(submission: Submission, maxRecordBytes: number, field: string): Uint8Array {
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
      const jcs = canonicalize(submission.record);
      if (jcs.length > maxRecordBytes) {
        throw new PayloadTooLargeError(
          `${at("record")} is ${jcs.length} bytes as canonical JSON (JCS); MAX_RECORD_BYTES is ${maxRecordBytes}`,
          { field: at("record") },
        );
      }
      digest = digestCanonical(jcs);
    } catch (error) {
      if (error instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(error.code, `${at("record")}: ${error.message}`, {
          details: { field: at("record"), ...error.details },
        });
      }
      throw error;
    }
  }
  return digest;
}
