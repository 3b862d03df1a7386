// One step of anchoring: take the oldest batch not yet anchored and move it forward.
//
// The contract only accepts seq == nextSeq, so the chain itself is the source of truth
// for what is anchored, and a root can never be anchored twice. Each step compares our
// oldest unanchored batch with the chain's nextSeq:
//   seq <  nextSeq  already anchored (e.g. a transaction that timed out but was mined, or
//                   one sent just before a crash): reconcile from the chain, never resend.
//   seq == nextSeq  send it: estimate the gas (a call that would revert is explained before
//                   any gas is spent: no role, wrong seq), check the account can pay, sign,
//                   record the tx hash durably, broadcast, wait for CONFIRMATIONS. If the
//                   wait times out, the batch stays "sent" and the next step reconciles,
//                   waits for it, or re-sends with the same nonce.
//   seq >  nextSeq  a gap: the chain lost an anchor we think we made. Never papered over.
// A transaction that is mined but reverted is a failed attempt: it is explained
// (explain-revert.ts), and the next attempt sends a new one with a fresh nonce (the reverted
// one used its nonce up). Every outcome but "anchored" made no progress, and the anchorer
// waits before the next step.
import {
  type AnchorCall,
  type AnchorClient,
  type AnchorInclusion,
  DEFAULT_GAS_PERCENT,
  isSameRoot,
} from "../chain/anchor-client.ts";
import { chooseFees, maxCost, type TxFees, withHeadroom } from "../chain/fee-policy.ts";
import { InvariantError } from "../core/errors.ts";
import { fromHex, type Hex, toHex } from "../core/hex.ts";
import { announceBatchAnchored } from "../db/batch-anchored.ts";
import { type BatchRow, firstBatchInState, markAnchored, markSent } from "../db/batches.ts";
import type { Database } from "../db/database.ts";
import { type AnchorFailure, noFunds } from "./anchor-failure.ts";
import { explainEstimateError, explainMinedRevert } from "./explain-revert.ts";

export type StepOutcome =
  | { kind: "idle" }
  | {
      kind: "anchored";
      seq: number;
      size: number;
      sealedAt: Date;
      inclusion: AnchorInclusion;
      reconciled: boolean;
    }
  /** Sent (or mined) but not yet CONFIRMATIONS deep. */
  | { kind: "unconfirmed"; seq: number; txHash: Hex | null }
  /**
   * Nothing was anchored, for a named reason; a mined transaction that reverted names its
   * hash. seq is null when no batch was involved (the anchorer's start checks).
   */
  | { kind: "failed"; seq: number | null; failure: AnchorFailure; txHash?: Hex };

export interface AnchorStepOptions {
  db: Database;
  client: AnchorClient;
  confirmations: number;
  timeoutMs: number;
  /** Gas limit as a percentage of eth_estimateGas (default DEFAULT_GAS_PERCENT, 25% headroom). */
  gasPercent?: number;
  /** The notary profile's runtime-code hash, one of the questions that explain a revert. */
  expectedCodeHash?: Hex;
}

export async function anchorStep(options: AnchorStepOptions): Promise<StepOutcome> {
  const { db, client } = options;
  const batch = await firstBatchInState(db, ["sealed", "sent"]);
  if (batch === null) return { kind: "idle" };
  const chainNext = await client.nextSeq();

  if (batch.seq < chainNext) return reconcile(options, batch);
  if (batch.seq > chainNext) {
    throw new InvariantError(
      `batch ${batch.seq} is the oldest unanchored batch, but the contract expects seq ${chainNext}: ` +
        "the chain is missing anchors recorded as done; refusing to anchor out of order",
      { seq: batch.seq, chainNextSeq: chainNext },
    );
  }

  const call: AnchorCall = { seq: batch.seq, root: toHex(batch.root), treeSize: batch.size };
  let nonce: number | undefined;
  if (batch.state === "sent" && batch.txHash !== null) {
    const recorded = await settleRecorded(options, batch);
    if (recorded.kind === "confirmed") return reconcile(options, batch);
    if (recorded.kind === "mined")
      return { kind: "unconfirmed", seq: batch.seq, txHash: toHex(batch.txHash) };
    nonce = recorded.kind === "lost" ? recorded.nonce : undefined; // a reverted one used its nonce up
  }

  const prepared = await prepareAnchor(options, call);
  if ("failure" in prepared) return { kind: "failed", seq: batch.seq, failure: prepared.failure };
  const signed = await client.signAnchor(call, { nonce, ...prepared });
  await markSent(db, batch.seq, {
    txHash: fromHex(signed.txHash),
    nonce: signed.nonce,
    chainId: client.chainId,
    contract: fromHex(client.contract),
  });
  await client.broadcast(signed);
  const receipt = await client.waitForReceipt(signed.txHash, options.confirmations, options.timeoutMs);
  if (receipt === null) return { kind: "unconfirmed", seq: batch.seq, txHash: signed.txHash };
  if (receipt.status !== 1) {
    const failure = await explainMinedRevert(
      client,
      call,
      receipt,
      signed.gasLimit,
      options.expectedCodeHash,
    );
    return { kind: "failed", seq: batch.seq, failure, txHash: signed.txHash };
  }
  const inclusion = await client.inclusionOf(signed.txHash);
  if (inclusion === null) return { kind: "unconfirmed", seq: batch.seq, txHash: signed.txHash };
  return recordAnchored(db, batch, inclusion, false);
}

type Recorded =
  | { kind: "confirmed" }
  | { kind: "mined" }
  | { kind: "reverted" }
  /** Not mined: replace it, with its own nonce while that is unused (so at most one of the two is mined). */
  | { kind: "lost"; nonce: number | undefined };

/**
 * Where the transaction recorded for a "sent" batch stands. One the node holds in its pool
 * gets the rest of its ANCHOR_TIMEOUT_MS to be mined; one it does not know (never
 * broadcast, or refused) is replaced at once.
 */
async function settleRecorded(options: AnchorStepOptions, batch: BatchRow): Promise<Recorded> {
  const { client } = options;
  const txHash = toHex(batch.txHash as Uint8Array);
  let receipt = await client.receiptOf(txHash);
  if (receipt === null && (await client.isKnown(txHash))) {
    receipt = await client.waitForReceipt(txHash, 1, remaining(batch, options));
  }
  if (receipt === null) {
    const mined = await client.minedNonce();
    return {
      kind: "lost",
      nonce: batch.txNonce !== null && mined <= batch.txNonce ? batch.txNonce : undefined,
    };
  }
  if (receipt.status !== 1) return { kind: "reverted" };
  const confirmed = (await client.confirmationsOf(receipt.blockNumber)) >= options.confirmations;
  return { kind: confirmed ? "confirmed" : "mined" };
}

/**
 * The gas limit and fees for anchoring `call` now, or why it would fail: a call that would
 * revert (explained), or an account that cannot pay (skipped when gas is free).
 */
async function prepareAnchor(
  options: AnchorStepOptions,
  call: AnchorCall,
): Promise<{ gasLimit: bigint; fees: TxFees } | { failure: AnchorFailure }> {
  const { client } = options;
  let estimate: bigint;
  try {
    estimate = await client.estimateAnchorGas(call);
  } catch (error) {
    const failure = await explainEstimateError(client, call, error, options.expectedCodeHash);
    if (failure === undefined) throw error;
    return { failure };
  }
  const gasLimit = withHeadroom(estimate, options.gasPercent ?? DEFAULT_GAS_PERCENT);
  const fees = chooseFees(await client.feeQuote());
  const cost = maxCost(fees, gasLimit);
  if (cost > 0n) {
    const balance = await client.balance();
    if (balance < cost) {
      return {
        failure: noFunds({ account: client.anchorerAddress, contract: client.contract }, balance, cost),
      };
    }
  }
  return { gasLimit, fees };
}

async function reconcile(options: AnchorStepOptions, batch: BatchRow): Promise<StepOutcome> {
  const { db, client } = options;
  const onChain = await client.getAnchor(batch.seq);
  if (!isSameRoot(onChain, batch.root, batch.size)) {
    throw new InvariantError(
      `the chain holds a different root for batch ${batch.seq}: chain ${onChain.root} (size ${onChain.treeSize}), ` +
        `ours ${toHex(batch.root)} (size ${batch.size})`,
      { seq: batch.seq },
    );
  }
  // On a chain with CONFIRMATIONS above 1, an anchor seen at the head is not yet final.
  if ((await client.confirmationsOf(onChain.blockNumber)) < options.confirmations) {
    return {
      kind: "unconfirmed",
      seq: batch.seq,
      txHash: batch.txHash === null ? null : toHex(batch.txHash),
    };
  }
  let inclusion = batch.txHash === null ? null : await client.inclusionOf(toHex(batch.txHash));
  if (inclusion === null || inclusion.blockNumber !== onChain.blockNumber) {
    inclusion = await client.findAnchorTransaction(batch.seq, onChain.blockNumber);
  }
  if (inclusion === null) {
    throw new InvariantError(
      `batch ${batch.seq} is anchored on chain but its RootAnchored event was not found`,
      { seq: batch.seq },
    );
  }
  return recordAnchored(db, batch, inclusion, true);
}

async function recordAnchored(
  db: Database,
  batch: BatchRow,
  inclusion: AnchorInclusion,
  reconciled: boolean,
): Promise<StepOutcome> {
  await markAnchored(db, batch.seq, storedInclusion(inclusion));
  await announceBatchAnchored(db, batch.seq);
  return {
    kind: "anchored",
    seq: batch.seq,
    size: batch.size,
    sealedAt: batch.sealedAt,
    inclusion,
    reconciled,
  };
}

function remaining(batch: BatchRow, options: AnchorStepOptions): number {
  const sentAt = batch.sentAt?.getTime() ?? 0;
  return Math.max(0, sentAt + options.timeoutMs - Date.now());
}

function storedInclusion(inclusion: AnchorInclusion) {
  return {
    txHash: fromHex(inclusion.txHash),
    blockNumber: inclusion.blockNumber,
    blockHash: fromHex(inclusion.blockHash),
    blockTimestamp: inclusion.timestamp,
  };
}
