// Builds a notary profile from what a chain says about a deployed EvidenceAnchor: the
// chain id, the genesis block hash, the deployment block and the runtime-code hash are all
// read from the chain (never copied from configuration), and checked against the
// deployment record, so a profile can only describe a contract that is really there.
import { type JsonRpcProvider, keccak256 } from "ethers";
import type { Hex } from "../core/hex.ts";
import { NOTARY_PROFILE_FORMAT, type NotaryProfile } from "../core/notary-profile.ts";
import { anchorContract } from "./anchor-contract.ts";
import type { Deployment } from "./deployment.ts";

export async function describeNotary(
  provider: JsonRpcProvider,
  deployment: Pick<Deployment, "contract" | "txHash" | "blockNumber" | "blockHash">,
  options: { name: string; anchorers: readonly string[] },
): Promise<NotaryProfile> {
  const contract = deployment.contract.toLowerCase() as Hex;
  const [chainIdHex, genesis, deployedIn, receipt, code] = await Promise.all([
    provider.send("eth_chainId", []) as Promise<string>,
    provider.getBlock(0),
    provider.getBlock(deployment.blockNumber),
    provider.getTransactionReceipt(deployment.txHash),
    provider.getCode(contract),
  ]);
  if (genesis?.hash == null) throw new Error("the chain did not return its genesis block");
  if (deployedIn?.hash?.toLowerCase() !== deployment.blockHash.toLowerCase()) {
    throw new Error(
      `block ${deployment.blockNumber} on this chain is ${deployedIn?.hash ?? "missing"}, ` +
        `not the deployment block ${deployment.blockHash}`,
    );
  }
  if (receipt?.contractAddress?.toLowerCase() !== contract || receipt.blockHash !== deployedIn.hash) {
    throw new Error(`transaction ${deployment.txHash} did not create ${contract} in that block`);
  }
  if (code === "0x") throw new Error(`there is no contract code at ${contract}`);

  const role = await anchorContract(contract, provider).ANCHORER_ROLE();
  const anchorers: Hex[] = [];
  for (const account of new Set(options.anchorers.map((a) => a.toLowerCase()))) {
    if (!(await anchorContract(contract, provider).hasRole(role, account))) {
      throw new Error(`${account} does not hold ANCHORER_ROLE on ${contract}`);
    }
    anchorers.push(account as Hex);
  }
  return {
    format: NOTARY_PROFILE_FORMAT,
    name: options.name,
    chainId: Number(BigInt(chainIdHex)),
    genesisHash: genesis.hash.toLowerCase() as Hex,
    contract,
    codeHash: keccak256(code).toLowerCase() as Hex,
    deployment: {
      txHash: deployment.txHash.toLowerCase() as Hex,
      blockNumber: deployment.blockNumber,
      blockHash: deployment.blockHash.toLowerCase() as Hex,
    },
    anchorers: anchorers.sort(),
  };
}
