// Queries on `api_keys`. Only the SHA-256 of a secret is stored: secrets are 32 random bytes,
// so a fast hash is as strong as a slow one and keeps every authenticated request cheap.
import type { Queryable } from "./database.ts";

export type ApiKeyRole = "admin" | "submitter" | "reader" | "eraser";

export interface ApiKey {
  id: string;
  keyHash: Uint8Array;
  role: ApiKeyRole;
  name: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const API_KEY_COLUMNS = `id, key_hash AS "keyHash", role, name, created_at AS "createdAt", revoked_at AS "revokedAt"`;

export const insertApiKeySql = `INSERT INTO api_keys (id, key_hash, role, name) VALUES ($1, $2, $3, $4)
RETURNING ${API_KEY_COLUMNS}`;

export async function insertApiKey(
  q: Queryable,
  key: { id: string; keyHash: Uint8Array; role: ApiKeyRole; name?: string | null },
): Promise<ApiKey> {
  const rows = await q.query<ApiKey>(insertApiKeySql, [key.id, key.keyHash, key.role, key.name ?? null]);
  return rows[0] as ApiKey;
}

export const findApiKeyByHashSql = `SELECT ${API_KEY_COLUMNS} FROM api_keys
WHERE key_hash = $1 AND revoked_at IS NULL`;

/** The key whose secret hashes to `keyHash`, unless revoked. */
export async function findApiKeyByHash(q: Queryable, keyHash: Uint8Array): Promise<ApiKey | null> {
  const rows = await q.query<ApiKey>(findApiKeyByHashSql, [keyHash]);
  return rows[0] ?? null;
}

export const anyApiKeyCreatedSql = "SELECT EXISTS (SELECT 1 FROM api_keys) AS created";

/**
 * Whether any key was ever created, revoked ones included: false means the service still needs
 * its first admin key. Revoking every key is an incident response, never a reason to mint one.
 */
export async function anyApiKeyCreated(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ created: boolean }>(anyApiKeyCreatedSql);
  return rows[0]?.created === true;
}

export const revokeApiKeySql = `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
RETURNING id`;

/** True if the key existed and was not yet revoked. */
export async function revokeApiKey(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query(revokeApiKeySql, [id]);
  return rows.length > 0;
}
