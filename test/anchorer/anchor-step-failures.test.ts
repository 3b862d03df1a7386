// anchorStep when an anchor cannot go through, against a real local chain and a real
// database: a call that would revert is explained before any gas is spent; a transaction
// that was mined but reverted is a failed attempt (never "pending", which made the anchorer
// poll it forever), explained, and replaced with a fresh nonce; a transaction out of gas is
// retried with more headroom; an anchor that is not yet CONFIRMATIONS deep is not counted; a
// chain that refuses the account's transactions (-32007) is named, and the refused
// transaction is not waited for.
//
// The tests run in order on one chain and one database per suite; each leaves every batch
// anchored and the operator holding ANCHORER_ROLE.
import { parseEther, Wallet } from "ethers";
import { expect, it } from "vitest";
import { classifyAnchorError } from "../../service/anchorer/anchor-failure.ts";
import { anchorStep } from "../../service/anchorer/anchor-step.ts";
import { explainMinedRevert } from "../../service/anchorer/explain-revert.ts";
import { AnchorClient } from "../../service/chain/anchor-client.ts";
import { getBatch } from "../../service/db/batches.ts";
import { anchoringFixture } from "../helpers/anchoring-fixture.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { setAnchorer } from "../helpers/local-chain.ts";

forEachDatabase((target) => {
  const f = anchoringFixture(target);
  const setRole = (grant: boolean) => setAnchorer(f.chain, f.chain.operatorAddress, grant);
  const callOf = (batch: { seq: number; root: `0x${string}`; size: number }) => ({
    seq: batch.seq,
    root: batch.root,
    treeSize: batch.size,
  });

  it("explains a call that would revert before any gas is spent, and anchors once the cause is gone", async () => {
    await f.step(); // nothing left from an earlier test
    const batch = await f.sealRecords(2);
    await setRole(false);
    const minedBefore = await f.client.minedNonce();

    const outcome = await f.step();
    expect(outcome).toMatchObject({
      kind: "failed",
      seq: batch.seq,
      failure: { cause: "missing_role", needsOperator: true },
    });
    if (outcome.kind !== "failed") throw new Error("unreachable");
    expect(outcome.failure.message).toContain(f.client.anchorerAddress);
    expect(outcome.failure.fix).toContain(`npm run roles -- grant ${f.client.anchorerAddress}`);
    expect(await f.client.minedNonce(), "no transaction was sent").toBe(minedBefore);
    expect((await getBatch(f.db, batch.seq))?.state).toBe("sealed");

    await setRole(true);
    expect(await f.step()).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: false });
  });

  it("takes a recorded transaction that reverted for a failed attempt, and replaces it with a fresh nonce", async () => {
    const batch = await f.sealRecords(3);
    await setRole(false);
    // Recorded and mined, but reverted: the role went away before it was mined.
    const reverted = await f.signAndMarkSent(batch, { gasLimit: 150_000n });
    await f.client.broadcast(reverted);
    const receipt = await f.client.waitForReceipt(reverted.txHash, 1, 5_000);
    expect(receipt?.status).toBe(0);
    const minedBefore = await f.client.minedNonce();
    expect(minedBefore).toBe(reverted.nonce + 1);

    // It is explained from the chain, as the step explains its own reverted transactions.
    const explained = await explainMinedRevert(
      f.client,
      callOf(batch),
      receipt as NonNullable<typeof receipt>,
      150_000n,
      undefined,
    );
    expect(explained).toMatchObject({ cause: "missing_role", needsOperator: true });

    // Before the fix this step returned "pending" at once, forever, and the loop never slept.
    const outcome = await f.step();
    expect(outcome).toMatchObject({ kind: "failed", seq: batch.seq, failure: { cause: "missing_role" } });
    expect(await f.client.minedNonce(), "nothing sent while the role is missing").toBe(minedBefore);

    await setRole(true);
    const anchored = await f.step();
    expect(anchored).toMatchObject({ kind: "anchored", seq: batch.seq, reconciled: false });
    const stored = await getBatch(f.db, batch.seq);
    expect(stored?.txNonce, "a fresh nonce: the reverted transaction used its own up").toBeGreaterThan(
      reverted.nonce,
    );
    expect(await f.client.getAnchor(batch.seq)).toMatchObject({ root: batch.root, treeSize: 3 });
  });

  it("retries a transaction that ran out of gas with a fresh nonce, and anchors it once", async () => {
    const batch = await f.sealRecords(4);
    const minedBefore = await f.client.minedNonce();

    // 40% of the estimate: enough to be mined, too little to run.
    const outcome = await f.step({ gasPercent: 40 });
    expect(outcome).toMatchObject({
      kind: "failed",
      seq: batch.seq,
      failure: { cause: "out_of_gas", needsOperator: false },
    });
    if (outcome.kind !== "failed" || outcome.txHash === undefined)
      throw new Error("a mined transaction is named");
    expect((await f.client.receiptOf(outcome.txHash))?.status).toBe(0);
    expect(await f.client.minedNonce()).toBe(minedBefore + 1);

    expect(await f.step()).toMatchObject({ kind: "anchored", seq: batch.seq });
    expect(await f.client.minedNonce(), "one reverted, one anchored").toBe(minedBefore + 2);
    expect(await f.client.nextSeq()).toBe(batch.seq + 1);
  });

  it("counts an anchor only once it is CONFIRMATIONS deep, also when reconciling it", async () => {
    const batch = await f.sealRecords(2);
    // The local chain mines one block per transaction, so nothing else adds a confirmation.
    const sent = await f.step({ confirmations: 2, timeoutMs: 300 });
    expect(sent).toMatchObject({ kind: "unconfirmed", seq: batch.seq });
    expect(await f.client.nextSeq(), "mined at the head").toBe(batch.seq + 1);
    expect(await f.step({ confirmations: 2 }), "the chain has it, one block deep").toMatchObject({
      kind: "unconfirmed",
      seq: batch.seq,
    });
    expect((await getBatch(f.db, batch.seq))?.state).toBe("sent");

    const { operatorKey, operatorAddress, provider } = f.chain;
    await (await operatorKey.connect(provider).sendTransaction({ to: operatorAddress, value: 0 })).wait(); // one more block
    expect(await f.step({ confirmations: 2 })).toMatchObject({
      kind: "anchored",
      seq: batch.seq,
      reconciled: true,
    });
  });

  it("names a chain that refuses the account's transactions (-32007), and does not wait for what it refused", async () => {
    // An account with the role and funds, but not on the local chain's sender allowlist,
    // as an account missing from Besu's account allowlist.
    const stranger = new Wallet(Wallet.createRandom().privateKey);
    await setAnchorer(f.chain, stranger.address, true);
    const { operatorKey, provider } = f.chain;
    await (
      await operatorKey.connect(provider).sendTransaction({ to: stranger.address, value: parseEther("1") })
    ).wait();
    const { contract, chainId } = f.chain.chain.deployment;
    const client = new AnchorClient(provider, contract, chainId, stranger);
    const who = { account: client.anchorerAddress, contract };
    const batch = await f.sealRecords(2);
    const attempt = () =>
      anchorStep({ db: f.db, client, confirmations: 1, timeoutMs: 20_000 }).then(
        () => undefined,
        (error: unknown) => classifyAnchorError(error, who),
      );

    const failure = await attempt();
    expect(failure).toMatchObject({ cause: "sender_not_allowed", needsOperator: true });
    expect(failure?.message).toContain("is not on this chain's sender allowlist");
    expect(failure?.fix).toContain("CHAIN_ALLOWED_SENDERS");
    expect((await getBatch(f.db, batch.seq))?.state, "recorded before the broadcast").toBe("sent");

    // The node never saw that transaction: the next attempt does not give it the rest of
    // its 20 s to be mined.
    const started = performance.now();
    expect(await attempt()).toMatchObject({ cause: "sender_not_allowed" });
    expect(performance.now() - started).toBeLessThan(10_000);

    // An account that may send anchors the batch, once.
    expect(await f.step()).toMatchObject({ kind: "anchored", seq: batch.seq });
    expect(await f.client.nextSeq()).toBe(batch.seq + 1);
    await setAnchorer(f.chain, stranger.address, false);
  });
});
