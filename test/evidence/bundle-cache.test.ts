// Anchored bundles kept as served (evidence/bundle-cache.ts): bounded by bytes, least recently
// used dropped first; and through the whole service, a proof served once is served again as
// the same bytes with no database statement at all (statements counted, not time), until a
// change of that record is announced, in this process or, on PostgreSQL, in another one.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../service/config.ts";
import type { Database } from "../../service/db/database.ts";
import { announceRecordChanged } from "../../service/db/record-changed.ts";
import { BundleCache } from "../../service/evidence/bundle-cache.ts";
import { type RunningService, startService } from "../../service/main.ts";
import { type CountingDatabase, countingDatabase } from "../helpers/counting-database.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { httpCaller } from "../helpers/service.ts";

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe("BundleCache", () => {
  it("keeps bundles up to its bytes, dropping the least recently used first, a tenth of its room at once", () => {
    const entry = 1000 + 2 + 128;
    const cache = new BundleCache(10 * entry);
    const ids = Array.from({ length: 10 }, (_, i) => `b${i}`);
    for (const [i, id] of ids.entries()) cache.set(id, bytes(1000, i), cache.stamp());
    expect(cache.get("b0")?.[0]).toBe(0); // b0 is now the most recent
    cache.set("bx", bytes(1000, 99), cache.stamp());
    expect(cache.get("b1")).toBeUndefined();
    expect(cache.get("b2")).toBeUndefined();
    expect(["b0", "b3", "b9", "bx"].map((id) => cache.get(id)?.[0])).toEqual([0, 3, 9, 99]);
    expect(cache.usage).toEqual({ bundles: 9, bytes: 9 * entry });
  });

  it("forgets one bundle when told (the hook for an erasure), or all; never keeps one larger than itself", () => {
    const cache = new BundleCache(2000);
    cache.set("a", bytes(100), cache.stamp());
    cache.set("b", bytes(100), cache.stamp());
    cache.invalidate("a");
    cache.invalidate("missing");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.usage).toEqual({ bundles: 1, bytes: 229 });
    cache.set("huge", bytes(5000), cache.stamp());
    expect(cache.get("huge")).toBeUndefined();
    cache.clear();
    expect(cache.usage).toEqual({ bundles: 0, bytes: 0 });
  });

  it("keeps nothing read before an invalidation that came during the read (an erasure committing meanwhile)", () => {
    const cache = new BundleCache(10_000);
    const stamp = cache.stamp();
    // … the request reads the record's bundle from the database; meanwhile an erasure of it
    // (or of any record) is announced:
    cache.invalidate("erased-meanwhile");
    cache.set("erased-meanwhile", bytes(100), stamp);
    expect(cache.get("erased-meanwhile")).toBeUndefined();
    cache.set("read-later", bytes(100), stamp);
    expect(cache.get("read-later")).toBeUndefined();
    // A read that started after it is kept, until everything is forgotten.
    const fresh = cache.stamp();
    cache.set("read-later", bytes(100), fresh);
    expect(cache.get("read-later")).toBeDefined();
    cache.clear();
    cache.set("read-later", bytes(100), fresh);
    expect(cache.get("read-later")).toBeUndefined();
  });
});

forEachDatabase((target) => {
  describe("GET /v1/records/:id/proof, served again", () => {
    let db: Database;
    let url: string | undefined;
    let counted: CountingDatabase;
    let service: RunningService;
    let dataDir: string;
    const call = () => httpCaller(service.url);

    beforeAll(async () => {
      ({ db, url } = await target.create());
      counted = countingDatabase(db);
      dataDir = await makeDataDir("en-bundle-cache-");
      // A record is sealed as it comes (MAX_BATCH 1), and the leader's loops then sleep for an
      // hour: nothing but the requests sends statements.
      const config = parseConfig({
        DATA_DIR: dataDir,
        PORT: "0",
        CHAIN_PORT: "0",
        BATCH_INTERVAL_MS: "3600000",
        MAX_BATCH: "1",
      });
      service = await startService(config, { logger: false, database: counted.db });
    });
    afterAll(async () => {
      await service?.stop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it("answers from memory with the same bytes and no statement, until a change is announced", async () => {
      const key = service.adminKey as string;
      const http = call();
      expect(
        (await http("POST", "/v1/records", { key, body: { id: "cached-1", record: { n: 1 } } })).status,
      ).toBe(202);
      const first = await http("GET", "/v1/records/cached-1/proof?wait=20", { key });
      expect(first.status).toBe(200);
      expect(first.headers.get("content-type")).toBe("application/json; charset=utf-8");

      const before = counted.count();
      const again = await http("GET", "/v1/records/cached-1/proof", { key });
      expect(counted.count() - before, "statements for a bundle served before").toBe(0);
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));

      // Another process (PostgreSQL: another pool on the schema) announces a change of that record.
      const announcer = target.kind === "postgres" ? target.connect(url as string) : db;
      await announceRecordChanged(announcer, "cached-1");
      const deadline = Date.now() + 10_000;
      let reread = 0;
      while (reread === 0 && Date.now() < deadline) {
        const mark = counted.count();
        const res = await http("GET", "/v1/records/cached-1/proof", { key });
        expect(res.text).toBe(first.text);
        reread = counted.count() - mark;
        if (reread === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(reread, "statements once the change was heard").toBe(1);
    });
  });
});
