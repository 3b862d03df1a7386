// `npm run vacuum-erased -- [--full]`
//
// Finishes erasures in the database's own files (docs/reliability.md, "Erasure"): an erasure
// removes a record's digest and salt with an UPDATE, which leaves the old row version in the
// partition's data file as a dead tuple until VACUUM. This runs VACUUM on every log partition
// holding an erased record, then a CHECKPOINT, and says what it did. With --full, VACUUM FULL
// rewrites each such partition into a new file (the old one is deleted): no byte of the old
// versions is left in it, but ingest into that partition waits while it runs, so prefer it
// for old partitions or a maintenance window. Autovacuum does the plain kind by itself on
// PostgreSQL, in its own time.
//
// The database is the service's: DATABASE_URL, else the PGlite files in DATA_DIR (stop the
// service first on PGlite). WAL, replicas' WAL archives and backups are beyond it: see the
// operator's steps in docs/reliability.md. Exit 0 done; 2 nothing was done (bad option, no
// database, PGlite open elsewhere, database unreachable).
import { parseArgs } from "node:util";
import { ConfigError, loadDotEnv, parseConfig } from "../service/config.ts";
import { DatabaseOpenError, openExistingDatabase } from "../service/db/open-existing.ts";
import { erasedPartitions, vacuumPartition } from "../service/db/vacuum.ts";
import { UsageError } from "./cli/usage-error.ts";
import { runDatabaseTool } from "./database-tool/run-database-tool.ts";

const USAGE = `usage: npm run vacuum-erased -- [--full]
VACUUMs (with --full: VACUUM FULL, rewriting) every log partition holding an erased record, in
the service's database (DATABASE_URL, else the PGlite database in DATA_DIR; stop the service
first on PGlite). Exit 0 done, 2 nothing was done.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      full: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  loadDotEnv();
  const config = parseConfig(process.env);
  const { db, description } = await openExistingDatabase(config, { tool: "npm run vacuum-erased" });
  try {
    const partitions = await erasedPartitions(db);
    if (partitions.length === 0) {
      console.log(`no erased record in ${description}: nothing to vacuum`);
      return 0;
    }
    for (const name of partitions) {
      const started = performance.now();
      await vacuumPartition(db, name, values.full);
      console.log(
        `${values.full ? "VACUUM FULL" : "VACUUM"} ${name} (${Math.round(performance.now() - started)} ms)`,
      );
    }
    await db.exec("CHECKPOINT");
    console.log(
      `done: ${partitions.length} partition${partitions.length === 1 ? "" : "s"} of ${description}. ` +
        "Earlier copies may remain in WAL, archives, replicas' files until they vacuum, and backups: see docs/reliability.md, Erasure.",
    );
    return 0;
  } finally {
    await db.close();
  }
}

await runDatabaseTool(
  {
    name: "vacuum-erased",
    usage: USAGE,
    nothing: "nothing was done",
    refusals: [ConfigError, DatabaseOpenError],
  },
  main,
);
