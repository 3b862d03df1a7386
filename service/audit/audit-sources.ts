// Where an audit reads from: the service's database, the notary profile it pins (the trust
// root: which contract on which chain) and an endpoint of that chain, found the way the
// service finds them (service/config.ts). Read-only.
import { createChainReader, type JsonRpcChainReader } from "../chain/chain-reader.ts";
import { type PinnedNotary, readPinnedNotary } from "../chain/notary-file.ts";
import type { Config } from "../config.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
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
}

/**
 * The notary profile the audit pins: `given` (--notary), else NOTARY_PROFILE, else
 * DATA_DIR/notary.json (the service's own setting). With none, nothing can be decided.
 */
export async function loadAuditNotary(config: Config, given: string | undefined): Promise<PinnedNotary> {
  let pinned: PinnedNotary | undefined;
  try {
    pinned = await readPinnedNotary(given, config.notaryProfileFile);
  } catch (error) {
    throw new AuditSourceError((error as Error).message);
  }
  if (pinned === undefined) {
    throw new AuditSourceError(
      `no trusted notary profile given: pass --notary <notary.json>, the profile of the notary whose ledger this is (its service serves it at GET /v1/notary), or set NOTARY_PROFILE; there is none at ${config.notaryProfileFile}`,
    );
  }
  return pinned;
}

/**
 * The chain: `rpcUrl` (--rpc), else CHAIN_RPC_URL, else the local chain on CHAIN_PORT. The
 * contract is the notary profile's, never configuration's; runAudit checks first that the
 * endpoint serves the profile's chain and contract.
 */
export function openAuditChain(
  config: Config,
  options: { rpcUrl?: string | undefined; notary: NotaryProfile },
): AuditChainSource {
  const rpcUrl = options.rpcUrl ?? config.chainRpcUrl ?? `http://${config.chainHost}:${config.chainPort}`;
  return { reader: createChainReader(rpcUrl, options.notary.chainId), rpcUrl };
}
