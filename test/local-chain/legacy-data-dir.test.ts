// A data directory made before the chain was permissioned (test/fixtures/legacy-data-dir:
// chain journal format v1, Hardhat's default genesis) keeps working: its chain replays to the
// same blocks, its bundles still verify, and the sender allowlist applies to it too, so the
// public development keys, funded in that old genesis, cannot send anything there either.
import { cp, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { genesisKeyPath } from "../../service/local-chain/chain-genesis.ts";
import { JOURNAL_FORMAT_V1, readJournal } from "../../service/local-chain/journal.ts";
import { journalPath } from "../../service/local-chain/local-chain.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

const FIXTURE = join(REPO_ROOT, "test", "fixtures", "legacy-data-dir");
// Hardhat's development accounts #0 (which funded the operator in that genesis) and #1.
const PUBLIC_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
];

let dataDir: string;
let t: TestChain;
let journalBefore: string;
beforeAll(async () => {
  dataDir = await makeDataDir("en-legacy-");
  await cp(FIXTURE, dataDir, { recursive: true });
  journalBefore = await readFile(journalPath(dataDir), "utf8");
  t = await startTestChain(dataDir);
});
afterAll(async () => {
  await t?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe("a data directory made before the permissioned chain", () => {
  it("replays its v1 journal on Hardhat's default genesis, to the same chain and profile", async () => {
    expect(t.chain.replayed).toBe(4); // funding, deployment, two anchors
    const { header } = await readJournal(journalPath(dataDir));
    expect(header?.format).toBe(JOURNAL_FORMAT_V1);
    const profile = JSON.parse(await readFile(join(FIXTURE, "notary.json"), "utf8"));
    expect(t.chain.notary).toEqual(profile);
    expect((await t.provider.getBlock(0))?.hash).toBe(profile.genesisHash);
    expect(await t.anchor.nextSeq()).toBe(2n);
    // Nothing was added: the operator still holds funds, and a v1 chain gets no genesis key.
    expect(await readFile(journalPath(dataDir), "utf8")).toBe(journalBefore);
    await expect(stat(genesisKeyPath(dataDir))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("still verifies every bundle issued before", async () => {
    const files = (await readdir(join(FIXTURE, "bundles"))).filter((f) => f.endsWith(".bundle.json"));
    expect(files).toHaveLength(3);
    const reader = createChainReader(t.chain.url, t.chain.deployment.chainId);
    try {
      for (const file of files) {
        const bundle = JSON.parse(await readFile(join(FIXTURE, "bundles", file), "utf8"));
        const record = JSON.parse(
          await readFile(join(FIXTURE, "bundles", file.replace(".bundle.json", ".record.json")), "utf8"),
        );
        const report = await verifyBundle(bundle, { record, chain: reader, trustedNotary: t.chain.notary });
        expect(
          report.checks.filter((c) => c.status !== "pass"),
          file,
        ).toEqual([]);
        expect(report.ok, file).toBe(true);
      }
    } finally {
      reader.destroy();
    }
  });

  it("lets no public development key send, though that old genesis funded them", async () => {
    const head = await t.provider.getBlockNumber();
    for (const key of PUBLIC_KEYS) {
      const wallet = new Wallet(key);
      expect(await t.provider.getBalance(wallet.address)).toBeGreaterThan(10n ** 21n);
      const nonce = await t.provider.getTransactionCount(wallet.address);
      const raw = await wallet.signTransaction({
        type: 2,
        chainId: t.chain.deployment.chainId,
        nonce,
        to: wallet.address,
        gasLimit: 21_000n,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 1n,
      });
      await expect(t.provider.send("eth_sendRawTransaction", [raw])).rejects.toMatchObject({
        error: { code: -32007 },
      });
      expect(await t.provider.getTransactionCount(wallet.address)).toBe(nonce);
    }
    expect(await t.provider.getBlockNumber()).toBe(head);
    expect(await readFile(journalPath(dataDir), "utf8")).toBe(journalBefore);
  });

  it("goes on anchoring with its operator", async () => {
    const seq = Number(await t.anchor.nextSeq());
    await (await t.anchor.anchor(seq, `0x${"ab".repeat(32)}`, 1)).wait();
    expect(await t.anchor.nextSeq()).toBe(BigInt(seq + 1));
    expect((await readJournal(journalPath(dataDir))).entries).toHaveLength(5);
  });
});
