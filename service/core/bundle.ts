// The evidence bundle (format "evidence-bundle/v1"): everything a third party needs to
// check, against the chain alone, that a record was notarized. The JSON Schema next to
// this file is the contract; docs/evidence-format.md explains every field.
//
// Hashes are 0x-prefixed lowercase hex. Anything else (uppercase, no 0x, wrong length) is
// non-canonical and refused: two spellings of one hash would let a bundle be altered
// without changing what it proves, and a byte-for-byte stable bundle is easier to argue about.
// Unknown fields are allowed: a v1 reader ignores them, so v1 can grow compatibly.
import { Ajv, type ErrorObject } from "ajv";
import { InvalidArgumentError, InvariantError } from "./errors.ts";
import schema from "./evidence-bundle.schema.json" with { type: "json" };
import { type Hex, toHex } from "./hex.ts";
import { hashLeaf } from "./leaf.ts";
import { verifyBundleOffline } from "./verify.ts";

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
 * Assembles a bundle and verifies it offline (schema, digest when `record` is given, leaf,
 * root) before returning it. A bundle that fails is our bug: InvariantError, never handed out.
 */
export function buildBundle(parts: BundleParts): Bundle {
  const { anchor } = parts;
  const bundle: Bundle = {
    format: BUNDLE_FORMAT,
    recordId: parts.recordId,
    digest: toHex(parts.digest),
    salt: toHex(parts.salt),
    leafHash: toHex(parts.leafHash ?? hashLeaf(parts.salt, parts.digest)),
    leafIndex: parts.leafIndex,
    treeSize: parts.treeSize,
    proof: parts.proof.map(toHex),
    root: toHex(parts.root),
    batch: parts.batch,
    anchor: {
      chainId: anchor.chainId,
      contract: anchor.contract.toLowerCase() as Hex,
      txHash: anchor.txHash.toLowerCase() as Hex,
      blockNumber: anchor.blockNumber,
      blockHash: anchor.blockHash.toLowerCase() as Hex,
      timestamp: anchor.timestamp,
    },
  };
  const report = verifyBundleOffline(bundle, parts.record === undefined ? {} : { record: parts.record });
  if (!report.ok) {
    const failed = report.checks.filter((c) => c.status === "fail");
    throw new InvariantError(
      `bundle for record ${parts.recordId} does not verify: ${failed.map((c) => `${c.name}: ${c.message}`).join("; ")}`,
      { recordId: parts.recordId, failed },
    );
  }
  return bundle;
}
