// API keys on a real database: the first admin key, and the authenticator's cache.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { revokeApiKey } from "../../service/db/api-keys.ts";
import type { Database } from "../../service/db/database.ts";
import { ApiKeyAuthenticator, createApiKey, ensureAdminKey } from "../../service/keys/api-keys.ts";
import { countingDatabase } from "../helpers/counting-database.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";

const unknownKey = () => `enk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("base64url")}`;

forEachDatabase((target) => {
  let db: Database;
  let dataDir: string;
  beforeAll(async () => {
    ({ db } = await target.create());
    dataDir = await mkdtemp(join(tmpdir(), "en-keys-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => truncateAll(db));

  it("creates the first admin key once, and not again after every key was revoked", async () => {
    const first = await ensureAdminKey(db, dataDir);
    expect(first).toMatch(/^enk_[0-9a-f]{8}_/);
    expect(await readFile(join(dataDir, "admin.key"), "utf8")).toBe(`${first}\n`);
    expect(await ensureAdminKey(db, dataDir)).toBeUndefined();
    // An incident response revokes every key; a restart must not mint a fresh admin key.
    for (const { id } of await db.query<{ id: string }>("SELECT id FROM api_keys")) {
      expect(await revokeApiKey(db, id)).toBe(true);
    }
    await rm(join(dataDir, "admin.key"));
    expect(await ensureAdminKey(db, dataDir)).toBeUndefined();
    expect(await db.query("SELECT id FROM api_keys WHERE revoked_at IS NULL")).toEqual([]);
    await expect(readFile(join(dataDir, "admin.key"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a flood of unknown keys never evicts a valid one from the cache", async () => {
    const { key } = await createApiKey(db, "reader", null);
    const q = countingDatabase(db);
    const authenticator = new ApiKeyAuthenticator(q.db, 60_000);
    expect((await authenticator.authenticate(key))?.role).toBe("reader");
    expect(q.count()).toBe(1);
    // More unknown keys than the cache has room for, each looked up once.
    const flood = 10_001;
    for (let i = 0; i < flood; i++) expect(await authenticator.authenticate(unknownKey())).toBeNull();
    expect(q.count()).toBe(1 + flood);
    expect((await authenticator.authenticate(key))?.role).toBe("reader");
    expect(q.count(), "the valid key is still cached").toBe(1 + flood);
  });
});
