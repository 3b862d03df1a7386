// `npm run admin-key`: the way back in after every key was revoked. It creates an admin key
// in the service's own database and prints it once; on PGlite it refuses while the database
// is open in another process, as the audit does.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "../../service/db/api-keys.ts";
import type { Database } from "../../service/db/database.ts";
import { migrate } from "../../service/db/migrate.ts";
import { openPglite } from "../../service/db/pglite.ts";
import { ApiKeyAuthenticator, createApiKey } from "../../service/keys/api-keys.ts";
import { forPostgres, pgliteTemplateDump } from "../helpers/databases.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { runScript } from "../helpers/processes.ts";

const ADMIN_KEY = "scripts/admin-key.ts";
const KEY_LINE = /^enk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}\n$/;

/** Revokes every key, as an incident response would. */
async function revokeAll(db: Database): Promise<void> {
  for (const { id } of await db.query<{ id: string }>("SELECT id FROM api_keys WHERE revoked_at IS NULL")) {
    await revokeApiKey(db, id);
  }
}

describe("npm run admin-key on PGlite in DATA_DIR", () => {
  let dataDir: string;
  const pglite = () => join(dataDir, "pglite");
  const run = (args: string[] = []) =>
    runScript(ADMIN_KEY, args, { DATA_DIR: dataDir, DATABASE_URL: undefined });

  beforeAll(async () => {
    dataDir = await makeDataDir("en-admin-key-");
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses, exit 2, when there is no database yet", async () => {
    const res = await run();
    expect(res.code).toBe(2);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain(`no database in ${pglite()}`);
  });

  it("refuses, exit 2, while the service has the database open, and changes nothing", async () => {
    const db = await openPglite(pglite(), { loadDataDir: await pgliteTemplateDump() });
    try {
      await migrate(db);
      await createApiKey(db, "admin", "first");
      await revokeAll(db);
      const res = await run();
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr).toMatch(/open in another process.*stop the service.*npm run admin-key/s);
      expect(await db.query("SELECT id FROM api_keys WHERE revoked_at IS NULL")).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it("with the service stopped: prints one new admin key, which authenticates as admin", async () => {
    const res = await run(["--name", "after incident 42"]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(KEY_LINE);
    expect(res.stderr).toMatch(/created admin key [0-9a-f]{8}/);
    expect(res.stderr).not.toContain(res.stdout.trim());
    const db = await openPglite(pglite());
    try {
      const key = await new ApiKeyAuthenticator(db).authenticate(res.stdout.trim());
      expect(key).toMatchObject({ role: "admin", name: "after incident 42", revokedAt: null });
    } finally {
      await db.close();
    }
  });

  it("exit 2 for an unknown option", async () => {
    const res = await run(["--role", "reader"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/usage: npm run admin-key/);
  });
});

forPostgres((target) => {
  it("on PostgreSQL (DATABASE_URL), where it may run beside the service", async () => {
    const { db, url } = await target.create();
    await createApiKey(db, "admin", "first");
    await revokeAll(db);
    const res = await runScript(ADMIN_KEY, [], { DATABASE_URL: url });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(KEY_LINE);
    expect(await new ApiKeyAuthenticator(db).authenticate(res.stdout.trim())).toMatchObject({
      role: "admin",
      revokedAt: null,
    });
  });
});
