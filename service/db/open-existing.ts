// Opening the service's existing database from a command-line tool (the audit, admin-key):
// DATABASE_URL, else the PGlite files in DATA_DIR/pglite. PGlite is one process's database:
// while the service has it open (its postmaster.pid is there), a second process must not
// open it, so this refuses rather than corrupt it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { redactUrl } from "../config.ts";
import { hasNotarySchema } from "./audit-reads.ts";
import { type Database, openDatabase } from "./database.ts";

/** The database cannot be opened or is not the service's (the tool decided nothing). */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

export interface ToolNames {
  /** How the refusal names the tool: "the audit", "npm run admin-key". */
  tool: string;
  /** What else to run while the service is stopped, if anything: " (with `npm run chain` …)". */
  alongside?: string;
}

export async function openExistingDatabase(
  config: { databaseUrl: string | undefined; dataDir: string },
  names: ToolNames,
): Promise<{ db: Database; description: string }> {
  const description = config.databaseUrl
    ? redactUrl(config.databaseUrl)
    : `PGlite in ${join(config.dataDir, "pglite")}`;
  if (!config.databaseUrl) {
    const dir = join(config.dataDir, "pglite");
    if (!existsSync(join(dir, "PG_VERSION"))) {
      throw new DatabaseOpenError(
        `no database in ${dir}: set DATA_DIR to the service's data folder, or DATABASE_URL to its PostgreSQL database`,
      );
    }
    if (existsSync(join(dir, "postmaster.pid"))) {
      throw new DatabaseOpenError(
        `the PGlite database in ${dir} is open in another process (is the service running?). ` +
          `PGlite allows one process at a time: stop the service, then run ${names.tool}${names.alongside ?? ""}, ` +
          `or run the service on PostgreSQL (DATABASE_URL) so ${names.tool} can run beside it. ` +
          "If the service was killed rather than stopped, start and stop it once to release the database.",
      );
    }
  }
  let db: Database;
  try {
    db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (error) {
    throw new DatabaseOpenError(`cannot open the database (${description}): ${(error as Error).message}`);
  }
  let ok: boolean;
  try {
    ok = await hasNotarySchema(db);
  } catch (error) {
    await db.close().catch(() => {});
    throw new DatabaseOpenError(`cannot reach the database (${description}): ${(error as Error).message}`);
  }
  if (!ok) {
    await db.close();
    throw new DatabaseOpenError(`the database (${description}) holds no Evidence Notary tables`);
  }
  return { db, description };
}
