// The in-process local chain's journal fails (an fsync error, through its fault seam) while
// the service runs. The chain stops serving; the service says so (/readyz chain false, one
// error log line, en_errors_total) and goes on ingesting; anchoring waits. After a restart
// the chain replays what is durable and anchoring catches up: every record acknowledged
// before, during and after gets a bundle that verifies.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { parseConfig } from "../../service/config.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import type { JournalFaults } from "../../service/local-chain/journal.ts";
import { type RunningService, startService } from "../../service/main.ts";
import { forEachDatabase, type TestDatabase } from "../helpers/databases.ts";
import { pollUntil, waitForBundle } from "../helpers/fault-checks.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { httpCaller } from "../helpers/service.ts";

forEachDatabase((target) => {
  let dataDir: string;
  let database: TestDatabase;
  const running: RunningService[] = [];
  const logLines: string[] = [];
  let failing = false;
  const faults: JournalFaults = {
    beforeSync: async () => {
      if (failing) throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    },
  };

  const start = async (journalFaults?: JournalFaults) => {
    const config = parseConfig({
      DATA_DIR: dataDir,
      PORT: "0",
      CHAIN_PORT: "0",
      BATCH_INTERVAL_MS: "100",
      ANCHOR_TIMEOUT_MS: "2000",
    });
    const service = await startService(config, {
      logger: { level: "error", stream: { write: (line) => logLines.push(line) } },
      database: database.db,
      journalFaults,
    });
    running.push(service);
    return service;
  };

  beforeAll(async () => {
    dataDir = await makeDataDir("en-journal-failure-");
    database = await target.create();
  });
  afterAll(async () => {
    for (const service of running) await service.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("reports the chain down and keeps ingesting; after a restart every record is anchored", async () => {
    const first = await start(faults);
    let call = httpCaller(first.url);
    const admin = first.adminKey as string;
    const newKey = async (role: string) =>
      (await call("POST", "/v1/keys", { key: admin, body: { role } })).json.key;
    const submitter: string = await newKey("submitter");
    const reader: string = await newKey("reader");
    const submit = (id: string) =>
      call("POST", "/v1/records", { key: submitter, body: { id, record: { id } } });

    expect((await submit("before")).status).toBe(202);
    const before = await waitForBundle(call, reader, "before", 20_000);

    failing = true;
    expect((await submit("unjournaled")).status).toBe(202);
    const down = await pollUntil(
      "/readyz reports the chain down",
      async () => {
        const res = await call("GET", "/readyz");
        return res.status === 503 && res.json.checks.chain === false ? res : undefined;
      },
      15_000,
    );
    expect(down.json.checks.database).toBe(true);
    const stopLines = logLines
      .map((line) => JSON.parse(line))
      .filter((line) => String(line.msg).startsWith("local chain stopped"));
    expect(stopLines).toHaveLength(1);
    expect(stopLines[0]).toMatchObject({ level: 50, msg: expect.stringContaining("EIO") });
    expect((await call("GET", "/metrics")).text).toMatch(
      /en_errors_total\{component="local-chain",code="journal_failed"\} 1/,
    );
    const during = ["during-1", "during-2", "during-3"];
    for (const id of during) expect((await submit(id)).status).toBe(202);
    expect((await call("GET", "/v1/records/unjournaled/proof", { key: reader })).status).toBe(202);
    await first.stop();

    failing = false;
    const second = await start();
    call = httpCaller(second.url);
    const reader2 = createChainReader(second.chainUrl, second.chainId);
    try {
      for (const id of ["before", "unjournaled", ...during, "after"]) {
        if (id === "after") expect((await submit(id)).status).toBe(202);
        const bundle = id === "before" ? before : await waitForBundle(call, reader, id, 30_000);
        const report = await verifyBundle(bundle, {
          record: { id },
          chain: reader2,
          trustedNotary: second.notary,
        });
        expect(
          report.checks.filter((c) => c.status !== "pass"),
          id,
        ).toEqual([]);
      }
    } finally {
      reader2.destroy();
    }
  });
});
