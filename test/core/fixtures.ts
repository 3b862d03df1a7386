// Test fixtures for the core: a batch of records turned into bundles with the core itself,
// and an in-memory ChainReader that behaves like the EvidenceAnchor contract on a chain
// that anchored that batch. The real contract and chain are covered by
// test/scripts/verify-cli.test.ts and test/contracts.
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Interface } from "ethers";
import { ANCHOR_ABI } from "../../service/chain/anchor-abi.ts";
import { type Bundle, type BundleParts, buildBundle } from "../../service/core/bundle.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { fromHex, type Hex, toHex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath, treeRoot, verifyInclusion } from "../../service/core/merkle.ts";
import { NOTARY_PROFILE_FORMAT, type NotaryProfile } from "../../service/core/notary-profile.ts";
import type { ChainBlock, ChainReader, ChainReceipt } from "../../service/core/verify.ts";

export const CHAIN_ID = 31337;
export const CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as Hex;

const fixed = (label: string) => toHex(sha256(new TextEncoder().encode(label)));

/** Bundles for `records`, anchored (in a fake chain) as batch `batch`. Salts are derived from `seed`. */
export function makeBatch(records: Array<Record<string, unknown>>, batch = 2, seed = "seed"): Bundle[] {
  return makeParts(records, batch, seed).map(buildBundle);
}

/** What the service would pass to buildBundle for each of `records`. */
export function makeParts(records: Array<Record<string, unknown>>, batch = 2, seed = "seed"): BundleParts[] {
  const salts = records.map((_, i) => sha256(new TextEncoder().encode(`${seed}/${i}`)));
  const digests = records.map(digestRecord);
  const tree = buildTree(digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d)));
  const anchor = {
    chainId: CHAIN_ID,
    contract: CONTRACT,
    txHash: fixed(`tx ${batch}`),
    blockNumber: 40 + batch,
    blockHash: fixed(`block ${batch}`),
    timestamp: 1_700_000_000 + batch,
  };
  return records.map(
    (record, i): BundleParts => ({
      recordId: `r-${i}`,
      digest: digests[i] as Uint8Array,
      salt: salts[i] as Uint8Array,
      leafIndex: i,
      treeSize: tree.size,
      proof: inclusionPath(tree, i),
      root: treeRoot(tree),
      batch,
      anchor,
      record,
    }),
  );
}

const anchorInterface = new Interface(ANCHOR_ABI);

/** The fake chain's runtime code at CONTRACT (any bytes: only its hash is compared). */
export const CONTRACT_CODE = toHex(new TextEncoder().encode("EvidenceAnchor runtime code"));
const GENESIS: ChainBlock = { number: 0, hash: fixed("genesis"), timestamp: 1_600_000_000 };
const DEPLOYED_IN: ChainBlock = { number: 3, hash: fixed("deployment block"), timestamp: 1_600_000_100 };

/** The notary profile that pins the chain and contract fakeChain serves. */
export function fakeNotary(overrides: Partial<NotaryProfile> = {}): NotaryProfile {
  return {
    format: NOTARY_PROFILE_FORMAT,
    name: "Fake notary (tests)",
    chainId: CHAIN_ID,
    genesisHash: GENESIS.hash,
    contract: CONTRACT,
    codeHash: toHex(keccak_256(fromHex(CONTRACT_CODE))),
    deployment: {
      txHash: fixed("deployment tx"),
      blockNumber: DEPLOYED_IN.number,
      blockHash: DEPLOYED_IN.hash,
    },
    anchorers: [`0x${"ab".repeat(20)}`],
    ...overrides,
  };
}

export interface FakeChain extends ChainReader {
  chainId: number;
  receipt: ChainReceipt | null;
  /** The anchoring block. */
  block: ChainBlock | null;
  genesis: ChainBlock;
  deployedIn: ChainBlock;
  /** Code per address; CONTRACT_CODE at the notary's contract. */
  code: Map<Hex, Hex>;
  anchors: Map<number, { root: Hex; treeSize: number }>;
  calls: string[];
}

/** A chain on which the batch of `truth` was anchored exactly as `truth` says. */
export function fakeChain(truth: Bundle): FakeChain {
  // The event is encoded by ethers from the ABI, independently of our decoder.
  const log = anchorInterface.encodeEventLog("RootAnchored", [
    truth.batch,
    truth.root,
    truth.treeSize,
    fixed("prev"),
  ]);
  const chain: FakeChain = {
    chainId: truth.anchor.chainId,
    receipt: {
      status: 1,
      to: truth.anchor.contract,
      blockNumber: truth.anchor.blockNumber,
      blockHash: truth.anchor.blockHash,
      logs: [{ address: truth.anchor.contract, topics: log.topics as Hex[], data: log.data as Hex }],
    },
    block: {
      number: truth.anchor.blockNumber,
      hash: truth.anchor.blockHash,
      timestamp: truth.anchor.timestamp,
    },
    genesis: { ...GENESIS },
    deployedIn: { ...DEPLOYED_IN },
    code: new Map([[truth.anchor.contract, CONTRACT_CODE]]),
    anchors: new Map([[truth.batch, { root: truth.root, treeSize: truth.treeSize }]]),
    calls: [],
    async getChainId() {
      chain.calls.push("getChainId");
      return chain.chainId;
    },
    async getTransactionReceipt(txHash) {
      chain.calls.push("getTransactionReceipt");
      return txHash === truth.anchor.txHash ? chain.receipt : null;
    },
    async getBlock(n) {
      chain.calls.push("getBlock");
      const blocks = [chain.genesis, chain.deployedIn, chain.block];
      return blocks.find((block) => block !== null && block.number === n) ?? null;
    },
    async getCode(address) {
      chain.calls.push("getCode");
      return chain.code.get(address) ?? "0x";
    },
    async getAnchor(contract, seq) {
      chain.calls.push("getAnchor");
      const a = contract === truth.anchor.contract ? chain.anchors.get(seq) : undefined;
      return a === undefined
        ? null
        : { ...a, blockNumber: truth.anchor.blockNumber, timestamp: truth.anchor.timestamp };
    },
    async verifyInclusion(contract, seq, leafHash, leafIndex, proof) {
      chain.calls.push("verifyInclusion");
      const a = contract === truth.anchor.contract ? chain.anchors.get(seq) : undefined;
      if (a === undefined) return false;
      return verifyInclusion(fromHex(leafHash), leafIndex, a.treeSize, proof.map(fromHex), fromHex(a.root));
    },
  };
  return chain;
}

/** Names of the checks that failed. */
export function failedChecks(report: { checks: Array<{ name: string; status: string }> }): string[] {
  return report.checks.filter((c) => c.status === "fail").map((c) => c.name);
}
