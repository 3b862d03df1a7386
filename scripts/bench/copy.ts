// The references the ingest and WAL parts measure the service against: a raw COPY … FROM STDIN
// (pg-copy-streams) of the very rows the service stored, read back from its tables, into
//   - the same tables: a scratch schema with the service's own migrations, so entries (with
//     its partitions and primary key) and entry_ids (with its primary key) are defined as the
//     service's are; each commit copies a chunk of entries and the matching entry_ids rows;
//   - one table with a primary key on the id: the least a store must write to find a record
//     by its id, for scale.
// Both with several connections at once and the same rows per commit as the service's calls.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { migrate } from "../../service/db/migrate.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { createPostgresSchema, type PostgresSchema } from "../../test/helpers/postgres-schema.ts";
import { timed } from "./part.ts";

/** One commit's worth of rows in COPY text format. */
export interface CopyChunk {
  entries: string;
  ids: string;
  oneTable: string;
}

/** The rows of entries [from, to) of the schema at `url`, as COPY chunks of `perChunk` rows. */
export async function readCopyChunks(
  url: string,
  from: number,
  to: number,
  perChunk: number,
): Promise<CopyChunk[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      idx: string;
      id: string;
      d: string;
      s: string;
      l: string;
      at: string;
    }>(
      `SELECT idx, id, encode(digest, 'hex') AS d, encode(salt, 'hex') AS s, encode(leaf, 'hex') AS l,
         received_at::text AS at
       FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
      [from, to],
    );
    const chunks: CopyChunk[] = [];
    for (let i = 0; i < rows.length; i += perChunk) {
      const part = rows.slice(i, i + perChunk);
      chunks.push({
        entries: part
          .map((r) => `${r.idx}\t0\t${r.id}\t\\\\x${r.d}\t\\\\x${r.s}\t\\\\x${r.l}\t${r.at}\n`)
          .join(""),
        ids: part.map((r) => `${r.id}\t${r.idx}\n`).join(""),
        oneTable: part.map((r) => `${r.id}\t\\\\x${r.d}\t\\\\x${r.s}\t\\\\x${r.l}\t${r.at}\n`).join(""),
      });
    }
    return chunks;
  } finally {
    await client.end();
  }
}

export type CopyTarget = "same-tables" | "one-table";

/** A scratch schema ready for COPYs of `target`: the service's migrations, or one table with an id primary key. */
export async function copyTarget(databaseUrl: string, target: CopyTarget): Promise<PostgresSchema> {
  const schema = await createPostgresSchema(databaseUrl, "benchcopy");
  const db = openPostgres(schema.url, { max: 1 });
  try {
    if (target === "same-tables") await migrate(db);
    else {
      await db.exec(
        "CREATE TABLE records (id text PRIMARY KEY, digest bytea, salt bytea, leaf bytea NOT NULL, received_at timestamptz NOT NULL)",
      );
    }
  } finally {
    await db.close();
  }
  return schema;
}

/** COPYs every chunk into the schema at `url`, `clients` connections at once, one chunk per commit; returns the ms taken. */
export async function copyChunks(
  url: string,
  target: CopyTarget,
  chunks: readonly CopyChunk[],
  clients: number,
): Promise<number> {
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const copy = (c: pg.Client, sql: string, text: string) =>
    pipeline(Readable.from([text]), c.query(copyFrom(sql)));
  try {
    let next = 0;
    const { ms } = await timed(() =>
      Promise.all(
        connections.map(async (c) => {
          while (next < chunks.length) {
            const chunk = chunks[next++] as CopyChunk;
            if (target === "one-table") {
              await copy(c, "COPY records (id, digest, salt, leaf, received_at) FROM STDIN", chunk.oneTable);
              continue;
            }
            await c.query("BEGIN");
            await copy(
              c,
              "COPY entries (idx, kind, id, digest, salt, leaf, received_at) FROM STDIN",
              chunk.entries,
            );
            await copy(c, "COPY entry_ids (id, idx) FROM STDIN", chunk.ids);
            await c.query("COMMIT");
          }
        }),
      ),
    );
    return ms;
  } finally {
    await Promise.all(connections.map((c) => c.end()));
  }
}
