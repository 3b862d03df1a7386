// Nothing is visible before it is durable, and a journal that cannot be written stops the
// chain (issue #11 part 2). The journal's fsync is held or failed through its fault seam.
import { readFile, rm } from "node:fs/promises";
import { keccak256 } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalFaults } from "../../service/local-chain/journal.ts";
import { journalPath } from "../../service/local-chain/local-chain.ts";
import { sleep } from "../helpers/fault-checks.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";

interface HeldSync {
  /** Resolves once a transaction is mined in memory and its journal line written, before the fsync. */
  entered: Promise<void>;
  /** Lets the fsync go on, or makes it fail with `error`. */
  release(error?: Error): void;
}

/** A fault seam whose next fsync can be held. */
function controlledSync(): { faults: JournalFaults; holdNext(): HeldSync } {
  let next: (() => Promise<void>) | undefined;
  return {
    faults: {
      beforeSync: async () => {
        const run = next;
        next = undefined;
        await run?.();
      },
    },
    holdNext() {
      let entered = () => {};
      let release: (error?: Error) => void = () => {};
      const held = new Promise<Error | undefined>((resolve) => {
        release = resolve;
      });
      const enteredPromise = new Promise<void>((resolve) => {
        entered = resolve;
      });
      next = async () => {
        entered();
        const error = await held;
        if (error !== undefined) throw error;
      };
      return { entered: enteredPromise, release };
    },
  };
}

async function rpc(t: TestChain, method: string, params: unknown[]) {
  const res = await fetch(t.chain.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON-RPC answers are checked field by field
  return (await res.json()) as any;
}

/** The operator's next anchor, signed but not sent. */
async function signedAnchor(
  t: TestChain,
): Promise<{ raw: string; hash: string; seq: number; nonce: number }> {
  const seq = Number(await t.anchor.nextSeq());
  const nonce = await t.provider.getTransactionCount(t.operatorAddress);
  const call = await t.anchor.anchor.populateTransaction(
    seq,
    `0x${(seq + 1).toString(16).padStart(64, "0")}`,
    1,
  );
  const raw = await t.operatorKey.signTransaction({
    ...call,
    type: 2,
    chainId: t.chain.deployment.chainId,
    nonce,
    gasLimit: 200_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 1n,
  });
  return { raw, hash: keccak256(raw), seq, nonce };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function chainWithFaults(): Promise<{
  t: TestChain;
  sync: ReturnType<typeof controlledSync>;
  dataDir: string;
}> {
  const sync = controlledSync();
  const dataDir = await makeDataDir();
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const t = await startTestChain(dataDir, { journalFaults: sync.faults });
  return { t, sync, dataDir };
}

describe("nothing is visible before it is durable", () => {
  it("holds every read while a mined transaction waits for its fsync", async () => {
    const { t, sync } = await chainWithFaults();
    cleanups.push(t.stop);
    const tx = await signedAnchor(t);
    const head = await t.provider.getBlockNumber();
    const contract = t.chain.deployment.contract;
    const nextSeq = t.anchor.interface.encodeFunctionData("nextSeq", []);

    const held = sync.holdNext();
    const sending = rpc(t, "eth_sendRawTransaction", [tx.raw]);
    await held.entered;
    let durable = false;
    const reads: Array<[string, unknown[]]> = [
      ["eth_getTransactionReceipt", [tx.hash]],
      ["eth_getTransactionByHash", [tx.hash]],
      ["eth_blockNumber", []],
      ["eth_getBlockByNumber", ["latest", false]],
      ["eth_getTransactionCount", [t.operatorAddress, "latest"]],
      ["eth_getTransactionCount", [t.operatorAddress, "pending"]],
      ["eth_call", [{ to: contract, data: nextSeq }, "latest"]],
      ["eth_getLogs", [{ address: contract, fromBlock: "0x0", toBlock: "latest" }]],
    ];
    const answers = reads.map(([method, params]) =>
      rpc(t, method, params).then((answer) => ({ method, answer, beforeFsync: !durable })),
    );
    await sleep(300); // an ungated read is answered in a millisecond or two
    durable = true;
    held.release();

    expect((await sending).result).toBe(tx.hash);
    const seen = await Promise.all(answers);
    expect(seen.filter((s) => s.beforeFsync).map((s) => s.method)).toEqual([]);
    // Once durable, every read shows the transaction.
    const [receipt, byHash, blockNumber, latest, nonce, pendingNonce, seq, logs] = seen.map(
      (s) => s.answer.result,
    );
    expect(receipt).toMatchObject({ transactionHash: tx.hash, status: "0x1" });
    expect(byHash).toMatchObject({ hash: tx.hash });
    expect(Number(blockNumber)).toBe(head + 1);
    expect(latest.transactions).toEqual([tx.hash]);
    expect([Number(nonce), Number(pendingNonce)]).toEqual([tx.nonce + 1, tx.nonce + 1]);
    expect(BigInt(seq)).toBe(BigInt(tx.seq + 1));
    expect(logs.map((l: { transactionHash: string }) => l.transactionHash)).toContain(tx.hash);
  });
});

describe("fail-stop on a journal failure", () => {
  it("stops serving, acknowledges nothing it could not journal, and restarts from what is durable", async () => {
    const { t, sync, dataDir } = await chainWithFaults();
    const journalBefore = await readFile(journalPath(dataDir), "utf8");
    const entriesBefore = journalBefore.trim().split("\n").length - 1;
    const tx = await signedAnchor(t);

    const held = sync.holdNext();
    const sending = rpc(t, "eth_sendRawTransaction", [tx.raw]);
    await held.entered;
    const queuedRead = rpc(t, "eth_getTransactionReceipt", [tx.hash]);
    held.release(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" }));

    const refused = await sending;
    expect(refused.error).toMatchObject({ code: -32002 });
    expect(refused.error.message).toMatch(/^local chain stopped: its journal could not be written \(EIO/);
    expect(refused.error.message).toContain(tx.hash);
    expect((await queuedRead).error).toMatchObject({ code: -32002 });
    for (const method of ["eth_chainId", "eth_blockNumber"]) {
      expect((await rpc(t, method, [])).error, method).toMatchObject({ code: -32002 });
    }
    const stopped = await t.chain.stopped;
    expect(stopped.message).toBe(refused.error.message);
    // The unacknowledged line was cut off again.
    expect(await readFile(journalPath(dataDir), "utf8")).toBe(journalBefore);
    await t.stop();

    const restarted = await startTestChain(dataDir);
    cleanups.push(restarted.stop);
    expect(restarted.chain.replayed).toBe(entriesBefore);
    expect(await restarted.provider.getTransactionReceipt(tx.hash)).toBeNull();
    expect(await restarted.anchor.nextSeq()).toBe(BigInt(tx.seq));
    // The same transaction (same nonce) goes through now.
    const resent = await rpc(restarted, "eth_sendRawTransaction", [tx.raw]);
    expect(resent.result).toBe(tx.hash);
    expect(await restarted.anchor.nextSeq()).toBe(BigInt(tx.seq + 1));
  });
});
