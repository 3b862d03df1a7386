// The checks a verifier runs on an evidence bundle, each with a stable name, in this order.
//
//   schema             the bundle is a well-formed evidence-bundle/v1 document
//   digest             SHA-256(JCS(record)) equals bundle.digest (only when a record is given)
//   leaf               SHA-256(0x00 || salt || digest) equals bundle.leafHash
//   root               the RFC 9162 audit path leads from leafHash at leafIndex of treeSize to bundle.root
//   notary, anchor_tx, anchor_root, anchor_block, onchain_inclusion
//                      the chain checks (chain-checks.ts), against a pinned notary profile
//
// The verdict: "valid" when no check failed; "invalid" when one did; "unsupported_format"
// when the bundle's `format` is a string other than evidence-bundle/v1 (a later format this
// verifier cannot judge: no check is run, and no verdict is given).
//
// Trust: the chain checks need a chain *and* the notary profile to pin (`trustedNotary`),
// obtained out of band. Whoever hands over a bundle chose every byte of it, its chain id and
// contract included, so those are compared with the profile and never trusted.
//
// Compute, then compare: every mismatch carries what the bundle claims (`expected`) and what
// was computed or read (`actual`). Each check reads only the fields it needs, so one bad
// field fails (or, when malformed, skips) only the checks that depend on it. An RFC 6962
// root does not commit to the tree size: a changed treeSize fails `root` when it changes the
// shape of the path, and always fails `anchor_root`.
//
// Not being able to ask the chain is different from a failed check: the ChainReader throws
// ChainUnavailableError and verifyBundle lets it through (no verdict), unless an offline
// check has already failed: then the evidence is invalid whatever the chain says, and the
// chain checks are reported as not run.
import type { Bundle, SchemaProblem } from "./bundle.ts";
import { BUNDLE_FORMAT, checkBundleSchema, formatSchemaProblem } from "./bundle.ts";
import { digestRecord } from "./canonical.ts";
import {
  ANCHOR_CHECK_NAMES,
  type ChainReader,
  checkNotary,
  checkNotaryClaims,
  type Gate,
  runAnchorChecks,
  skipAnchorChecks,
} from "./chain-checks.ts";
import { compare, fail, type Outcome, pass, skip } from "./check-outcome.ts";
import { ChainUnavailableError, InvalidArgumentError } from "./errors.ts";
import { fromHex, type Hex, toHex } from "./hex.ts";
import { hashLeaf } from "./leaf.ts";
import { rootFromPath } from "./merkle.ts";
import { type NotaryProfile, notaryFingerprint } from "./notary-profile.ts";

export type {
  ChainAnchor,
  ChainBlock,
  ChainLog,
  ChainReader,
  ChainReceipt,
} from "./chain-checks.ts";
export { decodeRootAnchored, ROOT_ANCHORED_TOPIC } from "./chain-checks.ts";

const OFFLINE_CHECK_NAMES = ["schema", "digest", "leaf", "root"] as const;
/** The chain checks, in order; `notary` runs first. */
export const CHAIN_CHECK_NAMES = ["notary", ...ANCHOR_CHECK_NAMES] as const;
export const CHECK_NAMES = [...OFFLINE_CHECK_NAMES, ...CHAIN_CHECK_NAMES] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult extends Outcome {
  name: CheckName;
}

export type Verdict = "valid" | "invalid" | "unsupported_format";

export interface VerifyReport {
  /** True when the verdict is "valid": no check failed. */
  ok: boolean;
  verdict: Verdict;
  /** The pinned notary the chain checks compared the bundle with, when one was given. */
  notary?: { name: string; fingerprint: string };
  checks: CheckResult[];
}

/**
 * What to verify against. The chain checks need a chain and the notary profile to pin, so
 * the two come together; a profile alone still lets the notary check fail a bundle that
 * names another chain or contract.
 */
export type VerifyOptions = {
  /** The record the bundle is for; without it the `digest` check is skipped. */
  record?: unknown;
} & (
  | { chain?: undefined; trustedNotary?: NotaryProfile | undefined }
  | { chain: ChainReader; trustedNotary: NotaryProfile }
);

/**
 * Every check. Throws ChainUnavailableError when a chain is given but cannot be asked (and
 * no offline check has failed); InvalidArgumentError when a chain is given without a notary.
 */
export async function verifyBundle(
  untrustedBundle: unknown,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const { chain, trustedNotary } = options;
  if (chain !== undefined && trustedNotary === undefined) {
    throw new InvalidArgumentError(
      "invalid_notary_profile",
      "a chain was given without a trusted notary profile: the chain checks would have nothing to compare the bundle with",
    );
  }
  const notary =
    trustedNotary === undefined
      ? {}
      : { notary: { name: trustedNotary.name, fingerprint: notaryFingerprint(trustedNotary) } };
  const format = unsupportedFormat(untrustedBundle);
  if (format !== undefined) return { ...unsupported(format, CHECK_NAMES), ...notary };
  const { checks, gate } = runOffline(untrustedBundle, options);
  const b = untrustedBundle as Bundle;
  const chainChecks = await runChainChecks(b, gate, checks, options);
  return { ...report([...checks, ...chainChecks]), ...notary };
}

/** The offline checks only (schema, digest, leaf, root): synchronous, no chain. */
export function verifyBundleOffline(
  untrustedBundle: unknown,
  options: { record?: unknown } = {},
): VerifyReport {
  const format = unsupportedFormat(untrustedBundle);
  if (format !== undefined) return unsupported(format, OFFLINE_CHECK_NAMES);
  return report(runOffline(untrustedBundle, options).checks);
}

/** No verdict: a later format this verifier cannot judge. No check is run. */
function unsupported(format: string, names: readonly CheckName[]): VerifyReport {
  const why = `this verifier knows only ${BUNDLE_FORMAT}, not "${format}", so it cannot judge this bundle; use a verifier that supports ${JSON.stringify(format)}`;
  return {
    ok: false,
    verdict: "unsupported_format",
    checks: names.map((name) => ({ name, ...skip(name === "schema" ? why : "not run: unknown format") })),
  };
}

function report(checks: CheckResult[]): VerifyReport {
  const ok = checks.every((c) => c.status !== "fail");
  return { ok, verdict: ok ? "valid" : "invalid", checks };
}

/** The `format` of a bundle that names another format than v1 (a string); undefined otherwise. */
function unsupportedFormat(untrustedBundle: unknown): string | undefined {
  if (typeof untrustedBundle !== "object" || untrustedBundle === null) return undefined;
  const format = (untrustedBundle as { format?: unknown }).format;
  return typeof format === "string" && format !== BUNDLE_FORMAT ? format : undefined;
}

async function runChainChecks(
  b: Bundle,
  gate: Gate,
  offline: readonly CheckResult[],
  options: VerifyOptions,
): Promise<CheckResult[]> {
  const named = (notary: Outcome, anchors: ReturnType<typeof skipAnchorChecks>): CheckResult[] => [
    { name: "notary", ...notary },
    ...ANCHOR_CHECK_NAMES.map((name) => ({ name, ...anchors[name] })),
  ];
  const { chain, trustedNotary } = options;
  if (chain === undefined) {
    const notChecked = "no chain was given, so the anchor was not checked against the chain";
    const claims = trustedNotary === undefined ? undefined : checkNotaryClaims(b, trustedNotary, gate);
    return named(claims ?? skip(notChecked), skipAnchorChecks(`not run: ${notChecked}`));
  }
  try {
    const notary = await checkNotary(b, chain, trustedNotary, gate);
    if (notary.status !== "pass") {
      return named(
        notary,
        skipAnchorChecks(
          "not run: the notary check failed, and an answer from another contract or chain means nothing",
        ),
      );
    }
    return named(notary, await runAnchorChecks(b, chain, trustedNotary, gate));
  } catch (error) {
    // Decided offline already: the chain could only add failures.
    if (!(error instanceof ChainUnavailableError) || offline.every((c) => c.status !== "fail")) throw error;
    const why = `not run: the chain could not be asked (${error.message}); the evidence is invalid whatever it says`;
    return named(skip(why), skipAnchorChecks(why));
  }
}

function runOffline(untrustedBundle: unknown, options: { record?: unknown }) {
  const problems = checkBundleSchema(untrustedBundle);
  const gate = makeGate(problems);
  const b = untrustedBundle as Bundle;
  const checks: CheckResult[] = [
    {
      name: "schema",
      ...(problems.length === 0
        ? pass(`the bundle is a well-formed ${BUNDLE_FORMAT} document`)
        : fail(`the bundle is malformed: ${problems.map(formatSchemaProblem).join("; ")}`)),
    },
  ];
  const digest =
    gate(["/digest"]) ??
    (options.record === undefined
      ? skip("no record was given, so the digest was not compared with a record")
      : checkDigest(b, options.record));
  const leaf = gate(["/salt", "/digest", "/leafHash"]) ?? checkLeaf(b);
  const root = gate(["/leafHash", "/leafIndex", "/treeSize", "/proof", "/root"]) ?? checkRoot(b);
  checks.push({ name: "digest", ...digest }, { name: "leaf", ...leaf }, { name: "root", ...root });
  return { checks, gate };
}

/** A check whose fields are malformed is skipped (the schema check has already failed and says why). */
function makeGate(problems: readonly SchemaProblem[]): Gate {
  return (needs) => {
    for (const need of ["/format", ...needs]) {
      const bad = problems.find(
        (p) => p.path === need || need.startsWith(`${p.path}/`) || p.path.startsWith(`${need}/`),
      );
      if (bad) return skip(`not run: ${formatSchemaProblem(bad)}`);
    }
    return undefined;
  };
}

function checkDigest(b: Bundle, record: unknown): Outcome {
  let actual: Hex;
  try {
    actual = toHex(digestRecord(record));
  } catch (error) {
    if (error instanceof InvalidArgumentError) return fail(`the record cannot be hashed: ${error.message}`);
    throw error;
  }
  return compare(
    b.digest,
    actual,
    "the record hashes (RFC 8785 JCS, SHA-256) to the bundle's digest",
    "the record does not match the bundle: its digest differs",
  );
}

function checkLeaf(b: Bundle): Outcome {
  return compare(
    b.leafHash,
    toHex(hashLeaf(fromHex(b.salt), fromHex(b.digest))),
    "SHA-256(0x00 || salt || digest) equals the bundle's leaf hash",
    "the leaf hash is not SHA-256(0x00 || salt || digest)",
  );
}

function checkRoot(b: Bundle): Outcome {
  let actual: Hex;
  try {
    actual = toHex(rootFromPath(fromHex(b.leafHash), b.leafIndex, b.treeSize, b.proof.map(fromHex)));
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const d = error.details;
    return fail(
      `the audit path cannot be evaluated: ${error.message}`,
      d === undefined ? undefined : String(d.expected),
      d === undefined ? undefined : String(d.actual),
    );
  }
  return compare(
    b.root,
    actual,
    `the audit path leads from leaf ${b.leafIndex} of ${b.treeSize} to the bundle's root`,
    `the audit path for leaf ${b.leafIndex} of ${b.treeSize} leads to a different root`,
  );
}
