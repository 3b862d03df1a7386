// A read-only replay (npm run chain -- --read-only) serves a recorded DATA_DIR exactly as
// recorded and never writes to it: no journal line, no key, no repair of a torn line, and
// every transaction refused. The conformance kit depends on it.
import { createHash } from "node:crypto";
import { appendFile, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { toHex } from "../../service/core/hex.ts";
import { journalPath, startLocalChain } from "../../service/local-chain/local-chain.ts";
import { connect, makeDataDir, startTestChain } from "../helpers/local-chain.ts";

/** Every file under `dir` with the SHA-256 of its bytes and its mtime. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const digest = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
    out[relative(dir, path)] = `${digest} ${(await stat(path)).mtimeMs}`;
  }
  return out;
}

describe("read-only replay", () => {
  let dataDir: string;
  let root: `0x${string}`;
  let raw: string;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    dataDir = await makeDataDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const t = await startTestChain(dataDir);
    root = toHex(createHash("sha256").update("a batch").digest());
    await (await t.anchor.getFunction("anchor")(0, root, 3)).wait();
    // A transaction signed now, to be offered to the replay later.
    raw = await t.operatorKey.signTransaction({
      type: 2,
      chainId: 31337,
      nonce: await t.provider.getTransactionCount(t.operatorAddress),
      to: t.operatorAddress,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    });
    await t.stop();
    await rm(join(dataDir, "anchorer.key")); // the recorded data needs no operator key
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("serves the recorded chain, refuses every transaction, and changes no file", async () => {
    const before = await snapshot(dataDir);
    const chain = await startLocalChain({ dataDir, port: 0, readOnly: true });
    const provider = connect(chain.url, 31337);
    const reader = createChainReader(chain.url, 31337);
    try {
      expect(chain.allowedSenders).toEqual([]);
      expect(await reader.getAnchor(chain.deployment.contract, 0)).toMatchObject({ root, treeSize: 3 });
      const head = await provider.getBlockNumber();
      const res = await fetch(chain.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] }),
      });
      const { error } = (await res.json()) as { error: { code: number; message: string } };
      expect(error).toMatchObject({ code: -32003, message: expect.stringMatching(/read-only replay/) });
      expect(await provider.getBlockNumber()).toBe(head);
    } finally {
      reader.destroy();
      provider.destroy();
      await chain.close();
    }
    expect(await snapshot(dataDir)).toEqual(before);
    expect(Object.keys(before)).not.toContain("anchorer.key");
  });

  it("leaves a torn final journal line in place (a writing start cuts it off)", async () => {
    await appendFile(journalPath(dataDir), '{"raw":"0x02f8');
    const before = await snapshot(dataDir);
    const chain = await startLocalChain({ dataDir, port: 0, readOnly: true });
    await chain.close();
    expect(await snapshot(dataDir)).toEqual(before);
  });

  it("will not start without a recorded journal, deployment and notary profile, and creates nothing", async () => {
    const empty = await makeDataDir();
    cleanups.push(() => rm(empty, { recursive: true, force: true }));
    await expect(startLocalChain({ dataDir: empty, port: 0, readOnly: true })).rejects.toThrow(
      /needs a recorded chain journal/,
    );
    await mkdir(join(empty, "chain"));
    expect(await readdir(empty, { recursive: true })).toEqual(["chain"]);
  });
});
