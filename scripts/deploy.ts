// `npm run deploy -- --rpc <url> --key-file <file> [--anchorer <address>] [--admin <address>]
//                    [--confirmations <n>] [--name <text>]`
//
// Deploys EvidenceAnchor to any EVM JSON-RPC chain (a Besu QBFT network, a Hardhat node, …),
// waits for its confirmations, writes DATA_DIR/chain/deployment.json and DATA_DIR/notary.json
// (service/chain/deploy-notary.ts), and prints the settings the service needs and the
// notary's fingerprint. Exit 0 deployed; 1 the deployment transaction failed; 2 nothing was
// sent (bad option, unreachable RPC, bad key file, no funds, a data directory already taken).
import { parseArgs } from "node:util";
import { DeploymentFailedError } from "../service/chain/deploy-anchor.ts";
import { DeployRefusedError, deployNotary } from "../service/chain/deploy-notary.ts";
import { readKey } from "../service/chain/key-file.ts";
import { notaryProfilePath } from "../service/chain/notary-file.ts";
import { openChain } from "../service/chain/open-chain.ts";
import { loadDotEnv, parseConfig } from "../service/config.ts";
import { formatFingerprint } from "../service/core/notary-profile.ts";
import { publicDevAccountIndex } from "../service/local-chain/public-dev-accounts.ts";
import { addressOption, integerOption, rpcOption, runCli } from "./chain-cli/cli-options.ts";
import { UsageError } from "./cli/usage-error.ts";

const USAGE = `usage: npm run deploy -- --rpc <url> --key-file <file> [--anchorer <address>] [--admin <address>]
                       [--confirmations <n>] [--name <text>]
Deploys EvidenceAnchor with the key in --key-file (it pays, and is the admin unless --admin) and
writes DATA_DIR/chain/deployment.json and DATA_DIR/notary.json. --anchorer is the service's
anchoring account (default: the deployer). --confirmations defaults to CONFIRMATIONS (1).
Exit 0 deployed, 1 the deployment failed, 2 nothing was sent.`;
const DEFAULT_NAME = "Evidence Notary";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rpc: { type: "string" },
      "key-file": { type: "string" },
      anchorer: { type: "string" },
      admin: { type: "string" },
      confirmations: { type: "string" },
      name: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const rpcUrl = rpcOption(values.rpc);
  if (rpcUrl === undefined) throw new UsageError("--rpc <url> is required: the chain to deploy on");
  if (values["key-file"] === undefined)
    throw new UsageError("--key-file <file> is required: the deployer's key");
  const name = values.name ?? DEFAULT_NAME;
  if (name.length === 0 || name.length > 200) throw new UsageError("--name takes 1 to 200 characters");
  loadDotEnv();
  const config = parseConfig(process.env);
  const confirmations =
    integerOption("--confirmations", values.confirmations, 1, 100) ?? config.confirmations;

  const deployer = await readKey(values["key-file"]);
  const admin = addressOption("--admin", values.admin) ?? deployer.address.toLowerCase();
  const anchorer = addressOption("--anchorer", values.anchorer) ?? deployer.address.toLowerCase();
  for (const [role, account] of [
    ["deployer", deployer.address],
    ["anchorer", anchorer],
  ] as const) {
    const index = publicDevAccountIndex(account);
    if (index >= 0) {
      console.error(
        `warning: the ${role} ${account} is Hardhat's development account #${index}: its key is public`,
      );
    }
  }

  console.error(`reading the chain at ${new URL(rpcUrl).origin}…`);
  const chain = await openChain(rpcUrl);
  try {
    console.error(`chain id ${chain.chainId}`);
    const deployed = await deployNotary({
      provider: chain.provider,
      chainId: chain.chainId,
      deployer,
      admin,
      anchorer,
      confirmations,
      name,
      dataDir: config.dataDir,
      profilePath: config.notaryProfileFile,
      progress: (line) => console.error(line),
    });
    const anchorerKey =
      anchorer === deployer.address.toLowerCase() ? values["key-file"] : `<the key file of ${anchorer}>`;
    console.log(`notary "${name}": fingerprint ${formatFingerprint(deployed.fingerprint)}`);
    console.log(
      "Publish the fingerprint where the recipients of your evidence can find it (website, filings).",
    );
    console.log("\nSettings for the service (environment or .env):\n");
    console.log(`CHAIN_RPC_URL=${rpcUrl}`);
    console.log(`ANCHOR_CONTRACT=${deployed.deployment.contract}`);
    console.log(`ANCHOR_KEY_FILE=${anchorerKey}`);
    console.log(`CONFIRMATIONS=${confirmations}`);
    console.log(`DATA_DIR=${config.dataDir}`);
    if (deployed.files.profile !== notaryProfilePath(config.dataDir)) {
      console.log(`NOTARY_PROFILE=${deployed.files.profile}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof DeploymentFailedError) {
      console.error(`deploy: the deployment transaction failed: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  } finally {
    chain.close();
  }
}

await runCli("deploy", () => main(process.argv.slice(2)), USAGE, [DeployRefusedError]);
