// 503 means "a dependency cannot be reached, nothing was done, retry": with Retry-After, and
// with its cause in the log. Anything else that fails on our side is a 500 with the detail
// only in the log. The app is built with real parts (databases, an unreachable PostgreSQL
// server and JSON-RPC endpoint) and called over Fastify's inject.
import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import type { Database } from "../../service/db/database.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { type App, buildApp } from "../../service/http/app.ts";
import { Ingestor } from "../../service/ingest/ingestor.ts";
import { ApiKeyAuthenticator, createApiKey } from "../../service/keys/api-keys.ts";
import { createMetrics } from "../../service/metrics.ts";
import { fakeNotary } from "../core/fixtures.ts";
import { forEachDatabase, onlyOn } from "../helpers/databases.ts";
import { closedPort } from "../helpers/processes.ts";

const DIGEST = `0x${"cd".repeat(32)}`;

forEachDatabase((target) => {
  const logLines: Array<Record<string, unknown>> = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  let db: Database;
  let key: string;
  /** A database without the service's tables: every insert fails with a real SQL error, a bug. */
  let unmigrated: Database;
  /** A PostgreSQL server that is not there. */
  let unreachable: Database;
  let chainReader: ReturnType<typeof createChainReader>;
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });

  beforeAll(async () => {
    ({ db } = await target.create());
    ({ db: unmigrated } = await target.create({ migrate: false }));
    unreachable = openPostgres(`postgres://postgres@127.0.0.1:${await closedPort()}/test`, {
      onError: () => {},
    });
    cleanups.push(() => unreachable.close());
    key = (await createApiKey(db, "admin", null)).key;
    chainReader = createChainReader(`http://127.0.0.1:${await closedPort()}`, 31337, { timeoutMs: 5000 });
    cleanups.push(() => chainReader.destroy());
  });
  beforeEach(() => {
    logLines.length = 0;
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** The app on the healthy database, its group commits going to `ingestDb`. */
  async function appCommittingTo(ingestDb: Database): Promise<App["app"]> {
    const { app } = await buildApp(
      {
        db,
        ingestor: new Ingestor({ db: ingestDb, queueLimit: 1000 }),
        authenticator: new ApiKeyAuthenticator(db),
        metrics: createMetrics({ ingestQueueDepth: () => 0, pendingRecords: async () => 0 }),
        config: {
          bodyLimitBytes: 1 << 20,
          maxRecordsPerCall: 10,
          maxRecordBytes: 1 << 20,
          rateLimitPerMinute: 1000,
        },
        chain: { reader: chainReader, notary: fakeNotary(), rpcUrl: "http://127.0.0.1:1" },
      },
      { logger: { level: "info", stream: logStream } },
    );
    cleanups.push(() => app.close());
    return app;
  }

  const submit = (app: App["app"]) =>
    app.inject({
      method: "POST",
      url: "/v1/records",
      headers: { authorization: `Bearer ${key}` },
      payload: { id: `tx-${Math.random()}`, digest: DIGEST },
    });
  const logged = (level: number, text: string) =>
    logLines.filter((l) => l.level === level && JSON.stringify(l).includes(text));

  it("a group commit that fails by a bug is a 500, with the detail only in the log", async () => {
    const res = await submit(await appCommittingTo(unmigrated));
    expect(res.statusCode, res.body).toBe(500);
    expect(res.json()).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(res.headers["retry-after"]).toBeUndefined();
    expect(res.body).not.toMatch(/entr|relation|stored/);
    // pino level 50 = error, with the cause and its stack.
    expect(logged(50, 'relation \\"entry_ids\\" does not exist').length).toBe(1);
  });

  onlyOn(
    "postgres",
    target,
    it,
  )(
    "a database that cannot be reached is 503 'nothing was stored' with Retry-After, its cause in the log",
    async () => {
      const res = await submit(await appCommittingTo(unreachable));
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().error.code).toBe("unavailable");
      expect(res.json().error.message).toContain("nothing was stored");
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      expect(res.body).not.toContain("ECONNREFUSED");
      // pino level 40 = warn: no stack, but the cause.
      const warned = logged(40, "nothing was stored");
      expect(warned.length).toBe(1);
      expect(String(warned[0]?.cause)).toMatch(/ECONNREFUSED/);
      expect(JSON.stringify(warned[0])).not.toContain("    at ");
    },
  );

  it("chain_unavailable is 503 with Retry-After, its cause in the log", async () => {
    const vector = JSON.parse(
      await readFile(new URL("../vectors/bundle-ok-leaf-0.json", import.meta.url), "utf8"),
    ) as { input: { bundle: unknown } };
    const app = await appCommittingTo(db);
    const res = await app.inject({
      method: "POST",
      url: "/v1/verify",
      headers: { authorization: `Bearer ${key}` },
      payload: { bundle: vector.input.bundle },
    });
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json().error.code).toBe("chain_unavailable");
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    const warned = logged(40, "chain_unavailable");
    expect(warned.length).toBe(1);
    expect(String(warned[0]?.cause)).toMatch(/ECONNREFUSED|connect|fetch failed/i);
  });
});
