// Issue 10's second attack, as tests play it: a second local chain with chain id 31337 like
// the service's, started with a copy of the service's operator key, so that its
// EvidenceAnchor has the very same address and code as the service's. Only the chain's own
// history (its genesis, made with a genesis key of its own) tells the two apart. A record
// anchored there gives a bundle that is genuine on the look-alike and names the service's
// chain id and contract.
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { ContractTransactionResponse } from "ethers";
import { singleLeafBundle } from "../../scripts/vectors/records.ts";
import type { Bundle } from "../../service/core/bundle.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { makeDataDir, startTestChain, type TestChain } from "./local-chain.ts";

/** A chain like the one whose DATA_DIR is `serviceDataDir`, with its own genesis and the same operator key. */
export async function startLookAlikeChain(
  serviceDataDir: string,
  notaryName = "Look-alike notary",
): Promise<TestChain> {
  const dataDir = await makeDataDir("en-look-alike-");
  await copyFile(join(serviceDataDir, "anchorer.key"), join(dataDir, "anchorer.key"));
  const chain = await startTestChain(dataDir, { notaryName });
  // startTestChain keeps a folder it was given; this one is the helper's own.
  return {
    ...chain,
    stop: async () => {
      await chain.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Anchors `record` alone (a batch of one leaf) in `chain`'s contract and returns its bundle. */
export async function anchorOneRecord(chain: TestChain, recordId: string, record: unknown): Promise<Bundle> {
  const salt = newSalt();
  const digest = digestRecord(record);
  const leaf = hashLeaf(salt, digest);
  const seq = Number(await chain.anchor.getFunction("nextSeq")());
  const tx = (await chain.anchor.getFunction("anchor")(seq, toHex(leaf), 1)) as ContractTransactionResponse;
  const receipt = await tx.wait(1, 20_000);
  if (receipt === null || receipt.status !== 1) throw new Error("anchoring failed");
  const block = await chain.provider.getBlock(receipt.blockNumber);
  if (block?.hash == null) throw new Error("anchor block not found");
  return singleLeafBundle(recordId, digest, salt, {
    batch: seq,
    anchor: {
      chainId: chain.chain.deployment.chainId,
      contract: chain.chain.deployment.contract,
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      blockHash: block.hash,
      timestamp: block.timestamp,
    },
    record,
  });
}
