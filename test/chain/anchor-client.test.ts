// AnchorClient.inclusionOf against a real chain: only a successful anchor transaction counts
// as the anchor. Reconciliation looks a batch's recorded transaction up with it; a reverted
// one (a second sender of the same seq, as in a leader handover) must send it on to the
// RootAnchored event instead, or every bundle of the batch would name a transaction that
// anchored nothing.
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AnchorClient } from "../../service/chain/anchor-client.ts";
import { readOrCreateKey } from "../../service/chain/key-file.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";

let chain: TestChain;
let client: AnchorClient;

beforeAll(async () => {
  chain = await startTestChain();
  const wallet = await readOrCreateKey(join(chain.dataDir, "anchorer.key"));
  const { contract, chainId } = chain.chain.deployment;
  client = new AnchorClient(chain.provider, contract, chainId, wallet);
});
afterAll(async () => {
  await chain?.stop();
});

/** Sends anchor(seq, root, 1) with a fixed gas limit, so that one which reverts is sent and mined too. */
async function send(seq: number, root: Hex): Promise<Hex> {
  const signed = await client.signAnchor({ seq, root, treeSize: 1 }, { gasLimit: 150_000n });
  await client.broadcast(signed);
  expect(await client.waitForReceipt(signed.txHash, 1, 20_000)).not.toBeNull();
  return signed.txHash;
}

it("finds a successful anchor, and answers null for a reverted one with the same seq", async () => {
  const root = toHex(new Uint8Array(32).fill(7));
  const anchored = await send(0, root);
  const reverted = await send(0, root); // seq 0 again: EvidenceAnchorUnexpectedSeq
  expect((await chain.provider.getTransactionReceipt(reverted))?.status).toBe(0);

  expect(await client.inclusionOf(reverted)).toBeNull();
  const inclusion = await client.inclusionOf(anchored);
  expect(inclusion?.txHash).toBe(anchored);
  expect(await client.findAnchorTransaction(0, 0)).toEqual(inclusion);
});
