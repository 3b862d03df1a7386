// First start of the local chain: fund the operator account from Hardhat's well-known
// genesis account, then deploy EvidenceAnchor with the operator as admin and anchorer.
// Both are ordinary signed transactions sent through the journaled RPC endpoint, so
// they are replayed like every other transaction.
import { HDNodeWallet, JsonRpcProvider, parseEther, type Wallet } from "ethers";
import { deployEvidenceAnchor } from "../chain/deploy-anchor.ts";
import type { Deployment } from "../chain/deployment.ts";

/** Hardhat's default test mnemonic: its first account is funded in the fixed genesis. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const OPERATOR_FUNDING = parseEther("1000");

export async function deployAnchorContract(
  rpcUrl: string,
  chainId: number,
  operatorKey: Wallet,
): Promise<Deployment> {
  const provider = new JsonRpcProvider(rpcUrl, chainId, { staticNetwork: true, batchMaxCount: 1 });
  try {
    const funder = HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC).connect(provider);
    const operator = operatorKey.connect(provider);
    const funding = await funder.sendTransaction({ to: operator.address, value: OPERATOR_FUNDING });
    await funding.wait();

    return await deployEvidenceAnchor(operator, {
      admin: operator.address,
      anchorer: operator.address,
      chainId,
    });
  } finally {
    provider.destroy();
  }
}
