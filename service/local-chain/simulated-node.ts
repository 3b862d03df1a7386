// A Hardhat (EDR) simulated chain with a fixed genesis, so that replaying the journal
// reproduces the same blocks. Changing any of these values changes every block hash:
// they are recorded in the journal header and checked on start.
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

export async function createSimulatedNode(): Promise<SimulatedNode> {
  const hre = await createHardhatRuntimeEnvironment({
    networks: {
      local: {
        type: "edr-simulated",
        chainId: LOCAL_CHAIN_GENESIS.chainId,
        hardfork: LOCAL_CHAIN_GENESIS.hardfork,
        initialDate: LOCAL_CHAIN_GENESIS.initialDate,
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
