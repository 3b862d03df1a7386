// `npm run roles -- list | grant <address> | revoke <address> [--rpc <url>] [--contract <address>]
//                   [--key-file <file>] [--confirmations <n>] [--force]`
//
// Lists and changes who may anchor: the holders of ANCHORER_ROLE (and DEFAULT_ADMIN_ROLE) on
// the notary's EvidenceAnchor; grant and revoke are signed by an admin's key. Rotating the
// anchoring key, with ingest going on: grant the new account, restart the service (or its
// processes one by one) with the new key, then revoke the old account.
//
// The chain and contract default to the service's own (CHAIN_RPC_URL or the local chain on
// CHAIN_PORT; ANCHOR_CONTRACT or DATA_DIR/chain/deployment.json), the key to the service's
// anchoring key (ANCHOR_PRIVATE_KEY or ANCHOR_KEY_FILE), which is the admin on the local chain.
// Exit 0 done (or nothing to change), 1 the transaction failed, 2 nothing was sent.
import { parseArgs } from "node:util";
import { Wallet } from "ethers";
import {
  listRoleHolders,
  RoleChangeFailedError,
  RoleChangeRefusedError,
  setAnchorerRole,
} from "../service/chain/anchor-roles.ts";
import { readDeployment } from "../service/chain/deployment.ts";
import { readKey } from "../service/chain/key-file.ts";
import { openChain } from "../service/chain/open-chain.ts";
import { loadDotEnv, parseConfig } from "../service/config.ts";
import type { Hex } from "../service/core/hex.ts";
import { addressOption, integerOption, rpcOption, runCli } from "./chain-cli/cli-options.ts";
import { UsageError } from "./cli/usage-error.ts";

const USAGE = `usage: npm run roles -- list | grant <address> | revoke <address>
                      [--rpc <url>] [--contract <address>] [--key-file <file>] [--confirmations <n>] [--force]
Lists the accounts holding ANCHORER_ROLE and DEFAULT_ADMIN_ROLE, or grants or revokes
ANCHORER_ROLE with an admin's key. Defaults: the service's chain, contract and anchoring key.
revoke refuses to remove the last anchorer unless --force.
Exit 0 done, 1 the transaction failed, 2 nothing was sent.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rpc: { type: "string" },
      contract: { type: "string" },
      "key-file": { type: "string" },
      confirmations: { type: "string" },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, target, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (command !== "list" && command !== "grant" && command !== "revoke") {
    throw new UsageError(command === undefined ? "say list, grant or revoke" : `unknown command ${command}`);
  }
  if (command === "list" && target !== undefined) throw new UsageError(`unexpected argument ${target}`);
  const account = command === "list" ? undefined : addressOption(command, target);
  if (command !== "list" && account === undefined)
    throw new UsageError(`${command} needs the account's address`);

  loadDotEnv();
  const config = parseConfig(process.env);
  const rpcUrl =
    rpcOption(values.rpc) ?? config.chainRpcUrl ?? `http://${config.chainHost}:${config.chainPort}`;
  const deployment = await readDeployment(config.dataDir);
  const contract =
    addressOption("--contract", values.contract) ?? config.anchorContract ?? deployment?.contract;
  if (contract === undefined) {
    throw new UsageError(
      `which contract? Pass --contract, set ANCHOR_CONTRACT, or run in the notary's DATA_DIR (no ${config.dataDir}/chain/deployment.json)`,
    );
  }
  const confirmations =
    integerOption("--confirmations", values.confirmations, 1, 100) ?? config.confirmations;

  const chain = await openChain(rpcUrl);
  try {
    const fromBlock = deployment?.contract === contract ? deployment.blockNumber : 0;
    if (command === "list") {
      const holders = await listRoleHolders(chain.provider, contract as Hex, fromBlock);
      console.log(`EvidenceAnchor ${contract} on chain ${chain.chainId} (${chain.endpoint})`);
      console.log(`ANCHORER_ROLE:      ${holders.anchorers.join(", ") || "nobody: nothing can be anchored"}`);
      console.log(`DEFAULT_ADMIN_ROLE: ${holders.admins.join(", ") || "nobody: roles can no longer change"}`);
      return 0;
    }
    const admin =
      values["key-file"] !== undefined
        ? await readKey(values["key-file"])
        : config.anchorPrivateKey !== undefined
          ? new Wallet(config.anchorPrivateKey)
          : await readKey(config.anchorKeyFile);
    const grant = command === "grant";
    if (!grant && !values.force) {
      const { anchorers } = await listRoleHolders(chain.provider, contract as Hex, fromBlock);
      if (anchorers.length === 1 && anchorers[0] === account) {
        throw new RoleChangeRefusedError(
          `${account} is the only account holding ANCHORER_ROLE: revoking it stops anchoring. ` +
            "Grant the new account first, or pass --force",
        );
      }
    }
    const change = await setAnchorerRole(chain.provider, contract as Hex, admin, account as Hex, grant, {
      confirmations,
      onSent: (txHash) => console.error(`sent ${txHash}; waiting for ${confirmations} confirmation(s)`),
    });
    if (!change.changed) {
      console.log(
        `${account} ${grant ? "already holds" : "does not hold"} ANCHORER_ROLE on ${contract}: nothing to do`,
      );
      return 0;
    }
    console.log(
      `${grant ? "granted" : "revoked"} ANCHORER_ROLE ${grant ? "to" : "from"} ${account} on ${contract} ` +
        `(transaction ${change.txHash}, block ${change.blockNumber})`,
    );
    if (grant) {
      console.log(
        "On a chain that allowlists senders (Besu account permissioning, the local chain's " +
          "CHAIN_ALLOWED_SENDERS), allow this account to send too, and fund it unless gas is free.",
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof RoleChangeFailedError) {
      console.error(`roles: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    chain.close();
  }
}

await runCli("roles", () => main(process.argv.slice(2)), USAGE, [RoleChangeRefusedError]);
