// The local chain's genesis: which accounts hold funds in block 0.
//
// A new chain gets its own genesis account: a random key created at first start in
// DATA_DIR/chain/genesis.key (mode 0600, written durably), funded in genesis with
// GENESIS_BALANCE, and used for one thing only: funding allowlisted accounts (bootstrap.ts).
// It is not the operator, so rotating the anchoring key never touches the genesis. No
// account whose key is public holds anything. The journal header (v2) records the
// genesis account's address and balance, never its key; replay needs the key file too,
// because EDR takes genesis accounts by private key, and checks it against the header.
//
// A journal of format v1 (written before the chain was permissioned) was made on Hardhat's
// default genesis, its public development accounts funded: it is replayed on that genesis,
// and that genesis is never used for a new chain.
import { join } from "node:path";
import type { Wallet } from "ethers";
import { readKey, readOrCreateKey } from "../chain/key-file.ts";
import type { Hex } from "../core/hex.ts";
import { JOURNAL_FORMAT, type JournalHeader } from "./journal.ts";
import { type FundedAccount, LOCAL_CHAIN_GENESIS } from "./simulated-node.ts";

/** A billion ether: enough to fund a million allowlisted accounts (bootstrap.ts). */
export const GENESIS_BALANCE = 10n ** 27n;

export function genesisKeyPath(dataDir: string): string {
  return join(dataDir, "chain", "genesis.key");
}

export interface ChainGenesis {
  /** The journal header this genesis is recorded by. */
  header: JournalHeader;
  /** What the simulated node is created with. */
  accounts: FundedAccount[] | "hardhat-default";
  /** The genesis account, which funds allowlisted accounts; undefined on a v1 chain. */
  funder: Wallet | undefined;
}

/**
 * The genesis of the chain whose journal at `journal` starts with `header`, or, when there
 * is no header yet, of a new chain (creating its genesis key).
 */
export async function chainGenesis(
  dataDir: string,
  header: JournalHeader | undefined,
  journal: string,
): Promise<ChainGenesis> {
  const keyPath = genesisKeyPath(dataDir);
  if (header === undefined) {
    const funder = await readOrCreateKey(keyPath);
    return {
      header: {
        format: JOURNAL_FORMAT,
        ...LOCAL_CHAIN_GENESIS,
        genesisAccounts: [
          { address: funder.address.toLowerCase() as Hex, balance: GENESIS_BALANCE.toString() },
        ],
      },
      accounts: [{ privateKey: funder.privateKey, balance: GENESIS_BALANCE }],
      funder,
    };
  }
  const parameters = { chainId: header.chainId, hardfork: header.hardfork, initialDate: header.initialDate };
  if (JSON.stringify(parameters) !== JSON.stringify(LOCAL_CHAIN_GENESIS)) {
    throw new Error(
      `chain journal ${journal} was written for a different chain (${JSON.stringify(parameters)}); ` +
        `this build runs ${JSON.stringify(LOCAL_CHAIN_GENESIS)}`,
    );
  }
  if (header.format !== JOURNAL_FORMAT) return { header, accounts: "hardhat-default", funder: undefined };

  const [account, ...others] = header.genesisAccounts;
  if (account === undefined || others.length > 0) {
    throw new Error(`chain journal ${journal} must name exactly one genesis account, the chain's own`);
  }
  let funder: Wallet;
  try {
    funder = await readKey(keyPath);
  } catch (error) {
    throw new Error(
      `chain journal ${journal} needs its genesis key to replay its genesis: ${(error as Error).message}. ` +
        "genesis.key belongs with the journal: restore both from the same backup",
    );
  }
  if (funder.address.toLowerCase() !== account.address.toLowerCase()) {
    throw new Error(
      `${keyPath} holds the key of ${funder.address.toLowerCase()}, but chain journal ${journal} ` +
        `was started with genesis account ${account.address}: they come from different chains`,
    );
  }
  return { header, accounts: [{ privateKey: funder.privateKey, balance: BigInt(account.balance) }], funder };
}
