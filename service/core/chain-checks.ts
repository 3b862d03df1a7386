// The checks that ask the chain, run after the offline ones (verify.ts runs them all).
//
//   notary             the bundle names the pinned notary's chain id and contract, and the
//                      RPC endpoint serves that chain: its chain id, its genesis block hash,
//                      the contract's deployment block hash and the contract's code hash all
//                      equal the notary profile's. Runs first; when it does not pass, the
//                      other chain checks are not run (an answer from another contract or
//                      chain means nothing) and the verdict is invalid.
//   anchor_tx          the anchoring transaction succeeded, was sent to the notary's contract
//                      and the contract emitted RootAnchored(seq = batch, root)
//   anchor_root        the contract's getAnchor(batch) holds bundle.root and bundle.treeSize,
//                      recorded in anchor.blockNumber at anchor.timestamp
//   anchor_block       the transaction is in anchor.blockNumber / anchor.blockHash, and that
//                      block's timestamp is anchor.timestamp
//   onchain_inclusion  the contract's verifyInclusion(batch, leafHash, leafIndex, proof) is true
//
// Trust rule (STYLE.md, "trust inputs are named and pinned"): every contract call goes to
// `trustedNotary.contract`, never to an address read from the bundle. The bundle's own
// chain id and contract are only ever compared with the profile's.
//
// Not being able to ask the chain is not a verdict: a ChainReader throws
// ChainUnavailableError, and these functions let it through.
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Bundle } from "./bundle.ts";
import { compare, fail, type Outcome, pass, skip } from "./check-outcome.ts";
import { fromHex, type Hex, isHex, toHex } from "./hex.ts";
import { formatFingerprint, type NotaryProfile, notaryFingerprint } from "./notary-profile.ts";

/** Read-only chain access. Hex values are lowercase; methods throw ChainUnavailableError when the chain cannot be asked. */
export interface ChainReader {
  getChainId(): Promise<number>;
  /** Null when the chain has no such transaction. */
  getTransactionReceipt(txHash: Hex): Promise<ChainReceipt | null>;
  /** Null when the chain has no block with that number. */
  getBlock(blockNumber: number): Promise<ChainBlock | null>;
  /** The runtime code at `address` (eth_getCode at the latest block); "0x" when there is none. */
  getCode(address: Hex): Promise<Hex>;
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
  /** 1 = success, 0 = reverted, null = the chain does not say (pre-Byzantium): not a success. */
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

export const ANCHOR_CHECK_NAMES = ["anchor_tx", "anchor_root", "anchor_block", "onchain_inclusion"] as const;
export type AnchorCheckName = (typeof ANCHOR_CHECK_NAMES)[number];

/** Returns a check skipped (or, for `notary`, failed) because a field it needs is malformed; undefined when all are well-formed. */
export type Gate = (needs: readonly string[]) => Outcome | undefined;

/** topic0 of RootAnchored(uint64 indexed seq, bytes32 indexed root, uint64 treeSize, bytes32 previousRoot). */
export const ROOT_ANCHORED_TOPIC: Hex = toHex(
  keccak_256(new TextEncoder().encode("RootAnchored(uint64,bytes32,uint64,bytes32)")),
);

/** "Acme Bank notary (fingerprint 1a2b 3c4d …)": how a notary is named in messages. */
export function describeNotary(notary: NotaryProfile): string {
  return `"${notary.name}" (fingerprint ${formatFingerprint(notaryFingerprint(notary))})`;
}

/**
 * The offline half of the notary check: does the bundle name the notary's chain id and
 * contract? Undefined when it does; the failed outcome otherwise. Needs no chain.
 */
export function checkNotaryClaims(b: Bundle, notary: NotaryProfile, gate: Gate): Outcome | undefined {
  const malformed = gate(["/anchor/chainId", "/anchor/contract"]);
  if (malformed !== undefined) {
    return fail(
      `the bundle's chain id or contract cannot be read, so it cannot be tied to the notary ${describeNotary(notary)}: ${malformed.message}`,
    );
  }
  const claimed = `chain ${b.anchor.chainId}, contract ${b.anchor.contract}`;
  const pinned = `chain ${notary.chainId}, contract ${notary.contract}`;
  if (claimed === pinned) return undefined;
  return fail(
    `the bundle was not anchored by the notary ${describeNotary(notary)}: it names another ${
      b.anchor.chainId === notary.chainId ? "contract" : "chain"
    } than the notary profile`,
    claimed,
    `${pinned} (the notary profile)`,
  );
}

/** The notary check, offline half first; then the chain is asked whether it is the notary's chain and contract. */
export async function checkNotary(
  b: Bundle,
  chain: ChainReader,
  notary: NotaryProfile,
  gate: Gate,
): Promise<Outcome> {
  return checkNotaryClaims(b, notary, gate) ?? (await checkNotaryChain(chain, notary));
}

/**
 * The chain half of the notary check, which needs no bundle: the RPC endpoint serves the
 * notary's chain id and genesis block, the block where its contract was deployed, and the
 * contract's code, as the profile pins them. The audit runs it once before reading anchors.
 */
export async function checkNotaryChain(
  chain: Pick<ChainReader, "getChainId" | "getBlock" | "getCode">,
  notary: NotaryProfile,
): Promise<Outcome> {
  const [chainId, genesis, deployedIn, code] = await Promise.all([
    chain.getChainId(),
    chain.getBlock(0),
    chain.getBlock(notary.deployment.blockNumber),
    chain.getCode(notary.contract),
  ]);
  const who = describeNotary(notary);
  if (chainId !== notary.chainId) {
    return fail(
      `the RPC endpoint serves chain ${chainId}, not the notary's chain ${notary.chainId}; ask an endpoint of chain ${notary.chainId}`,
      `chain ${notary.chainId}`,
      `chain ${chainId}`,
    );
  }
  if (genesis?.hash !== notary.genesisHash) {
    return fail(
      `the RPC endpoint serves another chain with the same chain id: its genesis block is not the notary ${who}'s`,
      `genesis ${notary.genesisHash}`,
      `genesis ${genesis?.hash ?? "missing"}`,
    );
  }
  if (deployedIn?.hash !== notary.deployment.blockHash) {
    return fail(
      `block ${notary.deployment.blockNumber}, where the notary's contract was deployed, is not the one the notary profile pins: this chain is not (or is no longer) the notary's`,
      `block ${notary.deployment.blockNumber} ${notary.deployment.blockHash}`,
      `block ${notary.deployment.blockNumber} ${deployedIn?.hash ?? "missing"}`,
    );
  }
  const codeHash = isHex(code) && code !== "0x" ? toHex(keccak_256(fromHex(code))) : undefined;
  if (codeHash !== notary.codeHash) {
    return fail(
      codeHash === undefined
        ? `there is no contract at ${notary.contract} on this chain`
        : `the code at ${notary.contract} is not the notary's EvidenceAnchor code`,
      `code hash ${notary.codeHash}`,
      `code hash ${codeHash ?? "none (no code)"}`,
    );
  }
  return pass(
    `anchored by the notary "${notary.name}": contract ${notary.contract} on chain ${notary.chainId}; genesis block, deployment block and contract code as the profile pins`,
  );
}

/** The four anchor checks, against the notary's contract. Requires the notary check to have passed. */
export async function runAnchorChecks(
  b: Bundle,
  chain: ChainReader,
  notary: NotaryProfile,
  gate: Gate,
): Promise<Record<AnchorCheckName, Outcome>> {
  const contract = notary.contract;
  let receipt: Promise<ChainReceipt | null> | undefined;
  const getReceipt = () => {
    receipt ??= chain.getTransactionReceipt(b.anchor.txHash);
    return receipt;
  };
  return {
    anchor_tx:
      gate(["/anchor/txHash", "/batch", "/root"]) ??
      checkAnchorTransaction(
        { txHash: b.anchor.txHash, seq: b.batch, root: b.root },
        contract,
        await getReceipt(),
      ),
    anchor_root:
      gate(["/anchor/blockNumber", "/anchor/timestamp", "/batch", "/root", "/treeSize"]) ??
      (await checkAnchorRoot(b, chain, contract)),
    anchor_block: gate(["/anchor"]) ?? (await checkAnchorBlock(b, chain, await getReceipt())),
    onchain_inclusion:
      gate(["/batch", "/leafHash", "/leafIndex", "/proof"]) ??
      (await checkOnchainInclusion(b, chain, contract)),
  };
}

/** The anchor checks, each skipped with the same reason. */
export function skipAnchorChecks(reason: string): Record<AnchorCheckName, Outcome> {
  const outcome = skip(reason);
  return { anchor_tx: outcome, anchor_root: outcome, anchor_block: outcome, onchain_inclusion: outcome };
}

/** What an anchoring transaction is claimed to have done: put `root` on the chain as batch `seq`. */
export interface AnchorTxClaim {
  txHash: Hex;
  seq: number;
  root: Hex;
}

/**
 * The anchor_tx check on a receipt already read (null: the chain has no such transaction):
 * it succeeded, was sent to `contract`, and `contract` emitted RootAnchored(seq, root). The
 * bundle's check and the audit's check of a stored batch row are both this function.
 */
export function checkAnchorTransaction(
  claim: AnchorTxClaim,
  contract: Hex,
  receipt: ChainReceipt | null,
): Outcome {
  const { txHash } = claim;
  if (receipt === null) return fail(`the chain has no transaction ${txHash}`);
  if (receipt.status === null) {
    return fail(
      `transaction ${txHash} has no status (a chain before Byzantium does not say whether it succeeded): not a success`,
      "status 1",
      "no status",
    );
  }
  if (receipt.status !== 1) {
    const what = receipt.status === 0 ? "failed (reverted)" : `has status ${receipt.status}, not 1 (success)`;
    return fail(`transaction ${txHash} ${what}`, "status 1", `status ${receipt.status}`);
  }
  const to = receipt.to?.toLowerCase() ?? "none (contract creation)";
  if (to !== contract) {
    return fail(`transaction ${txHash} was sent to ${to}, not to the notary's contract`, contract, to);
  }
  const events = decodeRootAnchored(receipt.logs, contract);
  const wanted = `RootAnchored(seq ${claim.seq}, root ${claim.root})`;
  if (events.some((e) => e.seq === BigInt(claim.seq) && e.root === claim.root)) {
    return pass(`transaction ${txHash} succeeded and the notary's contract emitted ${wanted}`);
  }
  const found = events.map((e) => `RootAnchored(seq ${e.seq}, root ${e.root})`).join("; ");
  return fail(
    `transaction ${txHash} did not emit ${wanted} from the notary's contract`,
    wanted,
    found || "no RootAnchored event from the contract",
  );
}

async function checkAnchorRoot(b: Bundle, chain: ChainReader, contract: Hex): Promise<Outcome> {
  const stored = await chain.getAnchor(contract, b.batch);
  if (stored === null) return fail(`the notary's contract holds no anchor for batch ${b.batch}`);
  const describe = (a: { root: string; treeSize: number; blockNumber: number; timestamp: number }) =>
    `root ${a.root.toLowerCase()}, ${a.treeSize} leaves, block ${a.blockNumber} at ${a.timestamp}`;
  return compare(
    describe({ ...b, ...b.anchor }),
    describe(stored),
    `the notary's contract holds root ${b.root} with ${b.treeSize} leaves for batch ${b.batch}, recorded in block ${b.anchor.blockNumber}`,
    `the notary's contract holds a different anchor for batch ${b.batch}`,
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
    return fail("the anchoring transaction's block does not match the bundle", claimed, seen);
  }
  const when = new Date(a.timestamp * 1000).toISOString();
  return pass(
    `on chain ${a.chainId}, the transaction is in block ${a.blockNumber} (${a.blockHash}), mined ${when}`,
  );
}

async function checkOnchainInclusion(b: Bundle, chain: ChainReader, contract: Hex): Promise<Outcome> {
  const included = await chain.verifyInclusion(contract, b.batch, b.leafHash, b.leafIndex, b.proof);
  return included
    ? pass(`the notary's contract confirms leaf ${b.leafIndex} is included in batch ${b.batch}`)
    : fail(
        `the notary's contract's verifyInclusion rejects leaf ${b.leafIndex} with this path for batch ${b.batch}`,
        `leaf ${b.leafIndex} is in batch ${b.batch}: verifyInclusion answers true`,
        "verifyInclusion answered false",
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
