// Where an audit reads from: the service's database and the chain it anchors on, found the
// way the service finds them (service/config.ts, service/chain/deployment.ts). Read-only.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createChainReader, type JsonRpcChainReader } from "../chain/chain-reader.ts";
import { readDeployment } from "../chain/deployment.ts";
import { type Config, redactUrl } from "../config.ts";
import type { Hex } from "../core/hex.ts";
import { hasNotarySchema } from "../db/audit-reads.ts";
import { type Database, openDatabase } from "../db/database.ts";

/** The audit cannot reach or use its sources (exit 2: nothing was decided about the evidence). */
export class AuditSourceError extends Error {
  override name = "AuditSourceError";
}

/**
 * Opens the service's database: DATABASE_URL, else the PGlite files in DATA_DIR/pglite.
 * PGlite is one process's database: while the service has it open (its postmaster.pid is
 * there), a second process must not open it, so this refuses rather than corrupt it.
 */
export async function openAuditDatabase(config: Config): Promise<{ db: Database; description: string }> {
  const description = config.databaseUrl
    ? redactUrl(config.databaseUrl)
    : `PGlite in ${join(config.dataDir, "pglite")}`;
  if (!config.databaseUrl) {
    const dir = join(config.dataDir, "pglite");
    if (!existsSync(join(dir, "PG_VERSION"))) {
      throw new AuditSourceError(
        `no database in ${dir}: set DATA_DIR to the service's data folder, or DATABASE_URL to its PostgreSQL database`,
      );
    }
    if (existsSync(join(dir, "postmaster.pid"))) {
      throw new AuditSourceError(
        `the PGlite database in ${dir} is open in another process (is the service running?). ` +
          "PGlite allows one process at a time: stop the service, then run the audit (with `npm run chain` " +
          "for the local chain), or run the service on PostgreSQL (DATABASE_URL) so the audit can run beside it. " +
          "If the service was killed rather than stopped, start and stop it once to release the database.",
      );
    }
  }
  let db: Database;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    throw new AuditSourceError(`cannot open the database (${description}): ${(error as Error).message}`);
  }
  let ok: boolean;
  try {
    ok = await hasNotarySchema(db);
  } catch (error) {
    await db.close().catch(() => {});
    throw new AuditSourceError(`cannot reach the database (${description}): ${(error as Error).message}`);
  }
  if (!ok) {
    await db.close();
    throw new AuditSourceError(`the database (${description}) holds no Evidence Notary tables`);
  }
  return { db, description };
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
