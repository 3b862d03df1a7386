// Records a real local chain for the conformance kit (scripts/gen-conformance.ts): the same
// journaled, permissioned chain as `npm run chain`, started with fixed keys and a fixed clock
// so that the recording is the same every time it is made, and anchored through the real
// EvidenceAnchor contract. The keys are derived from public labels: they protect nothing,
// and only the genesis key, which a replay needs, is shipped.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { ContractFactory, id, JsonRpcProvider, NonceManager, type Signer, Wallet } from "ethers";
import { readAnchorArtifact } from "../../service/chain/anchor-artifact.ts";
import { anchorContract } from "../../service/chain/anchor-contract.ts";
import type { Bundle } from "../../service/core/bundle.ts";
import type { JsonObject } from "../../service/core/canonical.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { writeFileDurably } from "../../service/fs/durable-file.ts";
import { type LocalChain, startLocalChain } from "../../service/local-chain/local-chain.ts";
import { batchTree, bundlesOf } from "../vectors/records.ts";

/** A key derived from a public label: for the recorded kit only. */
export function kitKey(label: string): Wallet {
  return new Wallet(id(`evidence-notary conformance kit: ${label}`));
}

/** A clock that starts at `start` and moves 12 seconds each time it is read. */
function kitClock(start: string): () => number {
  let now = Date.parse(start);
  return () => {
    now += 12_000;
    return now;
  };
}

export interface RecordingChain {
  chain: LocalChain;
  dataDir: string;
  provider: JsonRpcProvider;
  close(): Promise<void>;
}

/** Starts a new chain in `dataDir` with `genesis` as its genesis account and `operator` deploying the notary's contract. */
export async function startRecording(
  dataDir: string,
  options: { genesis: Wallet; operator: Wallet; allowedSenders?: string[]; notaryName: string },
): Promise<RecordingChain> {
  await mkdir(join(dataDir, "chain"), { recursive: true });
  await writeFileDurably(join(dataDir, "chain", "genesis.key"), `${options.genesis.privateKey}\n`, {
    mode: 0o600,
  });
  await writeFileDurably(join(dataDir, "anchorer.key"), `${options.operator.privateKey}\n`, { mode: 0o600 });
  const chain = await startLocalChain({
    dataDir,
    port: 0,
    allowedSenders: options.allowedSenders ?? [],
    notaryName: options.notaryName,
    now: kitClock("2026-06-01T09:00:00.000Z"),
  });
  const provider = new JsonRpcProvider(chain.url, chain.deployment.chainId, {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
    pollingInterval: 20,
  });
  return {
    chain,
    dataDir,
    provider,
    close: async () => {
      provider.destroy();
      await chain.close();
    },
  };
}

/** The files of a recorded data directory that a read-only replay needs (never anchorer.key). */
export const KIT_DATA_FILES = [
  "chain/journal.jsonl",
  "chain/genesis.key",
  "chain/deployment.json",
  "notary.json",
];

export async function copyRecording(from: string, to: string): Promise<void> {
  await mkdir(join(to, "chain"), { recursive: true });
  for (const file of KIT_DATA_FILES) await copyFile(join(from, file), join(to, file));
}

/** A signer that keeps its own nonce, for `key` on `recording`'s chain. */
export function signerOn(recording: RecordingChain, key: Wallet): Signer {
  return new NonceManager(key.connect(recording.provider));
}

/** Deploys another EvidenceAnchor (the same code) with `signer` as its admin and anchorer. */
export async function deployLookAlike(signer: Signer): Promise<Hex> {
  const { abi, bytecode } = await readAnchorArtifact();
  const self = await signer.getAddress();
  const contract = await new ContractFactory(abi, bytecode, signer).deploy(self, self);
  await contract.waitForDeployment();
  return (await contract.getAddress()).toLowerCase() as Hex;
}

/** Salts derived from a label, so the kit is reproducible; real salts are random. */
function kitSalts(label: string, records: readonly unknown[]): Uint8Array[] {
  return records.map((_, i) => sha256(new TextEncoder().encode(`conformance kit salt ${label} ${i}`)));
}

/** Every record's bundle, `records` being one batch (salts from `label`) that claims `anchor` as `batch`, anchored or not. */
export function batchBundles(
  label: string,
  records: JsonObject[],
  batch: number,
  anchor: Bundle["anchor"],
): Bundle[] {
  return bundlesOf(records, kitSalts(label, records), batch, anchor);
}

export interface Anchored {
  bundles: Bundle[];
  anchor: Bundle["anchor"];
  /** The receipt's status: 1 anchored, 0 reverted. */
  status: number;
}

/**
 * Sends anchor(batch, root, size) for `records` to `contract` and builds each record's
 * bundle from the receipt and block. With `gasLimit` the call is sent without estimating
 * gas, so a call that reverts is mined (status 0) instead of refused.
 */
export async function anchorBatch(
  recording: RecordingChain,
  signer: Signer,
  contract: Hex,
  batch: number,
  records: JsonObject[],
  label: string,
  options: { gasLimit?: number } = {},
): Promise<Anchored> {
  const { tree, root } = batchTree(records, kitSalts(label, records));
  const overrides = options.gasLimit === undefined ? {} : { gasLimit: options.gasLimit };
  const sent = await anchorContract(contract, signer).anchor(batch, toHex(root), tree.size, overrides);
  const receipt = await recording.provider.waitForTransaction(sent.hash, 1, 30_000);
  if (receipt === null) throw new Error(`anchoring transaction ${sent.hash} was not mined`);
  const block = await recording.provider.getBlock(receipt.blockNumber);
  if (block?.hash == null) throw new Error(`block ${receipt.blockNumber} not found`);
  const anchor = {
    chainId: recording.chain.deployment.chainId,
    contract,
    txHash: receipt.hash.toLowerCase() as Hex,
    blockNumber: receipt.blockNumber,
    blockHash: block.hash.toLowerCase() as Hex,
    timestamp: block.timestamp,
  };
  return { bundles: batchBundles(label, records, batch, anchor), anchor, status: receipt.status ?? 0 };
}
