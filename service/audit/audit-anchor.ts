// The audit of where a batch was anchored, and of what: the batch row against the chain.
// Pure, like audit-batch.ts (which calls it); the runner reads the anchor and the receipt.
//
// A batch row carries what every bundle of the batch will carry (anchor.chainId, contract,
// txHash, blockNumber, blockHash, timestamp), so each stored value is checked the way a
// verifier checks it in a bundle (core/chain-checks.ts):
//   anchor_elsewhere      the row names the notary profile's chain id and contract (and, once
//                         sent, names them at all);
//   anchor_root/size      getAnchor(seq) holds the batch's root and size;
//   anchor_tx_mismatch    the stored transaction passes the verifier's anchor_tx check
//                         (checkAnchorTransaction: succeeded, sent to the notary's contract,
//                         which emitted RootAnchored(seq, the root it holds for seq)), and it
//                         is in the block where the contract recorded the anchor;
//   anchor_block_mismatch the stored block number and timestamp are the ones getAnchor(seq)
//                         recorded, and the stored block hash is the one the transaction's
//                         receipt names (compared only once the receipt is the anchoring one).
// The block's own header is not read: the contract recorded block.number and block.timestamp
// when it took the anchor, and the receipt names the block hash, so one receipt per batch
// is all the RPC this costs beyond getAnchor. Only a batch recorded as anchored, whose anchor
// the contract holds, has a transaction and block to check; the others are judged by their age
// (audit-ledger.ts) or are anchor_missing.
import { type ChainAnchor, type ChainReceipt, checkAnchorTransaction } from "../core/chain-checks.ts";
import { InvariantError } from "../core/errors.ts";
import { type Hex, toHex } from "../core/hex.ts";
import type { Finding } from "./findings.ts";

/** What the anchor audit reads of a batch row. */
export interface AnchoredBatchRow {
  seq: number;
  root: Uint8Array;
  size: number;
  state: "sealed" | "sent" | "anchored";
  /** Set once an anchoring transaction was sent. */
  chainId: number | null;
  contract: Uint8Array | null;
  txHash: Uint8Array | null;
  /** Set once the batch is recorded as anchored. */
  blockNumber: number | null;
  blockHash: Uint8Array | null;
  /** Unix seconds. */
  blockTimestamp: number | null;
}

export interface AnchorEvidence {
  batch: AnchoredBatchRow;
  /** The contract's getAnchor(seq); null when it holds none. */
  anchor: ChainAnchor | null;
  /** The chain and contract being audited: the pinned notary profile's. */
  chain: { chainId: number; contract: Hex };
  /**
   * The receipt of the batch's stored transaction (null: the chain has no such transaction).
   * Required when anchorTxToCheck() names one; not read otherwise.
   */
  receipt?: ChainReceipt | null;
}

/** The stored transaction whose receipt the audit of this batch needs; undefined when none is checked. */
export function anchorTxToCheck(batch: AnchoredBatchRow, anchor: ChainAnchor | null): Hex | undefined {
  if (batch.state !== "anchored" || anchor === null || batch.txHash === null) return undefined;
  return toHex(batch.txHash);
}

export function auditAnchor(evidence: AnchorEvidence): Finding[] {
  const { batch, anchor, chain } = evidence;
  const findings: Finding[] = [];
  const base = { seq: batch.seq, recordId: null };
  const contract = batch.contract === null ? null : toHex(batch.contract);
  // Once a transaction was sent, the row must name where (every bundle of the batch carries
  // it): a chain id or contract set to null is as wrong as another one.
  const unnamed = batch.state !== "sealed" && (contract === null || batch.chainId === null);
  if (
    unnamed ||
    (contract !== null && contract !== chain.contract) ||
    (batch.chainId !== null && batch.chainId !== chain.chainId)
  ) {
    findings.push({
      ...base,
      kind: "anchor_elsewhere",
      message: unnamed
        ? `batch ${batch.seq} is recorded as ${batch.state}, but its row names no ${contract === null ? "contract" : "chain id"}: its row was changed, and its bundles cannot be built`
        : `batch ${batch.seq} was sent to contract ${contract} on chain ${batch.chainId}, not to the notary's contract ${chain.contract} on chain ${chain.chainId} (its profile): its row was changed, or the service anchored elsewhere`,
      expected: `${chain.contract}@${chain.chainId}`,
      actual: `${contract ?? "none"}@${batch.chainId ?? "none"}`,
    });
  }
  if (anchor === null) {
    // A batch not yet anchored is judged by its age, once for all batches (audit-ledger.ts).
    if (batch.state === "anchored") {
      findings.push({
        ...base,
        kind: "anchor_missing",
        message: `batch ${batch.seq} is recorded as anchored, but the contract holds no anchor for seq ${batch.seq}`,
      });
    }
    return findings;
  }
  const root = toHex(batch.root);
  if (anchor.root !== root) {
    findings.push({
      ...base,
      kind: "anchor_root_mismatch",
      message: `the contract's root for seq ${batch.seq} is not the batch's stored root`,
      expected: anchor.root,
      actual: root,
    });
  }
  if (anchor.treeSize !== batch.size) {
    findings.push({
      ...base,
      kind: "anchor_size_mismatch",
      message: `the contract's treeSize for seq ${batch.seq} is ${anchor.treeSize}, the batch stores ${batch.size}`,
      expected: anchor.treeSize,
      actual: batch.size,
    });
  }
  if (batch.state !== "anchored") return findings; // not recorded yet: no transaction or block to check
  const tx = checkTransaction(evidence, anchor);
  if (tx.finding !== undefined) findings.push(tx.finding);
  const blockFinding = checkBlock(batch, anchor, tx.blockHash);
  if (blockFinding !== undefined) findings.push(blockFinding);
  return findings;
}

/**
 * The stored transaction, by the verifier's anchor_tx check, against the root the contract
 * holds (a stored root that differs is anchor_root_mismatch, not this). Returns the block
 * hash its receipt names once the receipt is the anchoring one.
 */
function checkTransaction(
  evidence: AnchorEvidence,
  anchor: ChainAnchor,
): { finding?: Finding; blockHash?: Hex } {
  const { batch, chain, receipt } = evidence;
  const base = { kind: "anchor_tx_mismatch" as const, seq: batch.seq, recordId: null };
  const txHash = anchorTxToCheck(batch, anchor);
  if (txHash === undefined) {
    const message = `batch ${batch.seq} is recorded as anchored, but its row holds no transaction hash: its bundles cannot be verified`;
    return { finding: { ...base, message, actual: "none" } };
  }
  if (receipt === undefined) {
    throw new InvariantError(`the audit of batch ${batch.seq} needs the receipt of ${txHash}`, {
      seq: batch.seq,
    });
  }
  const outcome = checkAnchorTransaction(
    { txHash, seq: batch.seq, root: anchor.root },
    chain.contract,
    receipt,
  );
  const where = `batch ${batch.seq}'s stored transaction ${txHash}`;
  if (outcome.status !== "pass" || receipt === null) {
    return {
      finding: {
        ...base,
        message: `${where} is not the one that anchored it (${outcome.message}): every bundle of the batch carries it, and fails verification`,
        expected: outcome.expected ?? `${txHash} on chain ${chain.chainId}`,
        actual: outcome.actual ?? "no such transaction",
      },
    };
  }
  // The contract takes each seq once, so its RootAnchored(seq) can only be in the block it
  // recorded; a receipt elsewhere means the chain was reorganized between the two reads.
  if (receipt.blockNumber !== anchor.blockNumber) {
    return {
      finding: {
        ...base,
        message: `${where} is in block ${receipt.blockNumber}, but the contract recorded the anchor of seq ${batch.seq} in block ${anchor.blockNumber}`,
        expected: `block ${anchor.blockNumber}`,
        actual: `block ${receipt.blockNumber}`,
      },
    };
  }
  return { blockHash: receipt.blockHash };
}

/** The stored block against the contract's record of it (and the receipt's block hash, when known). */
function checkBlock(
  batch: AnchoredBatchRow,
  anchor: ChainAnchor,
  blockHash: Hex | undefined,
): Finding | undefined {
  const storedHash = batch.blockHash === null ? null : toHex(batch.blockHash);
  const describe = (n: number | null, hash: Hex | null | undefined, t: number | null) =>
    `block ${n ?? "none"}${hash === undefined ? "" : ` ${hash ?? "none"}`} at ${t ?? "none"}`;
  // Without the anchoring receipt, the block's hash is unknown: number and timestamp only.
  const expected = describe(anchor.blockNumber, blockHash, anchor.timestamp);
  const actual = describe(
    batch.blockNumber,
    blockHash === undefined ? undefined : storedHash,
    batch.blockTimestamp,
  );
  if (expected === actual) return undefined;
  return {
    kind: "anchor_block_mismatch",
    seq: batch.seq,
    recordId: null,
    message: `batch ${batch.seq}'s stored block is not where the contract recorded its anchor: every bundle of the batch carries it, and fails verification`,
    expected,
    actual,
  };
}
