// A new notary on an existing EVM chain (`npm run deploy`): deploy EvidenceAnchor, wait for
// its confirmations, read its notary profile back from the chain (describe-notary.ts), and
// write DATA_DIR/chain/deployment.json and the profile (NOTARY_PROFILE, by default
// DATA_DIR/notary.json), atomically and durably.
//
// Everything that can be checked before a transaction is sent is checked first, so that a
// refusal costs nothing: a data directory that already belongs to a notary, a deployer that
// cannot pay (skipped when gas is free).
import { ContractFactory, formatEther, type JsonRpcProvider, type Wallet } from "ethers";
import type { NotaryProfile } from "../core/notary-profile.ts";
import { readAnchorArtifact } from "./anchor-artifact.ts";
import { deployEvidenceAnchor } from "./deploy-anchor.ts";
import { type Deployment, deploymentPath, readDeployment, writeDeployment } from "./deployment.ts";
import { describeNotary } from "./describe-notary.ts";
import { chooseFees, maxCost, withHeadroom } from "./fee-policy.ts";
import { readFeeQuote } from "./fee-quote.ts";
import { notaryProfilePath, readNotaryProfileFile, writeNotaryProfileFile } from "./notary-file.ts";

/** Nothing was sent: the deployment was refused before any transaction (exit 2). */
export class DeployRefusedError extends Error {
  override name = "DeployRefusedError";
}

export interface DeployNotaryOptions {
  provider: JsonRpcProvider;
  chainId: number;
  /** Pays for the deployment. */
  deployer: Wallet;
  /** Gets DEFAULT_ADMIN_ROLE: grants and revokes anchoring accounts. */
  admin: string;
  /** Gets ANCHORER_ROLE: the service's anchoring account. */
  anchorer: string;
  confirmations: number;
  name: string;
  dataDir: string;
  /** Where the profile goes (NOTARY_PROFILE); default DATA_DIR/notary.json. */
  profilePath?: string;
  timeoutMs?: number;
  progress?: (line: string) => void;
}

export interface DeployedNotary {
  deployment: Deployment;
  profile: NotaryProfile;
  fingerprint: string;
  files: { deployment: string; profile: string };
}

/** Gas limit of the deployment: the estimate plus 25%. */
const DEPLOY_GAS_PERCENT = 125;

export async function deployNotary(options: DeployNotaryOptions): Promise<DeployedNotary> {
  const { provider, deployer, dataDir } = options;
  const progress = options.progress ?? (() => {});
  const profilePath = options.profilePath ?? notaryProfilePath(dataDir);
  await refuseTakenDataDir(dataDir, profilePath);

  const { abi, bytecode } = await readAnchorArtifact();
  const unsigned = await new ContractFactory(abi, bytecode).getDeployTransaction(
    options.admin,
    options.anchorer,
  );
  const [estimate, quote, balance] = await Promise.all([
    provider.estimateGas({ ...unsigned, from: deployer.address }),
    readFeeQuote(provider),
    provider.getBalance(deployer.address),
  ]);
  const gasLimit = withHeadroom(estimate, DEPLOY_GAS_PERCENT);
  const fees = chooseFees(quote);
  const cost = maxCost(fees, gasLimit);
  progress(
    `deployer ${deployer.address} holds ${formatEther(balance)} ETH; the deployment may cost up to ${formatEther(cost)} ETH` +
      (cost === 0n ? " (gas is free on this chain)" : ""),
  );
  if (balance < cost) {
    throw new DeployRefusedError(
      `the deployer ${deployer.address} holds ${formatEther(balance)} ETH, and deploying may cost up to ` +
        `${formatEther(cost)} ETH at the current gas price: send it funds, then run this again`,
    );
  }

  progress(
    `deploying EvidenceAnchor on chain ${options.chainId} (admin ${options.admin}, anchorer ${options.anchorer})`,
  );
  const deployment = await deployEvidenceAnchor(deployer.connect(provider), {
    admin: options.admin,
    anchorer: options.anchorer,
    chainId: options.chainId,
    confirmations: options.confirmations,
    timeoutMs: options.timeoutMs,
    overrides: { gasLimit, ...fees },
    onSent: (txHash) =>
      progress(`sent transaction ${txHash}; waiting for ${options.confirmations} confirmation(s)`),
  });
  progress(`EvidenceAnchor ${deployment.contract} deployed in block ${deployment.blockNumber}`);

  const profile = await describeNotary(provider, deployment, {
    name: options.name,
    anchorers: [options.anchorer],
  });
  await writeDeployment(dataDir, deployment);
  const files = { deployment: deploymentPath(dataDir), profile: profilePath };
  const fingerprint = await writeNotaryProfileFile(files.profile, profile);
  progress(`wrote ${files.deployment} and ${files.profile}`);
  return { deployment, profile, fingerprint, files };
}

/** A data directory names one notary: a second deployment must not overwrite its identity. */
async function refuseTakenDataDir(dataDir: string, profilePath: string): Promise<void> {
  const existing = await readDeployment(dataDir);
  if (existing !== undefined) {
    throw new DeployRefusedError(
      `${deploymentPath(dataDir)} already names EvidenceAnchor ${existing.contract} on chain ${existing.chainId}: ` +
        "this data directory belongs to that notary. Set DATA_DIR to an empty folder for a new one",
    );
  }
  const profile = await readNotaryProfileFile(profilePath);
  if (profile !== undefined) {
    throw new DeployRefusedError(
      `${profilePath} already holds the profile of "${profile.name}" (contract ${profile.contract} ` +
        `on chain ${profile.chainId}): set DATA_DIR to an empty folder for a new notary`,
    );
  }
}
