// Where an audit reads from: the service's database and the chain it anchors on, found the
// way the service finds them (service/config.ts, service/chain/deployment.ts). Read-only.
import { createChainReader, type JsonRpcChainReader } from "../chain/chain-reader.ts";
import { readDeployment } from "../chain/deployment.ts";
import type { Config } from "../config.ts";
import type { Hex } from "../core/hex.ts";
import type { Database } from "../db/database.ts";
import { DatabaseOpenError, openExistingDatabase } from "../db/open-existing.ts";

/** The audit cannot reach or use its sources (exit 2: nothing was decided about the evidence). */
export class AuditSourceError extends Error {
  override name = "AuditSourceError";
}

/** Opens the service's database (see db/open-existing.ts); read-only use. */
export async function openAuditDatabase(config: Config): Promise<{ db: Database; description: string }> {
  try {
    return await openExistingDatabase(config, {
      tool: "the audit",
      alongside: " (with `npm run chain` for the local chain)",
    });
  } catch (error) {
    throw error instanceof DatabaseOpenError ? new AuditSourceError(error.message) : error;
  }
}

export interface AuditChainSource {
  reader: JsonRpcChainReader;
  rpcUrl: string;
  chainId: number;
  contract: Hex;
}

/**
 * The chain: `rpcUrl` (--rpc), else CHAIN_RPC_URL, else the local chain on CHAIN_PORT. The
 * contract: `contract` (--contract), else ANCHOR_CONTRACT, else the deployment record in
 * DATA_DIR/chain, whose chain id must then be the endpoint's.
 */
export async function openAuditChain(
  config: Config,
  options: { rpcUrl?: string | undefined; contract?: Hex | undefined },
): Promise<AuditChainSource> {
  const rpcUrl = options.rpcUrl ?? config.chainRpcUrl ?? `http://${config.chainHost}:${config.chainPort}`;
  const deployment = await readDeployment(config.dataDir);
  const contract = options.contract ?? config.anchorContract ?? deployment?.contract;
  if (contract === undefined) {
    throw new AuditSourceError(
      `no contract to audit: pass --contract or set ANCHOR_CONTRACT (there is no deployment record in ${config.dataDir}/chain)`,
    );
  }
  // The network is static (never detected) and only read-only calls are made, so the id
  // given here does not matter; the endpoint's own id is asked for just below.
  const reader = createChainReader(rpcUrl, deployment?.chainId ?? 1);
  try {
    const chainId = await reader.getChainId();
    const fromDeployment = options.contract === undefined && config.anchorContract === undefined;
    if (fromDeployment && deployment !== undefined && deployment.chainId !== chainId) {
      throw new AuditSourceError(
        `the chain at ${new URL(rpcUrl).origin} has id ${chainId}, but the deployment record in ${config.dataDir}/chain is for chain ${deployment.chainId}`,
      );
    }
    return { reader, rpcUrl, chainId, contract: contract.toLowerCase() as Hex };
  } catch (error) {
    reader.destroy();
    throw error;
  }
}
