// anchorStep against a real local chain and a real database, in the states a crash or a
// timeout leaves behind: the chain is the source of truth, a root is never anchored twice,
// and a disagreement between the chain and the database stops anchoring loudly.
//
// The tests run in order on one chain and one database per suite: each leaves every batch
// anchored (the last one leaves a deliberate disagreement behind).
import { expect, it } from "vitest";
import { InvariantError } from "../../service/core/errors.ts";
import { fromHex, toHex } from "../../service/core/hex.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { getBatch, insertBatch, markSent, nextSeq } from "../../service/db/batches.ts";
import { randomBytesArray } from "../db/bytes.ts";
import { anchoringFixture } from "../helpers/anchoring-fixture.ts";
import { forEachDatabase } from "../helpers/databases.ts";

forEachDatabase((target) => {
  const f = anchoringFixture(target);
  const step = (timeoutMs = 5_000) => f.step({ timeoutMs });
  const sealRecords = (count: number) => f.sealRecords(count);
  const signAndMarkSent = (seq: number, root: string, size: number) =>
    f.signAndMarkSent({ seq, root: root as `0x${string}`, size });

  it("anchors a sealed batch, then has nothing to do", async () => {
    const batch = await sealRecords(3);
    expect(await f.client.nextSeq()).toBe(batch.seq);
    const outcome = await step();
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, size: 3, reconciled: false });
    expect(await f.client.nextSeq()).toBe(batch.seq + 1);
    expect(await f.client.getAnchor(batch.seq)).toMatchObject({ root: batch.root, treeSize: 3 });
    expect(await step()).toEqual({ kind: "idle" });
  });

  it("reconciles a batch mined while the database still says sent, without sending it again", async () => {
    const batch = await sealRecords(4);
    const signed = await signAndMarkSent(batch.seq, batch.root, batch.size);
    await f.client.broadcast(signed); // mined, but the "anchored" write never happened (crash, timeout)
    expect((await getBatch(f.db, batch.seq))?.state).toBe("sent");
    const minedBefore = await f.client.minedNonce();

    const outcome = await step();
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: true });
    if (outcome.kind !== "anchored") throw new Error("unreachable");
    expect(outcome.inclusion.txHash).toBe(signed.txHash);
    expect(await f.client.minedNonce()).toBe(minedBefore); // no second transaction
    expect(await f.client.nextSeq()).toBe(batch.seq + 1);
    const stored = await getBatch(f.db, batch.seq);
    expect(stored).toMatchObject({ state: "anchored", blockNumber: outcome.inclusion.blockNumber });
    expect(toHex(stored?.txHash as Uint8Array)).toBe(signed.txHash);
    expect(await step()).toEqual({ kind: "idle" });
  });

  it("reconciles from the RootAnchored event when the recorded transaction is not the one mined", async () => {
    const batch = await sealRecords(2);
    const mined = await f.client.signAnchor({
      seq: batch.seq,
      root: batch.root as `0x${string}`,
      treeSize: batch.size,
    });
    // The database recorded a transaction that never made it (e.g. replaced after a timeout).
    await markSent(f.db, batch.seq, {
      txHash: randomBytesArray(32),
      nonce: mined.nonce,
      chainId: f.client.chainId,
      contract: fromHex(f.client.contract),
    });
    await f.client.broadcast(mined);
    const minedBefore = await f.client.minedNonce();

    const outcome = await step();
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: true });
    expect(await f.client.minedNonce()).toBe(minedBefore);
    expect(await f.client.nextSeq()).toBe(batch.seq + 1);
    expect(toHex((await getBatch(f.db, batch.seq))?.txHash as Uint8Array)).toBe(mined.txHash);
  });

  it("re-sends a batch recorded as sent but never broadcast, with the same nonce, anchoring it once", async () => {
    const batch = await sealRecords(5);
    const signed = await signAndMarkSent(batch.seq, batch.root, batch.size); // crash before broadcast
    const minedBefore = await f.client.minedNonce();
    expect(signed.nonce).toBe(minedBefore);

    // The node never saw the recorded transaction, so the step replaces it at once, rather
    // than give it the rest of its timeout (20 s here) to be mined.
    const started = performance.now();
    const outcome = await step(20_000);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(outcome).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: false });
    expect(await f.client.minedNonce()).toBe(minedBefore + 1); // exactly one transaction
    expect(await f.client.nextSeq()).toBe(batch.seq + 1);
    const stored = await getBatch(f.db, batch.seq);
    expect(stored).toMatchObject({ state: "anchored", txNonce: signed.nonce });
    expect(await f.client.getAnchor(batch.seq)).toMatchObject({ root: batch.root, treeSize: 5 });
    expect(await step()).toEqual({ kind: "idle" });
  });

  it("refuses to anchor when the database's oldest unanchored batch is ahead of the chain", async () => {
    const chainNext = await f.client.nextSeq();
    expect(await nextSeq(f.db)).toBe(chainNext);
    // Batch chainNext is missing from the chain's point of view: the database skips to chainNext + 1.
    const tree = buildTree([randomBytesArray(32), randomBytesArray(32)]);
    const gap = chainNext + 1;
    const firstIndex = 1_000_000;
    await insertBatch(f.db, { seq: gap, firstIndex, root: treeRoot(tree), size: 2, levels: tree.levels });
    const minedBefore = await f.client.minedNonce();

    const error = await step().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as InvariantError).details).toEqual({ seq: gap, chainNextSeq: chainNext });
    expect(await f.client.minedNonce()).toBe(minedBefore);
    expect(await f.client.nextSeq()).toBe(chainNext);
    expect((await getBatch(f.db, gap))?.state).toBe("sealed");

    await f.db.exec(
      `DELETE FROM batch_levels WHERE first_index = ${firstIndex}; DELETE FROM batches WHERE seq = ${gap}`,
    );
  });

  it("refuses to mark a batch anchored when the chain holds a different root for its seq", async () => {
    const chainNext = await f.client.nextSeq();
    // Someone else's root took this seq on chain (e.g. another database anchoring to the same contract).
    const foreign = await f.client.signAnchor({
      seq: chainNext,
      root: toHex(randomBytesArray(32)),
      treeSize: 7,
    });
    await f.client.broadcast(foreign);
    expect(await f.client.nextSeq()).toBe(chainNext + 1);
    const batch = await sealRecords(3);
    expect(batch.seq).toBe(chainNext);

    const error = await step().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvariantError);
    expect((error as Error).message).toContain(`different root for batch ${batch.seq}`);
    expect((await getBatch(f.db, batch.seq))?.state).toBe("sealed");
    expect(await f.client.nextSeq()).toBe(chainNext + 1);
  });
});
