// The notary profile the local chain writes describes the chain as it really is: each field
// is compared here with a direct JSON-RPC read, and a data directory without notary.json (made
// before profiles existed) gets the very same profile on its next start.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { keccak256 } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { describeNotary } from "../../service/chain/describe-notary.ts";
import { readNotaryProfileFile } from "../../service/chain/notary-file.ts";
import { notaryFingerprint } from "../../service/core/notary-profile.ts";
import { startLocalChain } from "../../service/local-chain/local-chain.ts";
import { connect, makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";

let chain: TestChain;
const dataDirs: string[] = [];
afterAll(async () => {
  await chain?.stop();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

describe("the local chain's notary profile", () => {
  it("is written to DATA_DIR/notary.json on first start and matches the chain", async () => {
    dataDirs.push(await makeDataDir());
    chain = await startTestChain(dataDirs[0]);
    const profile = await readNotaryProfileFile(join(chain.dataDir, "notary.json"));
    expect(profile).toEqual(chain.chain.notary);
    const p = chain.provider;
    const d = chain.chain.deployment;
    const genesis = await p.send("eth_getBlockByNumber", ["0x0", false]);
    const deployedIn = await p.send("eth_getBlockByNumber", [`0x${d.blockNumber.toString(16)}`, false]);
    expect(profile).toMatchObject({
      format: "notary-profile/v1",
      chainId: Number(await p.send("eth_chainId", [])),
      genesisHash: genesis.hash,
      contract: d.contract,
      codeHash: keccak256(await p.send("eth_getCode", [d.contract, "latest"])),
      deployment: { txHash: d.txHash, blockNumber: d.blockNumber, blockHash: deployedIn.hash },
      anchorers: [chain.operatorAddress.toLowerCase()],
    });
  });

  it("is described again, identically, for a data directory that has none", async () => {
    const before = notaryFingerprint(chain.chain.notary);
    const dataDir = chain.dataDir;
    await chain.stop();
    await rm(join(dataDir, "notary.json"));
    const restarted = await startLocalChain({ dataDir, port: 0 });
    try {
      expect(notaryFingerprint(restarted.notary)).toBe(before);
      expect(JSON.parse(await readFile(join(dataDir, "notary.json"), "utf8"))).toEqual(restarted.notary);
    } finally {
      await restarted.close();
    }
    chain = await startTestChain(dataDir);
  });

  it("refuses to describe a contract that the named transaction did not create, or an anchorer without the role", async () => {
    const d = chain.chain.deployment;
    const p = chain.provider;
    await expect(
      describeNotary(p, { ...d, contract: `0x${"12".repeat(20)}` }, { name: "x", anchorers: [] }),
    ).rejects.toThrow(/did not create/);
    await expect(
      describeNotary(p, { ...d, blockHash: `0x${"00".repeat(32)}` }, { name: "x", anchorers: [] }),
    ).rejects.toThrow(/not the deployment block/);
    await expect(describeNotary(p, d, { name: "x", anchorers: [`0x${"34".repeat(20)}`] })).rejects.toThrow(
      /does not hold ANCHORER_ROLE/,
    );
  });
});

describe("a second data directory", () => {
  it("gets a profile of its own contract", async () => {
    const other = await startTestChain(await makeDataDir());
    try {
      expect(other.chain.notary.contract).toBe(other.chain.deployment.contract);
      const p = connect(other.chain.url, other.chain.deployment.chainId);
      expect((await p.getBlock(0))?.hash).toBe(other.chain.notary.genesisHash);
      p.destroy();
    } finally {
      await other.stop();
      await rm(other.dataDir, { recursive: true, force: true });
    }
  });
});
