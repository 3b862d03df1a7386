// API keys: "enk_<id>_<secret>", where id is 8 hex characters (public, for logs and
// revocation) and secret is 32 random bytes in base64url. Only SHA-256(key) is stored;
// a key is shown exactly once, when it is created.
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  type ApiKey,
  type ApiKeyRole,
  anyApiKeyCreated,
  findApiKeyByHash,
  insertApiKey,
} from "../db/api-keys.ts";
import type { Database, Queryable } from "../db/database.ts";
import { writeFileDurably } from "../fs/durable-file.ts";

export const API_KEY_ROLES: readonly ApiKeyRole[] = ["admin", "submitter", "reader", "eraser"];
const KEY_RE = /^enk_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$/;

export function hashApiKey(key: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(key, "utf8").digest());
}

/** Creates and stores a new key; returns the only copy of its secret. */
export async function createApiKey(
  db: Queryable,
  role: ApiKeyRole,
  name: string | null,
): Promise<{ key: string; record: ApiKey }> {
  const id = randomBytes(4).toString("hex");
  const key = `enk_${id}_${randomBytes(32).toString("base64url")}`;
  const record = await insertApiKey(db, { id, keyHash: hashApiKey(key), role, name });
  return { key, record };
}

/**
 * On first start (no key was ever created), creates an admin key and writes it to
 * DATA_DIR/admin.key with mode 0600. Returns the new key, or undefined when a key was made
 * before, even if every key has since been revoked (the way back in is `npm run admin-key`).
 * Serialized by a table lock, so several processes starting together create exactly one.
 */
export async function ensureAdminKey(db: Database, dataDir: string): Promise<string | undefined> {
  const created = await db.transaction(async (tx) => {
    await tx.query("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE");
    if (await anyApiKeyCreated(tx)) return undefined;
    return (await createApiKey(tx, "admin", "initial admin key")).key;
  });
  if (created !== undefined) {
    await writeFileDurably(join(dataDir, "admin.key"), `${created}\n`, { mode: 0o600 });
  }
  return created;
}

/**
 * Looks keys up by hash, with a short cache so that authenticated requests rarely hit the
 * database. Only keys that exist are cached: a miss is never kept, so a flood of made-up keys
 * (each one lookup, and limited per address by the HTTP layer) cannot push a real key out.
 */
export class ApiKeyAuthenticator {
  private readonly db: Queryable;
  private readonly ttlMs: number;
  private readonly cache = new Map<string, { key: ApiKey; expires: number }>();
  /** Far above the number of keys an operator hands out; reached only if that is wrong. */
  private static readonly MAX_ENTRIES = 10_000;

  /** `ttlMs` bounds how long a revoked key may still be accepted. */
  constructor(db: Queryable, ttlMs = 5_000) {
    this.db = db;
    this.ttlMs = ttlMs;
  }

  async authenticate(token: string): Promise<ApiKey | null> {
    const known = this.known(token);
    if (known !== undefined) return known;
    this.cache.delete(token);
    const key = await findApiKeyByHash(this.db, hashApiKey(token));
    const now = Date.now();
    if (key === null) return null;
    if (this.cache.size >= ApiKeyAuthenticator.MAX_ENTRIES) {
      for (const [cached, entry] of this.cache) if (entry.expires <= now) this.cache.delete(cached);
      if (this.cache.size >= ApiKeyAuthenticator.MAX_ENTRIES) this.cache.clear();
    }
    this.cache.set(token, { key, expires: now + this.ttlMs });
    return key;
  }

  /**
   * What is known of `token` without asking the database: null when it is not a key at all,
   * the key while it is cached, undefined when only `authenticate` can tell. Lets a caller
   * skip a promise per request on the common path.
   */
  known(token: string): ApiKey | null | undefined {
    if (!KEY_RE.test(token)) return null;
    const hit = this.cache.get(token);
    return hit !== undefined && hit.expires > Date.now() ? hit.key : undefined;
  }
}
