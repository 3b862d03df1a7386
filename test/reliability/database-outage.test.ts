// PostgreSQL goes away and comes back; the service must answer 503 (with Retry-After, the
// error shape, within a few seconds) meanwhile, say not ready, never crash, and recover by
// itself. The shared PostgreSQL server is never stopped: the service reaches its own schema
// through a TCP proxy (test/helpers/tcp-proxy.ts) and the test cuts the proxy instead, which
// the service sees exactly as a server that died: every connection reset, new ones refused.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseConfig } from "../../service/config.ts";
import type { Database } from "../../service/db/database.ts";
import { type RunningService, startService } from "../../service/main.ts";
import { forPostgres } from "../helpers/databases.ts";
import { expectUnavailable, pollUntil, sleep, waitForBundle } from "../helpers/fault-checks.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { httpCaller, type TestService } from "../helpers/service.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

/** Longer than the API key cache (5 s), so authentication has to reach the database too. */
const OUTAGE_MS = 6000;
/** "Never a hang": the longest a request may take while the database is down. */
const MAX_ANSWER_MS = 5000;

forPostgres((target) => {
  let proxy: TcpProxy;
  let service: RunningService;
  let dataDir: string;
  let call: TestService["call"];
  let key: string;
  /** The same schema reached directly, not through the proxy: it stays up. */
  let direct: Database;

  beforeAll(async () => {
    const { db, url } = await target.create();
    direct = db;
    const server = new URL(url as string);
    proxy = await startTcpProxy(Number(server.port || 5432), server.hostname);
    const proxied = new URL(server);
    proxied.hostname = "127.0.0.1";
    proxied.port = String(proxy.port);
    dataDir = await makeDataDir("en-db-outage-");
    service = await startService(
      parseConfig({
        DATA_DIR: dataDir,
        PORT: "0",
        CHAIN_PORT: "0",
        DATABASE_URL: proxied.toString(),
        // Long enough that the records submitted right after start are still pending when the
        // line is cut; a new leader seals at once, so recovery does not wait for it.
        BATCH_INTERVAL_MS: "5000",
      }),
      { logger: false },
    );
    call = httpCaller(service.url);
    key = service.adminKey as string;
  });
  afterAll(async () => {
    proxy?.resume();
    await service?.stop();
    await proxy?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const submit = (id: string) =>
    call("POST", "/v1/records", { key, body: { id, record: { id, amount: "1" } } });

  it("answers 503 while PostgreSQL is down, and recovers by itself when it is back", async () => {
    const before = ["before-0", "before-1", "before-2"];
    for (const id of before) expect((await submit(id)).status).toBe(202);
    proxy.pause();
    const down = performance.now();
    const [row] = await direct.query<{ pending: number }>(
      `SELECT (SELECT next_index FROM log_state) - coalesce((SELECT max(first_index + size) FROM batches), 0)
         AS pending`,
    );
    const pending = row?.pending ?? 0;
    expect(pending, "records acknowledged but not yet sealed when PostgreSQL went away").toBeGreaterThan(0);

    let unavailable = 0;
    let slowest = 0;
    for (let n = 0; performance.now() - down < OUTAGE_MS; n++) {
      const started = performance.now();
      const res = await submit(`during-${n}`);
      slowest = Math.max(slowest, performance.now() - started);
      expectUnavailable(res);
      unavailable++;
      const ready = await call("GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.json.checks.database).toBe(false);
      await sleep(250);
    }
    const proof = await call("GET", "/v1/records/before-0/proof", { key });
    expectUnavailable(proof);
    expect(slowest).toBeLessThan(MAX_ANSWER_MS);

    proxy.resume();
    const up = performance.now();
    const after = await pollUntil(
      "a submission accepted again",
      async () => {
        const res = await submit(`after-${Math.floor(performance.now())}`);
        return res.status === 202 ? (res.json.id as string) : undefined;
      },
      15_000,
    );
    const ingestRecoveryMs = performance.now() - up;
    await pollUntil(
      "ready again",
      async () => ((await call("GET", "/readyz")).status === 200 ? true : undefined),
      15_000,
    );
    const readyRecoveryMs = performance.now() - up;
    for (const id of [...before, after]) await waitForBundle(call, key, id, 20_000);
    const anchoredMs = performance.now() - up;
    // Nothing answered 503 was stored.
    expect((await call("GET", "/v1/records/during-0", { key })).status).toBe(404);
    console.log(
      `database outage: ${pending} records pending at the cut; ${unavailable} submissions answered 503 in ${OUTAGE_MS} ms (slowest ${Math.round(slowest)} ms); ` +
        `after resume: ingesting in ${Math.round(ingestRecoveryMs)} ms, ready in ${Math.round(readyRecoveryMs)} ms, ` +
        `all anchored in ${Math.round(anchoredMs)} ms`,
    );
  });
});
