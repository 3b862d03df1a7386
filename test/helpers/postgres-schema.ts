// A fresh, empty PostgreSQL schema on the server at `baseUrl`, reached through
// `?options=-c search_path=…` in its URL, so suites (and the soak script) sharing one server
// never see each other's tables. Free of Vitest, so scripts can use it too.
import { randomBytes } from "node:crypto";
import { openPostgres } from "../../service/db/postgres.ts";

export interface PostgresSchema {
  /** A URL reaching only this schema. */
  url: string;
  /** Drops the schema and everything in it. Close every pool on it first. */
  drop(): Promise<void>;
}

export async function createPostgresSchema(baseUrl: string, prefix = "test"): Promise<PostgresSchema> {
  const schema = `${prefix}_${randomBytes(8).toString("hex")}`;
  const admin = openPostgres(baseUrl, { max: 1 });
  try {
    await admin.exec(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.close();
  }
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = openPostgres(baseUrl, { max: 1 });
      try {
        await dropper.exec(`DROP SCHEMA ${schema} CASCADE`);
      } finally {
        await dropper.close();
      }
    },
  };
}
