// The erasure statement (format "erasure-statement/v1"): the small JSON document an erasure
// notarizes. It names the erased leaf by its leaf hash, says when the record's digest and
// salt were removed and under which reference, and nothing else: not the content, not the
// record's id, not the reason (which may hold personal data and stays in the operator's
// database). The JSON Schema next to this file is the contract; docs/evidence-format.md
// section 17 explains it.
//
// Why the leaf hash: it is the one name of a leaf that exists from the moment a record is
// acknowledged (a record still pending has no batch or leaf index yet), it is unique (every
// leaf has 256 random bits of salt), and it is what the erased record's bundle, and every
// neighbour's audit path, already carry. Without the salt it links to no content.
//
// A statement is notarized exactly like a record: digest = SHA-256(JCS(statement)), a fresh
// salt, leaf = SHA-256(0x00 || salt || digest), batched and anchored. So its evidence bundle
// verifies with the ordinary verifier, the statement standing in for the record.
import { Ajv } from "ajv";
import { canonicalText, digestCanonical } from "./canonical.ts";
import schema from "./erasure-statement.schema.json" with { type: "json" };
import { InvalidArgumentError } from "./errors.ts";
import { type Hex, toHex } from "./hex.ts";
import { HASH_BYTES } from "./merkle.ts";

export const ERASURE_STATEMENT_FORMAT = "erasure-statement/v1";
export const ERASURE_STATEMENT_SCHEMA = schema;
/** Longest reference, in UTF-16 code units (the schema's maxLength). */
export const MAX_REFERENCE_LENGTH = 200;

export interface ErasureStatement {
  format: typeof ERASURE_STATEMENT_FORMAT;
  /** The erased record's leaf hash. */
  erasedLeaf: Hex;
  /** UTC, ISO 8601 with milliseconds. */
  erasedAt: string;
  reference: string;
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** Validates untrusted input against the v1 schema; InvalidArgumentError naming every failing path. */
export function parseErasureStatement(untrustedStatement: unknown): ErasureStatement {
  if (validate(untrustedStatement)) return untrustedStatement as unknown as ErasureStatement;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "(statement)"} ${e.message}`);
  throw new InvalidArgumentError(
    "invalid_request",
    `not a valid ${ERASURE_STATEMENT_FORMAT}: ${problems.join("; ")}`,
  );
}

/**
 * The statement of erasing the leaf `erasedLeaf` at `erasedAt` under `reference`. Requires a
 * 32-byte leaf and a reference the schema takes (InvalidArgumentError otherwise).
 */
export function erasureStatement(parts: {
  erasedLeaf: Uint8Array;
  erasedAt: Date;
  reference: string;
}): ErasureStatement {
  if (parts.erasedLeaf.length !== HASH_BYTES) {
    throw new InvalidArgumentError("invalid_request", `a leaf hash is ${HASH_BYTES} bytes`);
  }
  return parseErasureStatement({
    format: ERASURE_STATEMENT_FORMAT,
    erasedLeaf: toHex(parts.erasedLeaf),
    erasedAt: parts.erasedAt.toISOString(),
    reference: parts.reference,
  });
}

/** The statement's JCS text, as stored, and its digest: SHA-256 of that text's UTF-8 bytes. */
export function statementDigest(statement: ErasureStatement): { text: string; digest: Uint8Array } {
  const text = canonicalText(statement);
  return { text, digest: digestCanonical(new TextEncoder().encode(text)) };
}
