// Deploys EvidenceAnchor with a signing account, to the local chain (first start) or to any
// EVM JSON-RPC chain (`npm run deploy`), and waits for the deployment to be confirmed.
import { ContractFactory, type Signer } from "ethers";
import type { Hex } from "../core/hex.ts";
import { readAnchorArtifact } from "./anchor-artifact.ts";
import type { Deployment } from "./deployment.ts";

export interface DeployOptions {
  /** Receives DEFAULT_ADMIN_ROLE (grants and revokes anchorers). */
  admin: string;
  /** Receives ANCHORER_ROLE. */
  anchorer: string;
  chainId: number;
  /** Blocks on top of the deployment block, the deployment's own included (default 1). */
  confirmations?: number;
  /** How long to wait for them (default 5 minutes). */
  timeoutMs?: number;
  /** The clock that dates the deployment record, in milliseconds (default Date.now). */
  now?: () => number;
}

export async function deployEvidenceAnchor(deployer: Signer, options: DeployOptions): Promise<Deployment> {
  const { abi, bytecode } = await readAnchorArtifact();
  const factory = new ContractFactory(abi, bytecode, deployer);
  const contract = await factory.deploy(options.admin, options.anchorer);
  const sent = contract.deploymentTransaction();
  if (sent === null) throw new Error("EvidenceAnchor deployment sent no transaction");
  const receipt = await sent.wait(options.confirmations ?? 1, options.timeoutMs ?? 300_000);
  if (receipt?.status !== 1 || !receipt.contractAddress) {
    throw new Error(`EvidenceAnchor deployment ${sent.hash} failed`);
  }
  return {
    chainId: options.chainId,
    contract: receipt.contractAddress.toLowerCase() as Hex,
    deployer: (await deployer.getAddress()).toLowerCase() as Hex,
    txHash: receipt.hash.toLowerCase() as Hex,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash.toLowerCase() as Hex,
    deployedAt: new Date(options.now?.() ?? Date.now()).toISOString(),
  };
}
