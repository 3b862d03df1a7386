// Deploys EvidenceAnchor with a signing account, to the local chain (first start) or to any
// EVM JSON-RPC chain (`npm run deploy`), and waits for the deployment to be confirmed.
import { ContractFactory, JsonRpcProvider, type Signer, type TransactionRequest } from "ethers";
import type { Hex } from "../core/hex.ts";
import { readAnchorArtifact } from "./anchor-artifact.ts";
import type { Deployment } from "./deployment.ts";
import { waitForReceipt } from "./receipts.ts";

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
  /** Gas limit and fees of the deployment transaction (default: ethers' own). */
  overrides?: Pick<
    TransactionRequest,
    "gasLimit" | "type" | "gasPrice" | "maxFeePerGas" | "maxPriorityFeePerGas"
  >;
  /** Told the transaction hash once it is sent, before the wait. */
  onSent?: (txHash: string) => void;
  /** The clock that dates the deployment record, in milliseconds (default Date.now). */
  now?: () => number;
}

/** The deployment transaction was sent but did not succeed (reverted, or not confirmed in time). */
export class DeploymentFailedError extends Error {
  override name = "DeploymentFailedError";
}

function provider(signer: Signer): JsonRpcProvider {
  if (!(signer.provider instanceof JsonRpcProvider))
    throw new Error("the deployer must be connected to a JSON-RPC provider");
  return signer.provider;
}

export async function deployEvidenceAnchor(deployer: Signer, options: DeployOptions): Promise<Deployment> {
  const { abi, bytecode } = await readAnchorArtifact();
  const factory = new ContractFactory(abi, bytecode, deployer);
  const contract = await factory.deploy(options.admin, options.anchorer, options.overrides ?? {});
  const sent = contract.deploymentTransaction();
  if (sent === null) throw new Error("EvidenceAnchor deployment sent no transaction");
  options.onSent?.(sent.hash);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const receipt = await waitForReceipt(provider(deployer), sent.hash, options.confirmations ?? 1, timeoutMs);
  if (receipt === null) {
    throw new DeploymentFailedError(
      `EvidenceAnchor deployment ${sent.hash} was not confirmed within ${timeoutMs / 1000} s`,
    );
  }
  if (receipt.status !== 1 || !receipt.contractAddress) {
    throw new DeploymentFailedError(`EvidenceAnchor deployment ${sent.hash} reverted`);
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
