// Upgrading in place (migrations/003_log.sql). A database made by the previous release's
// migrations (001, 002) and written with its own SQL (helpers/legacy-ledger.ts) becomes the
// log: every batch keeps its seq, root, tree and leaf positions, so every bundle issued from
// it stays byte for byte the same; pending records follow in ingest order and are sealed
// next. A legacy ledger that was altered by hand is refused, and left as it was. Then the
// data directory of an earlier release (test/fixtures/legacy-data-dir: its chain journal and
// bundles) with that release's database under it: the service upgrades it at start, serves
// the very bundles it issued then, anchors what was pending, and the audit comes out clean.
import { cp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../service/audit/run-audit.ts";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { parseConfig } from "../../service/config.ts";
import type { Bundle } from "../../service/core/bundle.ts";
import { fromHex, toHex } from "../../service/core/hex.ts";
import { buildTree, HASH_BYTES, inclusionPath } from "../../service/core/merkle.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { storedLevels } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, logState } from "../../service/db/log.ts";
import { migrate } from "../../service/db/migrate.ts";
import { getRecord, getRecordWithPath, listRecordsReceived } from "../../service/db/records.ts";
import { type RunningService, startService } from "../../service/main.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import {
  createLegacySchema,
  type LegacyAnchor,
  type LegacyRecord,
  writeLegacyBatch,
  writeLegacyRecords,
} from "../helpers/legacy-ledger.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { httpCaller } from "../helpers/service.ts";
import { newRecord, randomBytesArray } from "./bytes.ts";

const FIXTURE = join(REPO_ROOT, "test", "fixtures", "legacy-data-dir");

let clock = Date.parse("2026-06-01T00:00:00Z");
function legacyRecord(id: string): LegacyRecord {
  clock += 1000;
  return { ...newRecord(id), receivedAt: new Date(clock) };
}

function fakeAnchor(seq: number): LegacyAnchor {
  return {
    chainId: 31337,
    contract: randomBytesArray(20),
    txHash: randomBytesArray(32),
    nonce: seq,
    blockNumber: 10 + seq,
    blockHash: randomBytesArray(32),
    blockTimestamp: 1_780_000_000 + seq,
  };
}

function nodes(path: Uint8Array | null): Uint8Array[] {
  const bytes = path ?? new Uint8Array(0);
  return Array.from({ length: bytes.length / HASH_BYTES }, (_, i) =>
    bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES),
  );
}

async function tableExists(db: Database, name: string): Promise<boolean> {
  const [row] = await db.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [name]);
  return row?.ok === true;
}

forEachDatabase((target) => {
  it("upgrades the previous release's ledger in place: same batches, leaf positions and paths; pending records next", async () => {
    const { db } = await target.create({ migrate: false });
    await createLegacySchema(db);
    const first = Array.from({ length: 7 }, (_, i) => legacyRecord(`g1-${i}`));
    const second = Array.from({ length: 6 }, (_, i) => legacyRecord(`g2-${i}`));
    const third = Array.from({ length: 2 }, (_, i) => legacyRecord(`g3-${i}`));
    await writeLegacyRecords(db, first);
    const batches = [first.slice(0, 5)];
    await writeLegacyBatch(db, 0, batches[0] as LegacyRecord[], fakeAnchor(0));
    await writeLegacyRecords(db, second);
    batches.push(first.slice(5, 6), [...first.slice(6), ...second.slice(0, 5)]);
    await writeLegacyBatch(db, 1, batches[1] as LegacyRecord[], fakeAnchor(1));
    await writeLegacyBatch(db, 2, batches[2] as LegacyRecord[]);
    await writeLegacyRecords(db, third);
    const pending = [...second.slice(5), ...third];

    expect(await migrate(db)).toEqual(["003_log", "004_erasure"]);
    expect(await tableExists(db, "records")).toBe(false);
    expect(await tableExists(db, "legacy_batch_levels")).toBe(false);

    let firstIndex = 0;
    for (const [seq, records] of batches.entries()) {
      const tree = buildTree(records.map((r) => r.leaf));
      expect((await storedLevels(db, firstIndex)).slice(1)).toEqual(tree.levels.slice(1));
      for (const [leafIndex, record] of records.entries()) {
        const row = await getRecordWithPath(db, record.id);
        expect(row, record.id).toMatchObject({ index: firstIndex + leafIndex, seq, firstIndex, leafIndex });
        expect(row?.digest).toEqual(record.digest);
        expect(row?.receivedAt).toEqual(record.receivedAt);
        if (seq < 2) expect(nodes(row?.path ?? null), record.id).toEqual(inclusionPath(tree, leafIndex));
        else expect(row?.state).toBe("sealed");
      }
      firstIndex += records.length;
    }
    for (const [i, record] of pending.entries()) {
      expect(await getRecord(db, record.id)).toMatchObject({ index: firstIndex + i, seq: null });
    }
    expect(await logState(db)).toMatchObject({ nextIndex: 15, sealedEnd: 12 });
    const listed = await listRecordsReceived(db, { from: new Date(0), to: new Date(clock + 1), limit: 100 });
    expect(listed.map((r) => r.id)).toEqual([...first, ...second, ...third].map((r) => r.id));

    // The log goes on: the pending records and new ones are sealed next, in order.
    await appendEntries(db, [newRecord("after-upgrade")]);
    expect(await sealBatch(db, 100)).toMatchObject({ seq: 3, firstIndex: 12, size: 4 });
    expect(await getRecord(db, "after-upgrade")).toMatchObject({ index: 15, seq: 3, leafIndex: 3 });
    expect(await getRecord(db, "g2-5")).toMatchObject({ seq: 3, leafIndex: 0 });
  });

  it("refuses a legacy ledger whose batch lost a record, and leaves it as it was", async () => {
    const { db } = await target.create({ migrate: false });
    await createLegacySchema(db);
    const records = Array.from({ length: 3 }, (_, i) => legacyRecord(`t-${i}`));
    await writeLegacyRecords(db, records);
    await writeLegacyBatch(db, 0, records, fakeAnchor(0));
    await db.query("DELETE FROM records WHERE id = 't-1'");
    await expect(migrate(db)).rejects.toThrow(/cannot upgrade: batch 0 should hold 3 records .* it holds 2/);
    expect(await tableExists(db, "records")).toBe(true);
    expect(await tableExists(db, "entries")).toBe(false);
    const versions = await db.query<{ version: string }>("SELECT version FROM schema_migrations ORDER BY 1");
    expect(versions.map((v) => v.version)).toEqual(["001_initial", "002_records_received_at"]);
  });
});

/** The fixture's bundles, as that release issued them. */
async function fixtureBundles(): Promise<Array<{ bundle: Bundle; record: unknown }>> {
  const files = (await readdir(join(FIXTURE, "bundles"))).filter((f) => f.endsWith(".bundle.json")).sort();
  return Promise.all(
    files.map(async (file) => ({
      bundle: JSON.parse(await readFile(join(FIXTURE, "bundles", file), "utf8")) as Bundle,
      record: JSON.parse(
        await readFile(join(FIXTURE, "bundles", file.replace(".bundle", ".record")), "utf8"),
      ),
    })),
  );
}

forEachDatabase((target) => {
  describe("an earlier release's data directory, with that release's database", () => {
    let dataDir: string;
    let db: Database;
    let service: RunningService;
    let bundles: Array<{ bundle: Bundle; record: unknown }>;
    const call = (path: string, key: string) => httpCaller(service.url)("GET", path, { key });

    beforeAll(async () => {
      dataDir = await makeDataDir("en-upgrade-");
      await cp(FIXTURE, dataDir, { recursive: true });
      ({ db } = await target.create({ migrate: false }));
      await createLegacySchema(db);
      // The ledger behind the fixture's bundles: batch 0 = [legacy-1], batch 1 = [legacy-2, legacy-3],
      // plus one record still pending when that release stopped.
      bundles = await fixtureBundles();
      const bySeq = new Map<number, Bundle[]>();
      for (const { bundle } of bundles) bySeq.set(bundle.batch, [...(bySeq.get(bundle.batch) ?? []), bundle]);
      for (const [seq, inBatch] of [...bySeq].sort((a, b) => a[0] - b[0])) {
        const ordered = inBatch.sort((a, b) => a.leafIndex - b.leafIndex);
        const records = ordered.map((b) => ({
          id: b.recordId,
          digest: fromHex(b.digest),
          salt: fromHex(b.salt),
          leaf: fromHex(b.leafHash),
          receivedAt: new Date((b.anchor.timestamp - 2) * 1000),
        }));
        await writeLegacyRecords(db, records);
        const a = (ordered[0] as Bundle).anchor;
        const root = await writeLegacyBatch(db, seq, records, {
          chainId: a.chainId,
          contract: fromHex(a.contract),
          txHash: fromHex(a.txHash),
          nonce: seq + 2,
          blockNumber: a.blockNumber,
          blockHash: fromHex(a.blockHash),
          blockTimestamp: a.timestamp,
        });
        expect(toHex(root)).toBe((ordered[0] as Bundle).root);
      }
      await writeLegacyRecords(db, [
        { ...newRecord("legacy-4"), receivedAt: new Date("2026-12-01T23:00:00Z") },
      ]);

      const config = parseConfig({ DATA_DIR: dataDir, PORT: "0", CHAIN_PORT: "0", BATCH_INTERVAL_MS: "100" });
      service = await startService(config, { logger: false, database: db });
    });
    afterAll(async () => {
      await service?.stop();
      if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
    });

    it("upgrades at start and serves every bundle it issued before, unchanged", async () => {
      const versions = await db.query<{ version: string }>(
        "SELECT version FROM schema_migrations ORDER BY 1",
      );
      expect(versions.map((v) => v.version)).toContain("003_log");
      const admin = service.adminKey as string;
      for (const { bundle } of bundles) {
        const res = await call(`/v1/records/${bundle.recordId}/proof`, admin);
        expect(res.status, bundle.recordId).toBe(200);
        expect(res.json).toEqual(bundle);
      }
    });

    it("anchors the record left pending, after the old batches, and the audit comes out clean", async () => {
      const admin = service.adminKey as string;
      const res = await call("/v1/records/legacy-4/proof?wait=20", admin);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ batch: 2, leafIndex: 0, treeSize: 1 });
      const reader = createChainReader(service.chainUrl, service.chainId);
      try {
        for (const { bundle, record } of bundles) {
          const report = await verifyBundle(bundle, { record, chain: reader, trustedNotary: service.notary });
          expect(report.ok, bundle.recordId).toBe(true);
        }
        const fresh = await verifyBundle(res.json, { chain: reader, trustedNotary: service.notary });
        expect(fresh.ok).toBe(true);
        const report = await runAudit({
          db,
          chain: reader,
          notary: service.notary,
          seed: 1,
          pendingOlderThanSeconds: 3600,
        });
        expect(report.findings).toEqual([]);
        expect(report).toMatchObject({ ok: true, totals: { batches: 3, records: 4 } });
      } finally {
        reader.destroy();
      }
    });
  });
});
