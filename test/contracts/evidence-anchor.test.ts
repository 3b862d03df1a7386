// EvidenceAnchor against a real Hardhat (EDR) network behind the journaled local-chain RPC.
import { ContractFactory, type ContractTransactionResponse, NonceManager, Wallet, ZeroHash } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAnchorArtifact } from "../../service/chain/anchor-artifact.ts";
import { anchorContract, type EvidenceAnchorContract } from "../../service/chain/anchor-contract.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";

const ROOT = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;

let t: TestChain;
let outsider: NonceManager;
let outsiderAddress: string;

/** A fresh contract per test, so sequencing starts at 0. */
async function deployFresh(): Promise<EvidenceAnchorContract> {
  const { abi, bytecode } = await readAnchorArtifact();
  const factory = new ContractFactory(abi, bytecode, t.operator);
  const deployed = await factory.deploy(t.operatorAddress, t.operatorAddress);
  await deployed.waitForDeployment();
  return anchorContract(await deployed.getAddress(), t.operator);
}

async function mined(tx: Promise<ContractTransactionResponse>) {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("no receipt");
  return receipt;
}

beforeAll(async () => {
  // An account without roles, but allowed to send on the chain (which funds it at start).
  const key = Wallet.createRandom();
  outsiderAddress = key.address;
  t = await startTestChain(undefined, { allowedSenders: [key.address] });
  outsider = new NonceManager(new Wallet(key.privateKey, t.provider));
});

afterAll(async () => {
  await t?.stop();
});

describe("roles", () => {
  it("grants admin and anchorer to the constructor arguments", async () => {
    const c = await deployFresh();
    expect(await c.hasRole(await c.DEFAULT_ADMIN_ROLE(), t.operatorAddress)).toBe(true);
    expect(await c.hasRole(await c.ANCHORER_ROLE(), t.operatorAddress)).toBe(true);
    expect(await c.hasRole(await c.ANCHORER_ROLE(), outsiderAddress)).toBe(false);
  });

  it("rejects a caller without ANCHORER_ROLE with a custom error", async () => {
    const c = await deployFresh();
    const asOutsider = anchorContract(await c.getAddress(), outsider);
    await expect(asOutsider.anchor.staticCall(0, ROOT(1), 1)).rejects.toMatchObject({
      revert: { name: "AccessControlUnauthorizedAccount", args: [outsiderAddress, await c.ANCHORER_ROLE()] },
    });
  });

  it("lets the admin grant and revoke anchorers", async () => {
    const c = await deployFresh();
    const role = await c.ANCHORER_ROLE();
    await mined(c.grantRole(role, outsiderAddress));
    const asOutsider = anchorContract(await c.getAddress(), outsider);
    await mined(asOutsider.anchor(0, ROOT(1), 1));
    expect(await c.nextSeq()).toBe(1n);
    await mined(c.revokeRole(role, outsiderAddress));
    await expect(asOutsider.anchor.staticCall(1, ROOT(2), 1)).rejects.toMatchObject({
      revert: { name: "AccessControlUnauthorizedAccount" },
    });
  });

  it("does not let a non-admin grant roles", async () => {
    const c = await deployFresh();
    const asOutsider = anchorContract(await c.getAddress(), outsider);
    await expect(
      asOutsider.grantRole.staticCall(await c.ANCHORER_ROLE(), outsiderAddress),
    ).rejects.toMatchObject({
      revert: { name: "AccessControlUnauthorizedAccount" },
    });
  });
});

describe("anchor", () => {
  it("stores root, treeSize, block number and timestamp, and emits a hash-linked event", async () => {
    const c = await deployFresh();
    const first = await mined(c.anchor(0, ROOT(0xa1), 3));
    const second = await mined(c.anchor(1, ROOT(0xb2), 5));

    const block = await t.provider.getBlock(second.blockNumber);
    const stored = await c.getAnchor(1);
    expect(stored.root).toBe(ROOT(0xb2));
    expect(stored.treeSize).toBe(5n);
    expect(stored.blockNumber).toBe(BigInt(second.blockNumber));
    expect(stored.timestamp).toBe(BigInt(block?.timestamp ?? -1));

    const events = [first, second].map((r) => c.interface.parseLog(r.logs[0] as never));
    expect(events.map((e) => e?.name)).toEqual(["RootAnchored", "RootAnchored"]);
    expect(events[0]?.args.toArray()).toEqual([0n, ROOT(0xa1), 3n, ZeroHash]);
    expect(events[1]?.args.toArray()).toEqual([1n, ROOT(0xb2), 5n, ROOT(0xa1)]);
    expect(await c.latestSeq()).toBe(1n);
    expect(await c.nextSeq()).toBe(2n);
  });

  it("accepts only exactly the next seq", async () => {
    const c = await deployFresh();
    await expect(c.anchor.staticCall(1, ROOT(1), 1)).rejects.toMatchObject({
      revert: { name: "EvidenceAnchorUnexpectedSeq", args: [0n, 1n] },
    });
    await mined(c.anchor(0, ROOT(1), 1));
    await expect(c.anchor.staticCall(0, ROOT(2), 1)).rejects.toMatchObject({
      revert: { name: "EvidenceAnchorUnexpectedSeq", args: [1n, 0n] },
    });
    await expect(c.anchor.staticCall(2, ROOT(2), 1)).rejects.toMatchObject({
      revert: { name: "EvidenceAnchorUnexpectedSeq", args: [1n, 2n] },
    });
    expect((await c.getAnchor(0)).root).toBe(ROOT(1));
  });

  it("rejects a zero root and an empty tree", async () => {
    const c = await deployFresh();
    await expect(c.anchor.staticCall(0, ZeroHash, 1)).rejects.toMatchObject({
      revert: { name: "EvidenceAnchorZeroRoot" },
    });
    await expect(c.anchor.staticCall(0, ROOT(1), 0)).rejects.toMatchObject({
      revert: { name: "EvidenceAnchorEmptyTree" },
    });
  });

  it("reverts views for seqs that were never anchored", async () => {
    const c = await deployFresh();
    await expect(c.latestSeq()).rejects.toMatchObject({ revert: { name: "EvidenceAnchorNoAnchors" } });
    await expect(c.getAnchor(0)).rejects.toMatchObject({
      revert: { name: "EvidenceAnchorUnknownSeq", args: [0n] },
    });
  });

  it("a mined but reverted anchor leaves no trace", async () => {
    const c = await deployFresh();
    await mined(c.anchor(0, ROOT(1), 1));
    const tx = await c.anchor(5, ROOT(2), 1, { gasLimit: 200_000 });
    await expect(tx.wait()).rejects.toMatchObject({ code: "CALL_EXCEPTION" });
    expect(await c.nextSeq()).toBe(1n);
  });

  it("costs less than 100k gas per anchor", async () => {
    const c = await deployFresh();
    const gas: bigint[] = [];
    for (let seq = 0; seq < 3; seq++) gas.push((await mined(c.anchor(seq, ROOT(seq + 1), 10_000))).gasUsed);
    console.log(`gas per anchor: first ${gas[0]}, then ${gas[1]}, ${gas[2]}`);
    for (const g of gas) expect(g).toBeLessThan(100_000n);
  });
});
