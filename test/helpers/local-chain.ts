// Starts a real local chain (Hardhat EDR behind the journaled JSON-RPC endpoint) in a
// temporary DATA_DIR, and connects the operator account to it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, NonceManager, type Signer, type Wallet } from "ethers";
import { anchorContract, type EvidenceAnchorContract } from "../../service/chain/anchor-contract.ts";
import { setAnchorerRole } from "../../service/chain/anchor-roles.ts";
import { readOrCreateKey } from "../../service/chain/key-file.ts";
import {
  type LocalChain,
  type LocalChainOptions,
  startLocalChain,
} from "../../service/local-chain/local-chain.ts";

export interface TestChain {
  chain: LocalChain;
  dataDir: string;
  provider: JsonRpcProvider;
  /** The operator: admin and anchorer of the deployed contract. */
  operator: Signer;
  /** The operator's key, for tests that sign raw transactions themselves. */
  operatorKey: Wallet;
  operatorAddress: string;
  anchor: EvidenceAnchorContract;
  stop(): Promise<void>;
}

/** The chain's operator (the contract's admin) grants or revokes ANCHORER_ROLE of `account`. */
export async function setAnchorer(chain: TestChain, account: string, grant: boolean): Promise<void> {
  const { contract } = chain.chain.deployment;
  await setAnchorerRole(chain.provider, contract, chain.operatorKey, account, grant, { confirmations: 1 });
}

export async function makeDataDir(prefix = "en-test-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function connect(url: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(url, chainId, {
    staticNetwork: true,
    batchMaxCount: 1,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
}

export async function startTestChain(
  dataDir?: string,
  options: Pick<LocalChainOptions, "allowedSenders" | "journalFaults" | "log" | "notaryName"> = {},
): Promise<TestChain> {
  const dir = dataDir ?? (await makeDataDir());
  const chain = await startLocalChain({ dataDir: dir, port: 0, ...options });
  const provider = connect(chain.url, chain.deployment.chainId);
  const key: Wallet = await readOrCreateKey(join(dir, "anchorer.key"));
  const operator = new NonceManager(key.connect(provider));
  const anchor = anchorContract(chain.deployment.contract, operator);
  return {
    chain,
    dataDir: dir,
    provider,
    operator,
    operatorKey: key,
    operatorAddress: key.address,
    anchor,
    stop: async () => {
      provider.destroy();
      await chain.close();
      if (dataDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
