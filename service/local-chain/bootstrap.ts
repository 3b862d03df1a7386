// What the local chain does for itself at start, after the journal is replayed:
//  - fund every allowlisted account that holds less than MIN_BALANCE with FUNDING, from the
//    chain's genesis account (chain-genesis.ts): the operator on the first start, a new
//    anchoring account after a key rotation, an account an admin allowlisted;
//  - on the very first start, deploy EvidenceAnchor with the operator as admin and anchorer.
// Both are ordinary signed transactions sent through the journaled, permissioned RPC
// endpoint, so they are replayed like every other transaction.
import { formatEther, JsonRpcProvider, parseEther, type Wallet } from "ethers";
import { deployEvidenceAnchor } from "../chain/deploy-anchor.ts";
import type { Deployment } from "../chain/deployment.ts";

export const MIN_BALANCE = parseEther("1");
export const FUNDING = parseEther("1000");

async function withProvider<T>(rpcUrl: string, chainId: number, work: (p: JsonRpcProvider) => Promise<T>) {
  const provider = new JsonRpcProvider(rpcUrl, chainId, {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1,
    pollingInterval: 50,
  });
  try {
    return await work(provider);
  } finally {
    provider.destroy();
  }
}

/**
 * Sends FUNDING from `funder` to each of `accounts` holding less than MIN_BALANCE. Without
 * a funder (a chain of journal format v1 has no genesis account) it only says which ones
 * hold too little.
 */
export async function fundAllowedAccounts(
  rpcUrl: string,
  chainId: number,
  funder: Wallet | undefined,
  accounts: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  await withProvider(rpcUrl, chainId, async (provider) => {
    const signer = funder?.connect(provider);
    for (const account of accounts) {
      if (account.toLowerCase() === funder?.address.toLowerCase()) continue;
      const balance = await provider.getBalance(account);
      if (balance >= MIN_BALANCE) continue;
      if (signer === undefined) {
        log(
          `allowlisted account ${account} holds ${formatEther(balance)} ETH on this chain, and the chain ` +
            "(journal format v1) has no genesis account to fund it: send it some from the operator account",
        );
        continue;
      }
      await (await signer.sendTransaction({ to: account, value: FUNDING })).wait();
      log(`funded allowlisted account ${account} with ${formatEther(FUNDING)} ETH from the genesis account`);
    }
  });
}

export async function deployAnchorContract(
  rpcUrl: string,
  chainId: number,
  operatorKey: Wallet,
  now?: () => number,
): Promise<Deployment> {
  return withProvider(rpcUrl, chainId, (provider) =>
    deployEvidenceAnchor(operatorKey.connect(provider), {
      admin: operatorKey.address,
      anchorer: operatorKey.address,
      chainId,
      ...(now === undefined ? {} : { now }),
    }),
  );
}
