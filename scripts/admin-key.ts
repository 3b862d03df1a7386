// `npm run admin-key -- [--name <text>]`
//
// The way back in when no admin key is left (every key revoked after an incident, or the
// admin key lost): creates a new admin API key directly in the service's database and
// prints it once, on standard output alone, so `ADMIN=$(npm run --silent admin-key)` works.
// The service creates an admin key by itself only on its very first start.
//
// The database is the service's own: DATABASE_URL, else the PGlite files in DATA_DIR
// (`.env` included). PGlite can be open in one process only, so stop the service first; on
// PostgreSQL this runs beside it. Exit 0 created; 2 nothing was created (bad option,
// no database, PGlite open elsewhere, database unreachable).
import { parseArgs } from "node:util";
import { ConfigError, loadDotEnv, parseConfig } from "../service/config.ts";
import { DatabaseOpenError, openExistingDatabase } from "../service/db/open-existing.ts";
import { createApiKey } from "../service/keys/api-keys.ts";
import { UsageError } from "./cli/usage-error.ts";
import { runDatabaseTool } from "./database-tool/run-database-tool.ts";

const USAGE = `usage: npm run admin-key -- [--name <text>]
Creates an admin API key in the service's database (DATABASE_URL, else the PGlite database in
DATA_DIR; stop the service first on PGlite) and prints it once on standard output.
Exit 0 created, 2 nothing was created.`;
const DEFAULT_NAME = "admin key from npm run admin-key";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const name = values.name ?? DEFAULT_NAME;
  if (name.length > 200) throw new UsageError("--name takes at most 200 characters");

  loadDotEnv();
  const config = parseConfig(process.env);
  const { db, description } = await openExistingDatabase(config, { tool: "npm run admin-key" });
  try {
    const { key, record } = await createApiKey(db, "admin", name);
    console.error(
      `created admin key ${record.id} ("${name}") in ${description}. It is shown once, below, and ` +
        "stored only as a hash: keep it safe, and revoke it (DELETE /v1/keys/<id>) when done.",
    );
    process.stdout.write(`${key}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

await runDatabaseTool(
  {
    name: "admin-key",
    usage: USAGE,
    nothing: "nothing was created",
    refusals: [ConfigError, DatabaseOpenError],
  },
  main,
);
