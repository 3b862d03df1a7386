// The notary profile the service pins for its own verifications (POST /v1/verify, the
// certificate, the verification page) and serves at GET /v1/notary: NOTARY_PROFILE, by
// default DATA_DIR/notary.json.
// The local chain writes it at first deployment, `npm run deploy` for an external chain.
// It must name the contract and chain the service anchors on; anything else is a
// configuration error, since every bundle the service issues would then fail to verify.
import { JsonRpcProvider } from "ethers";
import { ConfigError } from "../config.ts";
import type { Hex } from "../core/hex.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import type { Deployment } from "./deployment.ts";
import { describeNotary } from "./describe-notary.ts";
import { readNotaryProfileFile, writeNotaryProfileFile } from "./notary-file.ts";

export const DEFAULT_NOTARY_NAME = "Evidence Notary";

/**
 * Reads DATA_DIR/notary.json. When it is missing but DATA_DIR/chain/deployment.json records
 * the deployment (a data directory made before notary profiles existed), the profile is
 * described from the chain and written, as at deployment.
 */
export async function loadServiceNotary(options: {
  /** NOTARY_PROFILE, by default DATA_DIR/notary.json. */
  path: string;
  rpcUrl: string;
  chainId: number;
  contract: Hex;
  deployment: Deployment | undefined;
  log: (line: string) => void;
}): Promise<NotaryProfile> {
  const { path } = options;
  let profile = await readNotaryProfileFile(path);
  if (profile === undefined) {
    const { deployment } = options;
    if (deployment === undefined || deployment.contract.toLowerCase() !== options.contract) {
      throw new ConfigError([
        `no notary profile in ${path}: deploy with \`npm run deploy\` (which writes it), or set NOTARY_PROFILE to the notary.json written at deployment`,
      ]);
    }
    const provider = new JsonRpcProvider(options.rpcUrl, options.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    try {
      profile = await describeNotary(provider, deployment, {
        name: DEFAULT_NOTARY_NAME,
        anchorers: [deployment.deployer],
      });
    } finally {
      provider.destroy();
    }
    const fingerprint = await writeNotaryProfileFile(path, profile);
    options.log(`notary profile written to ${path} (fingerprint ${fingerprint})`);
  }
  if (profile.contract !== options.contract || profile.chainId !== options.chainId) {
    throw new ConfigError([
      `the notary profile ${path} names contract ${profile.contract} on chain ${profile.chainId}, ` +
        `but the service anchors to ${options.contract} on chain ${options.chainId} (ANCHOR_CONTRACT, CHAIN_RPC_URL)`,
    ]);
  }
  return profile;
}
