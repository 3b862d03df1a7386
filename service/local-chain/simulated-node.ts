// A Hardhat (EDR) simulated chain with a fixed genesis, so that replaying the journal
// reproduces the same blocks. Changing any of these values, or the funded accounts,
// changes every block hash: they are recorded in the journal header and checked on start.
import { createHardhatRuntimeEnvironment } from "hardhat/hre";

export const LOCAL_CHAIN_GENESIS = {
  chainId: 31337,
  hardfork: "cancun",
  initialDate: "2026-01-01T00:00:00.000Z",
} as const;

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface SimulatedNode {
  provider: Eip1193Provider;
  close(): Promise<void>;
}

/** An account funded in genesis. EDR takes it by private key; the journal records only its address. */
export interface FundedAccount {
  privateKey: string;
  balance: bigint;
}

/**
 * `accounts` are the accounts funded in genesis. "hardhat-default" is Hardhat's own
 * development accounts, whose keys are public: only for replaying journals of format v1.
 */
export async function createSimulatedNode(
  accounts: FundedAccount[] | "hardhat-default",
): Promise<SimulatedNode> {
  const hre = await createHardhatRuntimeEnvironment({
    networks: {
      local: {
        type: "edr-simulated",
        chainId: LOCAL_CHAIN_GENESIS.chainId,
        hardfork: LOCAL_CHAIN_GENESIS.hardfork,
        initialDate: LOCAL_CHAIN_GENESIS.initialDate,
        ...(accounts === "hardhat-default" ? {} : { accounts }),
        mining: { auto: true, interval: 0 },
        allowBlocksWithSameTimestamp: true,
        allowUnlimitedContractSize: false,
        loggingEnabled: false,
      },
    },
  });
  const connection = await hre.network.connect({ network: "local" });
  return { provider: connection.provider, close: () => connection.close() };
}
