// `npm run vacuum-erased`: after an erasure, the old row version, digest and salt included,
// stays in its partition's data file until VACUUM; `--full` rewrites the partition so no byte
// of it is left there. Proved on the files themselves: the erased salt is found in the data
// directory before and not after, while a record that was not erased still is (so the search
// works). On PGlite (DATA_DIR) and on the PostgreSQL server, where its data directory can be
// read (the same machine, as root or postgres); otherwise that half is skipped visibly.
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import { migrate } from "../../service/db/migrate.ts";
import { openPglite } from "../../service/db/pglite.ts";
import { eraseRecords } from "../../service/erasure/erase-records.ts";
import { newRecord } from "../db/bytes.ts";
import { forPostgres, pgliteTemplateDump } from "../helpers/databases.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { runScript } from "../helpers/processes.ts";

const VACUUM = "scripts/vacuum-erased.ts";
const ERASE = { reason: "r", reference: "DSR-vacuum", erasedBy: "key00001" };

/** Erases "gone" and keeps "kept"; returns their salts. */
async function eraseOne(db: Database): Promise<{ gone: Uint8Array; kept: Uint8Array }> {
  const [gone, kept] = [newRecord("gone"), newRecord("kept")];
  await appendEntries(db, [gone, kept]);
  await eraseRecords(db, ["gone"], ERASE);
  await db.exec("CHECKPOINT");
  return { gone: gone.salt, kept: kept.salt };
}

/** Whether any file of the partition's relation (its main fork and segments) holds `bytes`. */
async function partitionHolds(db: Database, dataDir: string, bytes: Uint8Array): Promise<boolean> {
  const [row] = await db.query<{ path: string }>("SELECT pg_relation_filepath('entries_p0') AS path");
  const path = join(dataDir, (row as { path: string }).path);
  const folder = join(path, "..");
  const base = path.slice(folder.length + 1);
  const files = (await readdir(folder)).filter((f) => f === base || f.startsWith(`${base}.`));
  for (const file of files)
    if ((await readFile(join(folder, file))).includes(Buffer.from(bytes))) return true;
  return false;
}

describe("npm run vacuum-erased on PGlite in DATA_DIR", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await makeDataDir("en-vacuum-");
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("--full leaves no byte of the erased salt in the partition's file; the kept record stays", async () => {
    const pglite = join(dataDir, "pglite");
    let db = await openPglite(pglite, { loadDataDir: await pgliteTemplateDump() });
    await migrate(db);
    const salts = await eraseOne(db);
    expect(await partitionHolds(db, pglite, salts.gone)).toBe(true);
    await db.close();

    const run = await runScript(VACUUM, ["--full"], { DATA_DIR: dataDir, DATABASE_URL: undefined });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^VACUUM FULL entries_p0 \(\d+ ms\)$/m);

    db = await openPglite(pglite);
    try {
      expect(await partitionHolds(db, pglite, salts.gone)).toBe(false);
      expect(await partitionHolds(db, pglite, salts.kept)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it("refuses, exit 2, when there is no database", async () => {
    const empty = await makeDataDir("en-vacuum-empty-");
    try {
      const run = await runScript(VACUUM, [], { DATA_DIR: empty, DATABASE_URL: undefined });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/nothing was done: no database/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

forPostgres((target) => {
  it("on PostgreSQL: VACUUM, then --full; after --full no byte of the erased salt is in the partition's file", async (ctx) => {
    const { db, url } = await target.create();
    const [setting] = await db.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir");
    const dataDir = (setting as { dir: string }).dir;
    const readable = await readdir(join(dataDir, "base")).then(
      () => true,
      () => false,
    );
    if (!readable) ctx.skip(`the server's data directory ${dataDir} cannot be read from here`);
    const salts = await eraseOne(db);
    expect(await partitionHolds(db, dataDir, salts.gone)).toBe(true);

    const plain = await runScript(VACUUM, [], { DATABASE_URL: url });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^VACUUM entries_p0 /m);
    const full = await runScript(VACUUM, ["--full"], { DATABASE_URL: url });
    expect(full.code, full.stderr).toBe(0);
    await db.exec("CHECKPOINT");
    expect(await partitionHolds(db, dataDir, salts.gone)).toBe(false);
    expect(await partitionHolds(db, dataDir, salts.kept)).toBe(true);
  });
});
