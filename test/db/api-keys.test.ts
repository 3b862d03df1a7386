import { createHash } from "node:crypto";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { anyApiKeyCreated, findApiKeyByHash, insertApiKey, revokeApiKey } from "../../service/db/api-keys.ts";
import type { Database } from "../../service/db/database.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";
import { randomBytesArray } from "./bytes.ts";

const hashOf = (secret: Uint8Array) => new Uint8Array(createHash("sha256").update(secret).digest());

forEachDatabase((target) => {
  let db: Database;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  beforeEach(() => truncateAll(db));

  it("finds a key by the hash of its secret, and stops finding it once revoked", async () => {
    expect(await anyApiKeyCreated(db)).toBe(false);
    const secret = randomBytesArray(32);
    const stored = await insertApiKey(db, { id: "k1", keyHash: hashOf(secret), role: "admin", name: "ops" });
    expect(stored).toMatchObject({ id: "k1", role: "admin", name: "ops", revokedAt: null });
    expect(stored.createdAt).toBeInstanceOf(Date);
    await insertApiKey(db, { id: "k2", keyHash: hashOf(randomBytesArray(32)), role: "reader" });
    expect(await anyApiKeyCreated(db)).toBe(true);

    expect(await findApiKeyByHash(db, hashOf(secret))).toEqual(stored);
    expect(await findApiKeyByHash(db, hashOf(randomBytesArray(32)))).toBeNull();

    expect(await revokeApiKey(db, "k1")).toBe(true);
    expect(await revokeApiKey(db, "k1")).toBe(false);
    expect(await revokeApiKey(db, "missing")).toBe(false);
    expect(await findApiKeyByHash(db, hashOf(secret))).toBeNull();
    // Revoked keys still count as made: revoking every key does not bring back the first-start key.
    await revokeApiKey(db, "k2");
    expect(await anyApiKeyCreated(db)).toBe(true);
  });

  it("refuses a second key with the same hash or an unknown role", async () => {
    const keyHash = hashOf(randomBytesArray(32));
    await insertApiKey(db, { id: "a", keyHash, role: "submitter" });
    await expect(insertApiKey(db, { id: "b", keyHash, role: "submitter" })).rejects.toMatchObject({
      code: "23505",
    });
    await expect(
      // @ts-expect-error: the database enforces the role even when the type checker is bypassed.
      insertApiKey(db, { id: "c", keyHash: hashOf(randomBytesArray(32)), role: "root" }),
    ).rejects.toMatchObject({ code: "23514" });
  });
});
