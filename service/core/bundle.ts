// The evidence bundle (format "evidence-bundle/v1"): everything a third party needs to
// check, against the chain alone, that a record was notarized. The JSON Schema next to
// this file is the contract; docs/evidence-format.md explains every field.
//
// Hashes are 0x-prefixed lowercase hex. Anything else (uppercase, no 0x, wrong length) is
// non-canonical and refused: two spellings of one hash would let a bundle be altered
// without changing what it proves, and a byte-for-byte stable bundle is easier to argue about.
// Unknown fields are allowed: a v1 reader ignores them, so v1 can grow compatibly.
import { Ajv, type ErrorObject } from "ajv";
import { digestRecord } from "./canonical.ts";
import { InvalidArgumentError, InvariantError } from "./errors.ts";
import schema from "./evidence-bundle.schema.json" with { type: "json" };
import { type Hex, toHex } from "./hex.ts";
import { hashLeaf } from "./leaf.ts";
import { bytesEqual, HASH_BYTES, rootFromPath } from "./merkle.ts";

export const BUNDLE_FORMAT = "evidence-bundle/v1";
export const BUNDLE_SCHEMA = schema;

export interface BundleAnchor {
  chainId: number;
  /** Address of the EvidenceAnchor contract, lowercase. */
  contract: Hex;
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  /** Block timestamp, unix seconds. */
  timestamp: number;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  recordId: string;
  digest: Hex;
  salt: Hex;
  leafHash: Hex;
  leafIndex: number;
  treeSize: number;
  /** RFC 9162 audit path, bottom-up. */
  proof: Hex[];
  root: Hex;
  /** Batch sequence number (seq) in the contract. */
  batch: number;
  anchor: BundleAnchor;
}

/** One schema violation. `path` is a JSON Pointer into the bundle ("" is the bundle itself). */
export interface SchemaProblem {
  path: string;
  message: string;
}

const validateSchema = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** The schema violations of `untrustedBundle`; empty when it is a well-formed v1 bundle. */
export function checkBundleSchema(untrustedBundle: unknown): SchemaProblem[] {
  if (validateSchema(untrustedBundle)) return [];
  return (validateSchema.errors ?? []).map(describeSchemaError);
}

/** Validates untrusted input against the v1 schema. Throws InvalidArgumentError listing every failing path. */
export function parseBundle(untrustedBundle: unknown): Bundle {
  const problems = checkBundleSchema(untrustedBundle);
  if (problems.length > 0) {
    throw new InvalidArgumentError(
      "invalid_bundle",
      `not a valid ${BUNDLE_FORMAT} bundle: ${problems.map(formatSchemaProblem).join("; ")}`,
      { details: { problems } },
    );
  }
  return untrustedBundle as Bundle;
}

export function formatSchemaProblem(problem: SchemaProblem): string {
  return `${problem.path || "(bundle)"} ${problem.message}`;
}

function describeSchemaError(error: ErrorObject): SchemaProblem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: `${error.instancePath}/${String(params.missingProperty)}`, message: "is missing" };
    case "pattern": {
      const what = String(params.pattern).includes("{40}") ? "a 20-byte address" : "a 32-byte hash";
      return { path: error.instancePath, message: `must be ${what} as 0x-prefixed lowercase hex` };
    }
    case "const":
      return { path: error.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path: error.instancePath, message: error.message ?? error.keyword };
  }
}

/** What the service knows about one record's place in an anchored batch. */
export interface BundleParts {
  recordId: string;
  digest: Uint8Array;
  salt: Uint8Array;
  /** The stored leaf hash. When given, it is checked against salt and digest; otherwise computed. */
  leafHash?: Uint8Array;
  leafIndex: number;
  treeSize: number;
  proof: readonly Uint8Array[];
  root: Uint8Array;
  batch: number;
  /** Hex values in any case (ethers returns checksummed addresses); they are lowercased. */
  anchor: {
    chainId: number;
    contract: string;
    txHash: string;
    blockNumber: number;
    blockHash: string;
    timestamp: number;
  };
  /** The record itself, when still held; then its digest is checked too. */
  record?: unknown;
}

/**
 * Assembles a bundle and checks it before returning it: the leaf recomputed from salt and
 * digest (and the digest from the record, when given), the root recomputed from that leaf
 * and the audit path (RFC 9162), and every field of the shape the v1 schema requires. A
 * bundle that fails is our bug: InvariantError, never handed out.
 *
 * The checks run on the bytes we hold, not on the hex we write from them (issue 12: the
 * JSON Schema and the hex decoding were half of this function's time, and it runs on every
 * proof read from the database). Every hash of the bundle is `toHex` of bytes whose length
 * is checked here, which is 0x-prefixed lowercase hex of that length by construction; the
 * anchor's strings, which come from outside (ethers), are checked by the schema's own
 * patterns; numbers by its bounds. `test/core/bundle.test.ts` holds the two to the schema.
 */
export function buildBundle(parts: BundleParts): Bundle {
  const { anchor } = parts;
  const contract = anchor.contract.toLowerCase() as Hex;
  const txHash = anchor.txHash.toLowerCase() as Hex;
  const blockHash = anchor.blockHash.toLowerCase() as Hex;
  const failed: Array<{ name: string; message: string }> = [];
  const problems = shapeProblems(parts, { contract, txHash, blockHash });
  let leafHash = parts.leafHash;
  if (problems.length > 0) {
    failed.push({ name: "schema", message: `the bundle would be malformed: ${problems.join("; ")}` });
  } else {
    if (parts.record !== undefined) {
      const digest = checkRecordDigest(parts.record, parts.digest);
      if (digest !== undefined) failed.push({ name: "digest", message: digest });
    }
    const leaf = hashLeaf(parts.salt, parts.digest);
    if (leafHash === undefined) leafHash = leaf;
    else if (!bytesEqual(leaf, leafHash)) {
      failed.push({ name: "leaf", message: "the leaf hash is not SHA-256(0x00 || salt || digest)" });
    }
    const root = checkRootBytes(leafHash, parts);
    if (root !== undefined) failed.push({ name: "root", message: root });
  }
  if (failed.length > 0) {
    throw new InvariantError(
      `bundle for record ${parts.recordId} does not verify: ${failed.map((c) => `${c.name}: ${c.message}`).join("; ")}`,
      { recordId: parts.recordId, failed },
    );
  }
  return {
    format: BUNDLE_FORMAT,
    recordId: parts.recordId,
    digest: toHex(parts.digest),
    salt: toHex(parts.salt),
    leafHash: toHex(leafHash as Uint8Array),
    leafIndex: parts.leafIndex,
    treeSize: parts.treeSize,
    proof: parts.proof.map(toHex),
    root: toHex(parts.root),
    batch: parts.batch,
    anchor: {
      chainId: anchor.chainId,
      contract,
      txHash,
      blockNumber: anchor.blockNumber,
      blockHash,
      timestamp: anchor.timestamp,
    },
  };
}

const ADDRESS_PATTERN = /^0x[0-9a-f]{40}$/;
const HASH_PATTERN = /^0x[0-9a-f]{64}$/;
const MAX_PROOF_NODES = 64;

/** What of `parts` would break the v1 schema (evidence-bundle.schema.json), as "path what" lines. */
function shapeProblems(
  parts: BundleParts,
  anchor: { contract: string; txHash: string; blockHash: string },
): string[] {
  const problems: string[] = [];
  const hash = (path: string, bytes: Uint8Array | undefined) => {
    if (!(bytes instanceof Uint8Array) || bytes.length !== HASH_BYTES)
      problems.push(`${path} must be ${HASH_BYTES} bytes`);
  };
  const integer = (path: string, value: number, minimum: 0 | 1) => {
    if (!Number.isSafeInteger(value) || value < minimum)
      problems.push(`${path} must be an integer from ${minimum} to 2^53 - 1`);
  };
  const pattern = (path: string, value: string, re: RegExp, what: string) => {
    if (!re.test(value)) problems.push(`${path} must be ${what} as 0x-prefixed lowercase hex`);
  };
  if (typeof parts.recordId !== "string" || parts.recordId.length === 0)
    problems.push("/recordId must be a non-empty string");
  hash("/digest", parts.digest);
  hash("/salt", parts.salt);
  if (parts.leafHash !== undefined) hash("/leafHash", parts.leafHash);
  integer("/leafIndex", parts.leafIndex, 0);
  integer("/treeSize", parts.treeSize, 1);
  if (parts.proof.length > MAX_PROOF_NODES)
    problems.push(`/proof must have at most ${MAX_PROOF_NODES} nodes`);
  for (const [i, node] of parts.proof.entries()) hash(`/proof/${i}`, node);
  hash("/root", parts.root);
  integer("/batch", parts.batch, 0);
  integer("/anchor/chainId", parts.anchor.chainId, 1);
  pattern("/anchor/contract", anchor.contract, ADDRESS_PATTERN, "a 20-byte address");
  pattern("/anchor/txHash", anchor.txHash, HASH_PATTERN, "a 32-byte hash");
  integer("/anchor/blockNumber", parts.anchor.blockNumber, 0);
  pattern("/anchor/blockHash", anchor.blockHash, HASH_PATTERN, "a 32-byte hash");
  integer("/anchor/timestamp", parts.anchor.timestamp, 0);
  return problems;
}

/** Why `record` does not hash to `digest`; undefined when it does. */
function checkRecordDigest(record: unknown, digest: Uint8Array): string | undefined {
  try {
    if (bytesEqual(digestRecord(record), digest)) return undefined;
  } catch (error) {
    if (error instanceof InvalidArgumentError) return `the record cannot be hashed: ${error.message}`;
    throw error;
  }
  return "the record does not match the bundle: its digest differs";
}

/** Why the audit path does not lead from `leafHash` to the root; undefined when it does. */
function checkRootBytes(leafHash: Uint8Array, parts: BundleParts): string | undefined {
  const { leafIndex, treeSize } = parts;
  try {
    if (bytesEqual(rootFromPath(leafHash, leafIndex, treeSize, parts.proof), parts.root)) return undefined;
  } catch (error) {
    if (error instanceof InvalidArgumentError) return `the audit path cannot be evaluated: ${error.message}`;
    throw error;
  }
  return `the audit path for leaf ${leafIndex} of ${treeSize} leads to a different root`;
}
