// One step of anchoring: take the oldest batch not yet anchored and move it forward.
//
// The contract only accepts seq == nextSeq, so the chain itself is the source of truth
// for what is anchored, and a root can never be anchored twice. Each step compares our
// oldest unanchored batch with the chain's nextSeq:
//   seq <  nextSeq  already anchored (e.g. a transaction that timed out but was mined, or
//                   one sent just before a crash): reconcile from the chain, never resend.
//   seq == nextSeq  send it: sign, record the tx hash durably, broadcast, wait for
//                   CONFIRMATIONS. If the wait times out, the batch stays "sent" and the
//                   next step reconciles or re-sends with the same nonce.
//   seq >  nextSeq  a gap: the chain lost an anchor we think we made. Never papered over.
import { type AnchorClient, type AnchorInclusion, isSameRoot } from "../chain/anchor-client.ts";
import { InvariantError } from "../core/errors.ts";
import { fromHex, toHex } from "../core/hex.ts";
import { announceBatchAnchored } from "../db/batch-anchored.ts";
import { type BatchRow, firstBatchInState, markAnchored, markSent } from "../db/batches.ts";
import type { Database } from "../db/database.ts";

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
  | { kind: "pending"; seq: number };

export interface AnchorStepOptions {
  db: Database;
  client: AnchorClient;
  confirmations: number;
  timeoutMs: number;
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

  const root = toHex(batch.root);
  let nonce: number | undefined;
  if (batch.state === "sent" && batch.txHash !== null) {
    // Sent before but not mined by the time the chain said nextSeq: give an in-flight
    // transaction the rest of its time, then replace it using the same nonce.
    const waited = await client.waitForReceipt(
      toHex(batch.txHash),
      options.confirmations,
      remaining(batch, options),
    );
    if (waited !== null) return { kind: "pending", seq: batch.seq }; // mined: the next step reconciles
    if (batch.txNonce !== null && (await client.minedNonce()) <= batch.txNonce) nonce = batch.txNonce;
  }

  const signed = await client.signAnchor(batch.seq, root, batch.size, nonce);
  await markSent(db, batch.seq, {
    txHash: fromHex(signed.txHash),
    nonce: signed.nonce,
    chainId: client.chainId,
    contract: fromHex(client.contract),
  });
  await client.broadcast(signed);
  const receipt = await client.waitForReceipt(signed.txHash, options.confirmations, options.timeoutMs);
  if (receipt === null || receipt.status !== 1) return { kind: "pending", seq: batch.seq };
  const inclusion = await client.inclusionOf(signed.txHash);
  if (inclusion === null) return { kind: "pending", seq: batch.seq };
  return recordAnchored(db, batch, inclusion, false);
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
