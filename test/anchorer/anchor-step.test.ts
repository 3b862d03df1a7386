// anchorStep against a real local chain and a real database, in the states a crash or a
// timeout leaves behind: the chain is the source of truth, a root is never anchored twice,
// and a disagreement between the chain and the database stops anchoring loudly.
//
// The tests run in order on one chain and one database per suite: each leaves every batch
// anchored (the last one leaves a deliberate disagreement behind).
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { anchorStep, type StepOutcome } from "../../service/anchorer/anchor-step.ts";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { AnchorClient } from "../../service/chain/anchor-client.ts";
import { readOrCreateKey } from "../../service/chain/key-file.ts";
import { InvariantError } from "../../service/core/errors.ts";
import { fromHex, toHex } from "../../service/core/hex.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { getBatch, insertBatch, markSent, nextSeq } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import { newRecord, randomBytesArray } from "../db/bytes.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";

const CONFIRMATIONS = 1;

forEachDatabase((target) => {
  let chain: TestChain;
  let client: AnchorClient;
  let db: Database;
  let recordCount = 0;

  beforeAll(async () => {
    chain = await startTestChain();
    const wallet = await readOrCreateKey(join(chain.dataDir, "anchorer.key"));
    const { contract, chainId } = chain.chain.deployment;
    client = new AnchorClient(chain.provider, contract, chainId, wallet);
    ({ db } = await target.create());
  });
  afterAll(async () => {
    await chain?.stop();
  });

  const step = (timeoutMs = 5_000): Promise<StepOutcome> =>
    anchorStep({ db, client, confirmations: CONFIRMATIONS, timeoutMs });

  /** Stores `count` pending records and seals them into the next batch. */
  async function sealRecords(count: number) {
    await appendEntries(
      db,
      Array.from({ length: count }, () => newRecord(`r-${recordCount++}`)),
    );
    const sealed = await sealBatch(db, 1000);
    if (sealed === null) throw new Error("nothing was sealed");
    return sealed;
  }

  /** Signs this batch's anchor transaction and records it as sent, like the anchorer does. */
  async function signAndMarkSent(seq: number, root: string, size: number) {
    const signed = await client.signAnchor(seq, root as `0x${string}`, size);
    await markSent(db, seq, {
      txHash: fromHex(signed.txHash),
      nonce: signed.nonce,
      chainId: client.chainId,
      contract: fromHex(client.contract),
    });
    return signed;
  }

  it("anchors a sealed batch, then has nothing to do", async () => {
    const batch = await sealRecords(3);
    expect(await client.nextSeq()).toBe(batch.seq);
    const outcome = await step();
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, size: 3, reconciled: false });
    expect(await client.nextSeq()).toBe(batch.seq + 1);
    expect(await client.getAnchor(batch.seq)).toMatchObject({ root: batch.root, treeSize: 3 });
    expect(await step()).toEqual({ kind: "idle" });
  });

  it("reconciles a batch mined while the database still says sent, without sending it again", async () => {
    const batch = await sealRecords(4);
    const signed = await signAndMarkSent(batch.seq, batch.root, batch.size);
    await client.broadcast(signed); // mined, but the "anchored" write never happened (crash, timeout)
    expect((await getBatch(db, batch.seq))?.state).toBe("sent");
    const minedBefore = await client.minedNonce();

    const outcome = await step();
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: true });
    if (outcome.kind !== "anchored") throw new Error("unreachable");
    expect(outcome.inclusion.txHash).toBe(signed.txHash);
    expect(await client.minedNonce()).toBe(minedBefore); // no second transaction
    expect(await client.nextSeq()).toBe(batch.seq + 1);
    const stored = await getBatch(db, batch.seq);
    expect(stored).toMatchObject({ state: "anchored", blockNumber: outcome.inclusion.blockNumber });
    expect(toHex(stored?.txHash as Uint8Array)).toBe(signed.txHash);
    expect(await step()).toEqual({ kind: "idle" });
  });

  it("reconciles from the RootAnchored event when the recorded transaction is not the one mined", async () => {
    const batch = await sealRecords(2);
    const mined = await client.signAnchor(batch.seq, batch.root as `0x${string}`, batch.size);
    // The database recorded a transaction that never made it (e.g. replaced after a timeout).
    await markSent(db, batch.seq, {
      txHash: randomBytesArray(32),
      nonce: mined.nonce,
      chainId: client.chainId,
      contract: fromHex(client.contract),
    });
    await client.broadcast(mined);
    const minedBefore = await client.minedNonce();

    const outcome = await step();
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: true });
    expect(await client.minedNonce()).toBe(minedBefore);
    expect(await client.nextSeq()).toBe(batch.seq + 1);
    expect(toHex((await getBatch(db, batch.seq))?.txHash as Uint8Array)).toBe(mined.txHash);
  });

  it("re-sends a batch recorded as sent but never broadcast, with the same nonce, anchoring it once", async () => {
    const batch = await sealRecords(5);
    const signed = await signAndMarkSent(batch.seq, batch.root, batch.size); // crash before broadcast
    const minedBefore = await client.minedNonce();
    expect(signed.nonce).toBe(minedBefore);

    // timeoutMs bounds how long the step gives the recorded transaction before replacing it.
    const outcome = await step(300);
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: false });
    expect(await client.minedNonce()).toBe(minedBefore + 1); // exactly one transaction
    expect(await client.nextSeq()).toBe(batch.seq + 1);
    const stored = await getBatch(db, batch.seq);
    expect(stored).toMatchObject({ state: "anchored", txNonce: signed.nonce });
    expect(await client.getAnchor(batch.seq)).toMatchObject({ root: batch.root, treeSize: 5 });
    expect(await step()).toEqual({ kind: "idle" });
  });

  it("refuses to anchor when the database's oldest unanchored batch is ahead of the chain", async () => {
    const chainNext = await client.nextSeq();
    expect(await nextSeq(db)).toBe(chainNext);
    // Batch chainNext is missing from the chain's point of view: the database skips to chainNext + 1.
    const tree = buildTree([randomBytesArray(32), randomBytesArray(32)]);
    const gap = chainNext + 1;
    const firstIndex = 1_000_000;
    await insertBatch(db, { seq: gap, firstIndex, root: treeRoot(tree), size: 2, levels: tree.levels });
    const minedBefore = await client.minedNonce();

    const error = await step().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as InvariantError).details).toEqual({ seq: gap, chainNextSeq: chainNext });
    expect(await client.minedNonce()).toBe(minedBefore);
    expect(await client.nextSeq()).toBe(chainNext);
    expect((await getBatch(db, gap))?.state).toBe("sealed");

    await db.exec(
      `DELETE FROM batch_levels WHERE first_index = ${firstIndex}; DELETE FROM batches WHERE seq = ${gap}`,
    );
  });

  it("refuses to mark a batch anchored when the chain holds a different root for its seq", async () => {
    const chainNext = await client.nextSeq();
    // Someone else's root took this seq on chain (e.g. another database anchoring to the same contract).
    const foreign = await client.signAnchor(chainNext, toHex(randomBytesArray(32)), 7);
    await client.broadcast(foreign);
    expect(await client.nextSeq()).toBe(chainNext + 1);
    const batch = await sealRecords(3);
    expect(batch.seq).toBe(chainNext);

    const error = await step().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as Error).message).toContain(`different root for batch ${batch.seq}`);
    expect((await getBatch(db, batch.seq))?.state).toBe("sealed");
    expect(await client.nextSeq()).toBe(chainNext + 1);
  });
});
