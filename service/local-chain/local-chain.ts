// The local permissioned chain: a Hardhat (EDR) node whose history survives restarts.
// Start-up: replay the journal (journal.ts), open the JSON-RPC endpoint, and on the very
// first start deploy the anchor contract and record the deployment in DATA_DIR.
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { type Deployment, readDeployment, writeDeployment } from "../chain/deployment.ts";
import { describeNotary } from "../chain/describe-notary.ts";
import { readOrCreateKey } from "../chain/key-file.ts";
import { notaryProfilePath, readNotaryProfileFile, writeNotaryProfileFile } from "../chain/notary-file.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import { deployAnchorContract } from "./bootstrap.ts";
import { JOURNAL_FORMAT, type JournalHeader, JournalWriter, readJournal } from "./journal.ts";
import { JournaledChain } from "./journaled-chain.ts";
import { startRpcServer } from "./rpc-server.ts";
import { createSimulatedNode, LOCAL_CHAIN_GENESIS } from "./simulated-node.ts";

export interface LocalChainOptions {
  dataDir: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to bind. Defaults to loopback; anything else must be asked for. */
  host?: string;
  /** File holding the operator (admin and anchorer) key. Defaults to DATA_DIR/anchorer.key. */
  keyFile?: string;
  /** The notary's human-readable name, written into DATA_DIR/notary.json on first start. */
  notaryName?: string;
  log?: (line: string) => void;
}

export interface LocalChain {
  url: string;
  deployment: Deployment;
  /** This notary's profile, as in DATA_DIR/notary.json. */
  notary: NotaryProfile;
  /** Number of journaled transactions replayed at start. */
  replayed: number;
  close(): Promise<void>;
}

export function journalPath(dataDir: string): string {
  return join(dataDir, "chain", "journal.jsonl");
}

export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  const log = options.log ?? (() => {});
  const path = journalPath(options.dataDir);
  const { header, entries } = await readJournal(path);
  const expected: JournalHeader = { format: JOURNAL_FORMAT, ...LOCAL_CHAIN_GENESIS };
  if (header !== undefined && JSON.stringify(header) !== JSON.stringify(expected)) {
    throw new Error(
      `chain journal ${path} was written for a different genesis (${JSON.stringify(header)}); ` +
        `this build uses ${JSON.stringify(expected)}`,
    );
  }

  const node = await createSimulatedNode();
  const writer = await JournalWriter.open(path, expected, header === undefined);
  let rpc: Awaited<ReturnType<typeof startRpcServer>> | undefined;
  try {
    if (entries.length > 0) log(`replaying ${entries.length} journaled transactions from ${path}`);
    await JournaledChain.replay(node.provider, entries);
    rpc = await startRpcServer(
      new JournaledChain(node.provider, writer),
      options.host ?? "127.0.0.1",
      options.port,
    );
    const deployment = await ensureDeployment(options, rpc.url, log);
    const notary = await ensureNotaryProfile(options, rpc.url, deployment, log);
    const server = rpc;
    return {
      url: rpc.url,
      deployment,
      notary,
      replayed: entries.length,
      close: async () => {
        await server.close();
        await writer.close();
        await node.close();
      },
    };
  } catch (error) {
    await rpc?.close();
    await writer.close();
    await node.close();
    throw error;
  }
}

async function ensureDeployment(
  options: LocalChainOptions,
  url: string,
  log: (line: string) => void,
): Promise<Deployment> {
  const existing = await readDeployment(options.dataDir);
  if (existing !== undefined) {
    const provider = new JsonRpcProvider(url, LOCAL_CHAIN_GENESIS.chainId, { staticNetwork: true });
    try {
      const code = await provider.getCode(existing.contract);
      if (code === "0x") {
        throw new Error(
          `deployment.json names contract ${existing.contract}, but the replayed chain has no code there: ` +
            `the chain journal in ${options.dataDir}/chain is missing or was replaced`,
        );
      }
    } finally {
      provider.destroy();
    }
    return existing;
  }
  const key = await readOrCreateKey(options.keyFile ?? join(options.dataDir, "anchorer.key"));
  log(`first start: deploying EvidenceAnchor with operator ${key.address}`);
  const deployment = await deployAnchorContract(url, LOCAL_CHAIN_GENESIS.chainId, key);
  await writeDeployment(options.dataDir, deployment);
  return deployment;
}

export const DEFAULT_LOCAL_NOTARY_NAME = "Evidence Notary (local chain)";

/**
 * DATA_DIR/notary.json, read from the chain right after the first deployment. A data
 * directory made before notary profiles existed gets one on its next start, described from
 * the replayed chain (the same chain, so the same profile as at deployment).
 */
async function ensureNotaryProfile(
  options: LocalChainOptions,
  url: string,
  deployment: Deployment,
  log: (line: string) => void,
): Promise<NotaryProfile> {
  const path = notaryProfilePath(options.dataDir);
  const existing = await readNotaryProfileFile(path);
  if (existing !== undefined) {
    if (existing.contract !== deployment.contract || existing.chainId !== deployment.chainId) {
      throw new Error(
        `${path} names contract ${existing.contract} on chain ${existing.chainId}, ` +
          `but ${options.dataDir}/chain/deployment.json names ${deployment.contract} on chain ${deployment.chainId}`,
      );
    }
    return existing;
  }
  const provider = new JsonRpcProvider(url, deployment.chainId, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const profile = await describeNotary(provider, deployment, {
      name: options.notaryName ?? DEFAULT_LOCAL_NOTARY_NAME,
      anchorers: [deployment.deployer],
    });
    const fingerprint = await writeNotaryProfileFile(path, profile);
    log(`notary profile written to ${path} (fingerprint ${fingerprint})`);
    return profile;
  } finally {
    provider.destroy();
  }
}
