// The checks a verifier runs on an evidence bundle, each with a stable name.
//
//   schema             the bundle is a well-formed evidence-bundle/v1 document
//   digest             SHA-256(JCS(record)) equals bundle.digest (only when a record is given)
//   leaf               SHA-256(0x00 || salt || digest) equals bundle.leafHash
//   root               the RFC 9162 audit path leads from leafHash at leafIndex of treeSize to bundle.root
//   anchor_tx          the anchoring transaction succeeded, was sent to the contract and emitted
//                      RootAnchored(seq = batch, root)
//   anchor_root        the contract's getAnchor(batch) holds bundle.root and bundle.treeSize
//   anchor_block       the RPC serves anchor.chainId; the transaction is in anchor.blockNumber /
//                      anchor.blockHash; that block's timestamp is anchor.timestamp
//   onchain_inclusion  the contract's verifyInclusion(batch, leafHash, leafIndex, proof) is true
//
// Compute, then compare: every mismatch carries what the bundle claims (`expected`) and what
// was computed or read from the chain (`actual`). Each check reads only the fields it needs,
// so one bad field fails (or, when malformed, skips) only the checks that depend on it.
// Note that an RFC 6962 root does not commit to the tree size: a changed treeSize fails
// `root` when it changes the shape of the path, and always fails `anchor_root`.
//
// A check that fails means the evidence is invalid. Not being able to ask the chain is
// different: the ChainReader throws ChainUnavailableError and verifyBundle lets it through.
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Bundle, SchemaProblem } from "./bundle.ts";
import { BUNDLE_FORMAT, checkBundleSchema, formatSchemaProblem } from "./bundle.ts";
import { digestRecord } from "./canonical.ts";
import { InvalidArgumentError } from "./errors.ts";
import { fromHex, type Hex, toHex } from "./hex.ts";
import { hashLeaf } from "./leaf.ts";
import { rootFromPath } from "./merkle.ts";

export const CHECK_NAMES = [
  "schema",
  "digest",
  "leaf",
  "root",
  "anchor_tx",
  "anchor_root",
  "anchor_block",
  "onchain_inclusion",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
  name: CheckName;
  status: "pass" | "fail" | "skip";
  /** A plain sentence for a reader who is not an engineer. */
  message: string;
  /** On a mismatch: what the bundle claims. */
  expected?: string;
  /** On a mismatch: what was computed, or read from the chain. */
  actual?: string;
}

export interface VerifyReport {
  /** True when no check failed. */
  ok: boolean;
  checks: CheckResult[];
}

/** Read-only chain access. Hex values are lowercase; methods throw ChainUnavailableError when the chain cannot be asked. */
export interface ChainReader {
  getChainId(): Promise<number>;
  /** Null when the chain has no such transaction. */
  getTransactionReceipt(txHash: Hex): Promise<ChainReceipt | null>;
  /** Null when the chain has no block with that number. */
  getBlock(blockNumber: number): Promise<ChainBlock | null>;
  /** EvidenceAnchor.getAnchor(seq); null when `contract` holds no anchor for `seq` (or is no anchor contract). */
  getAnchor(contract: Hex, seq: number): Promise<ChainAnchor | null>;
  /** EvidenceAnchor.verifyInclusion(seq, leafHash, leafIndex, proof). */
  verifyInclusion(
    contract: Hex,
    seq: number,
    leafHash: Hex,
    leafIndex: number,
    proof: readonly Hex[],
  ): Promise<boolean>;
}

export interface ChainReceipt {
  /** 1 = success, 0 = reverted. */
  status: number | null;
  to: Hex | null;
  blockNumber: number;
  blockHash: Hex;
  logs: ChainLog[];
}
export interface ChainLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
}
export interface ChainBlock {
  number: number;
  hash: Hex;
  timestamp: number;
}
export interface ChainAnchor {
  root: Hex;
  treeSize: number;
  blockNumber: number;
  timestamp: number;
}

export interface VerifyOptions {
  /** The record the bundle is for; without it the `digest` check is skipped. */
  record?: unknown;
  /** Without it the chain checks are skipped. */
  chain?: ChainReader;
}

/** topic0 of RootAnchored(uint64 indexed seq, bytes32 indexed root, uint64 treeSize, bytes32 previousRoot). */
export const ROOT_ANCHORED_TOPIC: Hex = toHex(
  keccak_256(new TextEncoder().encode("RootAnchored(uint64,bytes32,uint64,bytes32)")),
);

type Outcome = Omit<CheckResult, "name">;
type Gate = (name: CheckName, needs: readonly string[]) => CheckResult | undefined;

/** All checks. Throws ChainUnavailableError when a chain reader is given but the chain cannot be asked. */
export async function verifyBundle(
  untrustedBundle: unknown,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const { checks, gate } = runOffline(untrustedBundle, options);
  const b = untrustedBundle as Bundle;
  if (options.chain === undefined) {
    const outcome = skip("no chain was given, so the anchor was not checked against the chain");
    for (const name of CHECK_NAMES.slice(4)) checks.push({ name, ...outcome });
  } else {
    checks.push(...(await runChainChecks(b, options.chain, gate)));
  }
  return report(checks);
}

/** The offline checks only (schema, digest, leaf, root): synchronous, no chain. */
export function verifyBundleOffline(
  untrustedBundle: unknown,
  options: { record?: unknown } = {},
): VerifyReport {
  return report(runOffline(untrustedBundle, options).checks);
}

function report(checks: CheckResult[]): VerifyReport {
  return { ok: checks.every((c) => c.status !== "fail"), checks };
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
  const digestGate = gate("digest", ["/digest"]);
  if (digestGate) checks.push(digestGate);
  else if (options.record === undefined) {
    checks.push({
      name: "digest",
      ...skip("no record was given, so the digest was not compared with a record"),
    });
  } else checks.push({ name: "digest", ...checkDigest(b, options.record) });
  checks.push(gate("leaf", ["/salt", "/digest", "/leafHash"]) ?? { name: "leaf", ...checkLeaf(b) });
  checks.push(
    gate("root", ["/leafHash", "/leafIndex", "/treeSize", "/proof", "/root"]) ?? {
      name: "root",
      ...checkRoot(b),
    },
  );
  return { checks, gate };
}

/** A check whose fields are malformed is skipped (the schema check has already failed and says why). */
function makeGate(problems: readonly SchemaProblem[]): Gate {
  return (name, needs) => {
    for (const need of ["/format", ...needs]) {
      const bad = problems.find(
        (p) => p.path === need || need.startsWith(`${p.path}/`) || p.path.startsWith(`${need}/`),
      );
      if (bad) return { name, ...skip(`not run: ${formatSchemaProblem(bad)}`) };
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

async function runChainChecks(b: Bundle, chain: ChainReader, gate: Gate): Promise<CheckResult[]> {
  // An untrusted bundle may be any JSON value, null included (the schema check has failed then).
  const anchor = (b as Bundle | null)?.anchor ?? ({} as Bundle["anchor"]);
  const results = new Map<CheckName, CheckResult>();
  const blockGate = gate("anchor_block", ["/anchor"]);
  let receipt: Promise<ChainReceipt | null> | undefined;
  const getReceipt = () => {
    receipt ??= chain.getTransactionReceipt(anchor.txHash);
    return receipt;
  };

  // The chain id comes first: on another chain every other answer would be meaningless.
  if (blockGate === undefined) {
    const chainId = await chain.getChainId();
    if (chainId !== anchor.chainId) {
      const reason = `the RPC endpoint serves chain ${chainId}, but the bundle was anchored on chain ${anchor.chainId}`;
      results.set("anchor_block", {
        name: "anchor_block",
        ...fail(
          `${reason}; ask an endpoint of chain ${anchor.chainId}`,
          String(anchor.chainId),
          String(chainId),
        ),
      });
      for (const name of ["anchor_tx", "anchor_root", "onchain_inclusion"] as const) {
        results.set(name, { name, ...skip(`not run: ${reason}`) });
      }
    } else {
      results.set("anchor_block", {
        name: "anchor_block",
        ...(await checkAnchorBlock(b, chain, await getReceipt())),
      });
    }
  } else {
    results.set("anchor_block", blockGate);
  }
  if (!results.has("anchor_tx")) {
    results.set(
      "anchor_tx",
      gate("anchor_tx", ["/anchor/txHash", "/anchor/contract", "/batch", "/root"]) ?? {
        name: "anchor_tx",
        ...checkAnchorTx(b, await getReceipt()),
      },
    );
  }
  if (!results.has("anchor_root")) {
    results.set(
      "anchor_root",
      gate("anchor_root", ["/anchor/contract", "/batch", "/root", "/treeSize"]) ?? {
        name: "anchor_root",
        ...(await checkAnchorRoot(b, chain)),
      },
    );
  }
  if (!results.has("onchain_inclusion")) {
    const needs = ["/anchor/contract", "/batch", "/leafHash", "/leafIndex", "/proof"];
    results.set(
      "onchain_inclusion",
      gate("onchain_inclusion", needs) ?? {
        name: "onchain_inclusion",
        ...(await checkOnchainInclusion(b, chain)),
      },
    );
  }
  return CHECK_NAMES.slice(4).map((name) => results.get(name) as CheckResult);
}

function checkAnchorTx(b: Bundle, receipt: ChainReceipt | null): Outcome {
  const { txHash, contract } = b.anchor;
  if (receipt === null) return fail(`the chain has no transaction ${txHash}`);
  if (receipt.status !== 1)
    return fail(`transaction ${txHash} failed (reverted)`, "1", String(receipt.status));
  const to = receipt.to?.toLowerCase() ?? "none (contract creation)";
  if (to !== contract) {
    return fail(`transaction ${txHash} was sent to ${to}, not to the anchor contract`, contract, to);
  }
  const events = decodeRootAnchored(receipt.logs, contract);
  const wanted = `RootAnchored(seq ${b.batch}, root ${b.root})`;
  if (events.some((e) => e.seq === BigInt(b.batch) && e.root === b.root)) {
    return pass(`transaction ${txHash} succeeded and the contract emitted ${wanted}`);
  }
  const found = events.map((e) => `RootAnchored(seq ${e.seq}, root ${e.root})`).join("; ");
  return fail(
    `transaction ${txHash} did not emit ${wanted} from the contract`,
    wanted,
    found || "no RootAnchored event from the contract",
  );
}

async function checkAnchorRoot(b: Bundle, chain: ChainReader): Promise<Outcome> {
  const stored = await chain.getAnchor(b.anchor.contract, b.batch);
  if (stored === null) return fail(`the contract ${b.anchor.contract} holds no anchor for batch ${b.batch}`);
  return compare(
    `root ${b.root}, ${b.treeSize} leaves`,
    `root ${stored.root.toLowerCase()}, ${stored.treeSize} leaves`,
    `the contract holds root ${b.root} with ${b.treeSize} leaves for batch ${b.batch}`,
    `the contract holds a different anchor for batch ${b.batch}`,
  );
}

async function checkAnchorBlock(
  b: Bundle,
  chain: ChainReader,
  receipt: ChainReceipt | null,
): Promise<Outcome> {
  const a = b.anchor;
  if (receipt === null)
    return fail(`the chain has no transaction ${a.txHash}, so its block cannot be checked`);
  const block = await chain.getBlock(a.blockNumber);
  const claimed = `block ${a.blockNumber} ${a.blockHash} at ${a.timestamp}`;
  const seen = `transaction in block ${receipt.blockNumber} ${receipt.blockHash.toLowerCase()}; block ${a.blockNumber} is ${
    block === null ? "missing" : `${block.hash.toLowerCase()} at ${block.timestamp}`
  }`;
  const matches =
    receipt.blockNumber === a.blockNumber &&
    receipt.blockHash.toLowerCase() === a.blockHash &&
    block !== null &&
    block.hash.toLowerCase() === a.blockHash &&
    block.timestamp === a.timestamp;
  if (!matches) {
    return fail("the anchoring transaction's block does not match the bundle", `${claimed}`, seen);
  }
  const when = new Date(a.timestamp * 1000).toISOString();
  return pass(
    `on chain ${a.chainId}, the transaction is in block ${a.blockNumber} (${a.blockHash}), mined ${when}`,
  );
}

async function checkOnchainInclusion(b: Bundle, chain: ChainReader): Promise<Outcome> {
  const included = await chain.verifyInclusion(b.anchor.contract, b.batch, b.leafHash, b.leafIndex, b.proof);
  return included
    ? pass(`the contract confirms leaf ${b.leafIndex} is included in batch ${b.batch}`)
    : fail(
        `the contract's verifyInclusion rejects leaf ${b.leafIndex} with this path for batch ${b.batch}`,
        "true",
        "false",
      );
}

/** RootAnchored events emitted by `contract` among `logs`. */
export function decodeRootAnchored(
  logs: readonly ChainLog[],
  contract: Hex,
): Array<{ seq: bigint; root: Hex; treeSize: bigint }> {
  return logs
    .filter(
      (l) =>
        l.address.toLowerCase() === contract &&
        l.topics.length === 3 &&
        l.topics[0]?.toLowerCase() === ROOT_ANCHORED_TOPIC &&
        l.data.length === 2 + 128,
    )
    .map((l) => ({
      seq: BigInt(l.topics[1] as string),
      root: (l.topics[2] as string).toLowerCase() as Hex,
      treeSize: BigInt(l.data.slice(0, 66)),
    }));
}

function compare(expected: string, actual: string, passMessage: string, failMessage: string): Outcome {
  return expected === actual ? pass(passMessage) : fail(failMessage, expected, actual);
}
function pass(message: string): Outcome {
  return { status: "pass", message };
}
function skip(message: string): Outcome {
  return { status: "skip", message };
}
function fail(message: string, expected?: string, actual?: string): Outcome {
  const outcome: Outcome = { status: "fail", message };
  if (expected !== undefined) outcome.expected = expected;
  if (actual !== undefined) outcome.actual = actual;
  return outcome;
}
