// The local permissioned chain: a Hardhat (EDR) node whose history survives restarts.
// Start-up: replay the journal (journal.ts) on its genesis (chain-genesis.ts), open the
// permissioned JSON-RPC endpoint (rpc-server.ts, sender-allowlist.ts), fund allowlisted
// accounts (bootstrap.ts), and on the very first start deploy the anchor contract and
// record the deployment and the notary profile in DATA_DIR.
//
// A read-only replay (`readOnly`, `npm run chain -- --read-only`) only replays and serves:
// it needs a recorded journal, genesis.key, deployment.json and notary.json, refuses every
// transaction, and writes nothing in DATA_DIR (no journal line, no key, no repair of a torn
// line). The conformance kit (conformance/) is replayed this way.
import { join } from "node:path";
import { JsonRpcProvider, type Wallet } from "ethers";
import { type Deployment, readDeployment, writeDeployment } from "../chain/deployment.ts";
import { describeNotary } from "../chain/describe-notary.ts";
import { readOrCreateKey } from "../chain/key-file.ts";
import { notaryProfilePath, readNotaryProfileFile, writeNotaryProfileFile } from "../chain/notary-file.ts";
import type { Hex } from "../core/hex.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import { deployAnchorContract, fundAllowedAccounts } from "./bootstrap.ts";
import { chainGenesis } from "./chain-genesis.ts";
import { type JournalFaults, JournalWriter, readJournal } from "./journal.ts";
import { JournaledChain } from "./journaled-chain.ts";
import { startRpcServer } from "./rpc-server.ts";
import { SenderAllowlist } from "./sender-allowlist.ts";
import { createSimulatedNode, LOCAL_CHAIN_GENESIS } from "./simulated-node.ts";

export interface LocalChainOptions {
  dataDir: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to bind. Defaults to loopback; anything else must be asked for. */
  host?: string;
  /** File holding the operator (admin and anchorer) key. Defaults to DATA_DIR/anchorer.key. */
  keyFile?: string;
  /**
   * Accounts allowed to send besides the operator, the genesis account and the contract's
   * deployer (CHAIN_ALLOWED_SENDERS). Each is funded from the genesis account when it holds
   * less than MIN_BALANCE.
   */
  allowedSenders?: readonly string[];
  /** The notary's human-readable name, written into DATA_DIR/notary.json on first start. */
  notaryName?: string;
  log?: (line: string) => void;
  /** Fault injection for tests: see JournalFaults. */
  journalFaults?: JournalFaults;
  /** Replay and serve only: refuse every transaction and write nothing in DATA_DIR. */
  readOnly?: boolean;
  /** The clock that stamps new blocks and the deployment, in milliseconds (default Date.now). */
  now?: () => number;
}

export interface LocalChain {
  url: string;
  deployment: Deployment;
  /** This notary's profile, as in DATA_DIR/notary.json. */
  notary: NotaryProfile;
  /** Number of journaled transactions replayed at start. */
  replayed: number;
  /** The accounts that may send transactions. */
  allowedSenders: Hex[];
  /**
   * Resolves when the chain stops serving because its journal could not be written (it
   * never rejects). Its owner logs the reason, and exits or reports the chain unavailable.
   */
  stopped: Promise<Error>;
  close(): Promise<void>;
}

export function journalPath(dataDir: string): string {
  return join(dataDir, "chain", "journal.jsonl");
}

export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  if (options.readOnly === true) return startReplay(options);
  const log = options.log ?? (() => {});
  const path = journalPath(options.dataDir);
  const { header, entries } = await readJournal(path);
  const genesis = await chainGenesis(options.dataDir, header, path);
  const operator = await readOrCreateKey(options.keyFile ?? join(options.dataDir, "anchorer.key"));
  const existing = await readDeployment(options.dataDir);
  const allowlist = new SenderAllowlist([
    ...(genesis.funder === undefined ? [] : [genesis.funder.address]),
    operator.address,
    ...(existing === undefined ? [] : [existing.deployer]),
    ...(options.allowedSenders ?? []),
  ]);

  const node = await createSimulatedNode(genesis.accounts);
  let writer: JournalWriter | undefined;
  let rpc: Awaited<ReturnType<typeof startRpcServer>> | undefined;
  try {
    writer = await JournalWriter.open(path, genesis.header, header === undefined, options.journalFaults);
    if (entries.length > 0) log(`replaying ${entries.length} journaled transactions from ${path}`);
    await JournaledChain.replay(node.provider, entries);
    const chain = new JournaledChain(node.provider, {
      writer,
      allowlist,
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    rpc = await startRpcServer(chain, options.host ?? "127.0.0.1", options.port);
    if (existing !== undefined) await checkDeployment(options, rpc.url, existing);
    await fundAllowedAccounts(rpc.url, LOCAL_CHAIN_GENESIS.chainId, genesis.funder, allowlist.addresses, log);
    const deployment = existing ?? (await deployContract(options, rpc.url, operator, log));
    const notary = await ensureNotaryProfile(options, rpc.url, deployment, log);
    const server = rpc;
    const journal = writer;
    return {
      url: rpc.url,
      deployment,
      notary,
      replayed: entries.length,
      allowedSenders: allowlist.addresses,
      stopped: chain.stopped,
      close: async () => {
        await server.close();
        await journal.close();
        await node.close();
      },
    };
  } catch (error) {
    await rpc?.close();
    await writer?.close();
    await node.close();
    throw error;
  }
}

/** A read-only replay of a recorded DATA_DIR: nothing is created, funded, deployed or written. */
async function startReplay(options: LocalChainOptions): Promise<LocalChain> {
  const log = options.log ?? (() => {});
  const path = journalPath(options.dataDir);
  const { header, entries } = await readJournal(path, { readOnly: true });
  if (header === undefined)
    throw new Error(`a read-only replay needs a recorded chain journal: ${path} is missing or empty`);
  const genesis = await chainGenesis(options.dataDir, header, path);
  const deployment = await readDeployment(options.dataDir);
  if (deployment === undefined) {
    throw new Error(
      `a read-only replay needs the deployment record ${options.dataDir}/chain/deployment.json`,
    );
  }
  const notaryPath = notaryProfilePath(options.dataDir);
  const notary = await readNotaryProfileFile(notaryPath);
  if (notary === undefined) throw new Error(`a read-only replay needs the notary profile ${notaryPath}`);

  const node = await createSimulatedNode(genesis.accounts);
  let rpc: Awaited<ReturnType<typeof startRpcServer>> | undefined;
  try {
    log(`replaying ${entries.length} journaled transactions from ${path} (read-only)`);
    await JournaledChain.replay(node.provider, entries);
    const chain = new JournaledChain(node.provider, undefined);
    rpc = await startRpcServer(chain, options.host ?? "127.0.0.1", options.port);
    await checkDeployment(options, rpc.url, deployment);
    checkNotaryMatches(notaryPath, notary, deployment, options.dataDir);
    const server = rpc;
    return {
      url: rpc.url,
      deployment,
      notary,
      replayed: entries.length,
      allowedSenders: [],
      stopped: chain.stopped,
      close: async () => {
        await server.close();
        await node.close();
      },
    };
  } catch (error) {
    await rpc?.close();
    await node.close();
    throw error;
  }
}

async function deployContract(
  options: LocalChainOptions,
  url: string,
  operator: Wallet,
  log: (line: string) => void,
): Promise<Deployment> {
  log(`first start: deploying EvidenceAnchor with operator ${operator.address}`);
  const deployment = await deployAnchorContract(url, LOCAL_CHAIN_GENESIS.chainId, operator, options.now);
  await writeDeployment(options.dataDir, deployment);
  return deployment;
}

/** The replayed chain must hold the contract that deployment.json names. */
async function checkDeployment(
  options: LocalChainOptions,
  url: string,
  deployment: Deployment,
): Promise<void> {
  const provider = new JsonRpcProvider(url, LOCAL_CHAIN_GENESIS.chainId, { staticNetwork: true });
  try {
    if ((await provider.getCode(deployment.contract)) === "0x") {
      throw new Error(
        `deployment.json names contract ${deployment.contract}, but the replayed chain has no code there: ` +
          `the chain journal in ${options.dataDir}/chain is missing or was replaced`,
      );
    }
  } finally {
    provider.destroy();
  }
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
    checkNotaryMatches(path, existing, deployment, options.dataDir);
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

/** DATA_DIR/notary.json must describe the contract that deployment.json names. */
function checkNotaryMatches(
  path: string,
  notary: NotaryProfile,
  deployment: Deployment,
  dataDir: string,
): void {
  if (notary.contract !== deployment.contract || notary.chainId !== deployment.chainId) {
    throw new Error(
      `${path} names contract ${notary.contract} on chain ${notary.chainId}, ` +
        `but ${dataDir}/chain/deployment.json names ${deployment.contract} on chain ${deployment.chainId}`,
    );
  }
}
