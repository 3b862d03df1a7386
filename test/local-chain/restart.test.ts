// The local chain keeps its history across restarts: same contract, same roots, same
// transaction hashes, block numbers, block hashes and timestamps.
import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type JsonRpcProvider, NonceManager } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { anchorContract, type EvidenceAnchorContract } from "../../service/chain/anchor-contract.ts";
import { readOrCreateKey } from "../../service/chain/key-file.ts";
import { readJournal } from "../../service/local-chain/journal.ts";
import { journalPath, startLocalChain } from "../../service/local-chain/local-chain.ts";
import { connect, makeDataDir, startTestChain } from "../helpers/local-chain.ts";
import { startScript, stopProcess } from "../helpers/processes.ts";

interface Snapshot {
  contract: string;
  anchors: Array<{ root: string; treeSize: bigint; blockNumber: bigint; timestamp: bigint }>;
  txs: Array<{ hash: string; blockNumber: number; blockHash: string; status: number | null }>;
  blocks: Array<{ number: number; hash: string | null; timestamp: number }>;
}

const ROOT = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

async function anchorSome(anchor: EvidenceAnchorContract, count: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const seq = Number(await anchor.nextSeq());
    const tx = await anchor.anchor(seq, ROOT(0x1000 + seq), seq + 1);
    await tx.wait();
    hashes.push(tx.hash);
  }
  return hashes;
}

async function snapshot(provider: JsonRpcProvider, contract: string, txHashes: string[]): Promise<Snapshot> {
  const anchor = anchorContract(contract, provider);
  const count = Number(await anchor.nextSeq());
  const anchors = [];
  for (let seq = 0; seq < count; seq++) {
    const a = await anchor.getAnchor(seq);
    anchors.push({ root: a.root, treeSize: a.treeSize, blockNumber: a.blockNumber, timestamp: a.timestamp });
  }
  const txs = [];
  for (const hash of txHashes) {
    const r = await provider.getTransactionReceipt(hash);
    if (!r) throw new Error(`no receipt for ${hash}`);
    txs.push({ hash: r.hash, blockNumber: r.blockNumber, blockHash: r.blockHash, status: r.status });
  }
  const blocks = [];
  const head = Number(await provider.send("eth_blockNumber", []));
  for (let n = 0; n <= head; n++) {
    const b = await provider.getBlock(n);
    if (!b) throw new Error(`no block ${n}`);
    blocks.push({ number: b.number, hash: b.hash, timestamp: b.timestamp });
  }
  return { contract, anchors, txs, blocks };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("restart", () => {
  it("replays the journal to the same chain after a clean stop", async () => {
    const dataDir = await makeDataDir();
    const first = await startTestChain(dataDir);
    const hashes = await anchorSome(first.anchor, 3);
    const before = await snapshot(first.provider, first.chain.deployment.contract, hashes);
    await first.stop();

    const second = await startTestChain(dataDir);
    cleanups.push(second.stop);
    expect(second.chain.replayed).toBe(2 + 3); // funding + deployment + three anchors
    expect(second.chain.deployment.contract).toBe(before.contract);
    const after = await snapshot(second.provider, second.chain.deployment.contract, hashes);
    expect(after).toEqual(before);
    expect(before.anchors).toHaveLength(3);

    // History goes on from where it was.
    const more = await anchorSome(second.anchor, 1);
    expect(await second.anchor.nextSeq()).toBe(4n);
    expect(more).toHaveLength(1);
  });

  it("survives kill -9 of the chain process (npm run chain)", async () => {
    const dataDir = await makeDataDir();
    const env = { DATA_DIR: dataDir, CHAIN_PORT: "0" };
    const ready = /local chain ready at (http:\/\/[^\s]+) \(chain id (\d+)\)/;
    const run1 = await startScript("scripts/chain.ts", env, ready);
    const url1 = run1.match[1] as string;
    const chainId = Number(run1.match[2]);
    const deployment = JSON.parse(await readFile(join(dataDir, "chain", "deployment.json"), "utf8"));
    const key = await readOrCreateKey(join(dataDir, "anchorer.key"));

    const p1 = connect(url1, chainId);
    const anchor1 = anchorContract(deployment.contract, new NonceManager(key.connect(p1)));
    const hashes = await anchorSome(anchor1, 3);
    const before = await snapshot(p1, deployment.contract, hashes);
    p1.destroy();
    expect(await stopProcess(run1.child, "SIGKILL")).toBe("SIGKILL");

    const run2 = await startScript("scripts/chain.ts", env, ready);
    cleanups.push(() => stopProcess(run2.child));
    expect(run2.output()).toContain("replaying 5 journaled transactions");
    const p2 = connect(run2.match[1] as string, chainId);
    cleanups.push(async () => p2.destroy());
    expect(await snapshot(p2, deployment.contract, hashes)).toEqual(before);
  });

  it("ignores a torn final journal line, which was never acknowledged", async () => {
    const dataDir = await makeDataDir();
    const first = await startTestChain(dataDir);
    await first.stop();
    await appendFile(journalPath(dataDir), '{"raw":"0x02f8');
    const second = await startTestChain(dataDir);
    cleanups.push(second.stop);
    expect(second.chain.replayed).toBe(2);
  });

  it("refuses a journal whose history the replay does not reproduce", async () => {
    const dataDir = await makeDataDir();
    const first = await startTestChain(dataDir);
    await anchorSome(first.anchor, 1);
    await first.stop();
    const lines = (await readFile(journalPath(dataDir), "utf8")).trim().split("\n");
    const last = JSON.parse(lines[lines.length - 1] as string);
    last.timestamp += 1; // a different timestamp makes a different block
    lines[lines.length - 1] = JSON.stringify(last);
    await writeFile(journalPath(dataDir), `${lines.join("\n")}\n`);
    await expect(startLocalChain({ dataDir, port: 0 })).rejects.toThrow(/did not reproduce block/);
  });

  it("refuses to start when the journal is gone but deployment.json remains, sending nothing", async () => {
    const dataDir = await makeDataDir();
    const first = await startTestChain(dataDir);
    await first.stop();
    await rm(journalPath(dataDir));
    await expect(startLocalChain({ dataDir, port: 0 })).rejects.toThrow(/missing or was replaced/);
    expect((await readJournal(journalPath(dataDir))).entries).toEqual([]);
  });
});
