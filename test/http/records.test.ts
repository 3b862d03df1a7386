// Submit -> anchored -> proof -> the auditor's verify CLI, through real HTTP, on both databases.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const RECORD = {
  amount: "12.50",
  currency: "EUR",
  from: "DE89370400440532013000",
  to: "FR1420041010050500013M02606",
};

forEachDatabase((target) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService(target);
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe("POST /v1/records", () => {
    it("acknowledges with 202, the JCS digest and the leaf hash, then anchors and serves a bundle", async () => {
      const ack = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "tx-1", record: RECORD },
      });
      expect(ack.status).toBe(202);
      expect(ack.json).toMatchObject({ id: "tx-1", status: "pending", digest: toHex(digestRecord(RECORD)) });
      expect(ack.json.leafHash).toMatch(/^0x[0-9a-f]{64}$/);

      const proof = await s.call("GET", "/v1/records/tx-1/proof?wait=20", { key: s.keys.reader });
      expect(proof.status).toBe(200);
      expect(proof.json).toMatchObject({
        format: "evidence-bundle/v1",
        recordId: "tx-1",
        digest: ack.json.digest,
        leafHash: ack.json.leafHash,
        anchor: { chainId: s.service.chainId, contract: s.service.contract },
      });

      const status = await s.call("GET", "/v1/records/tx-1", { key: s.keys.reader });
      expect(status.json).toMatchObject({
        id: "tx-1",
        status: "anchored",
        batch: { seq: proof.json.batch, leafIndex: proof.json.leafIndex, state: "anchored" },
      });

      // The auditor's CLI, reading only the files and the chain.
      const dir = s.dataDir;
      await writeFile(join(dir, "bundle.json"), proof.text);
      await writeFile(join(dir, "record.json"), JSON.stringify(RECORD));
      // Asynchronous: the chain answering the CLI runs in this very process.
      const cli = await promisify(execFile)(
        process.execPath,
        [
          "scripts/verify.ts",
          join(dir, "bundle.json"),
          "--record",
          join(dir, "record.json"),
          "--rpc",
          s.service.chainUrl,
          "--notary",
          join(s.dataDir, "notary.json"),
          "--json",
        ],
        { cwd: REPO_ROOT, encoding: "utf8" },
      );
      const report = JSON.parse(cli.stdout);
      expect(report.ok).toBe(true);
      expect(report.checks.filter((c: { status: string }) => c.status === "pass")).toHaveLength(9);
    });

    it("accepts a hash-only submission", async () => {
      const digest = toHex(digestRecord({ any: "record" }));
      const ack = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "tx-hash-only", digest },
      });
      expect(ack.status).toBe(202);
      expect(ack.json.digest).toBe(digest);
      const proof = await s.call("GET", "/v1/records/tx-hash-only/proof?wait=20", { key: s.keys.reader });
      expect(proof.status).toBe(200);
      expect(proof.json.digest).toBe(digest);
    });

    it("answers a retry with the original acknowledgement, and different content with 409", async () => {
      const first = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "tx-retry", record: RECORD },
      });
      const again = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "tx-retry", record: RECORD },
      });
      expect(again.status).toBe(202);
      expect(again.json.leafHash).toBe(first.json.leafHash); // the stored salt, not a new one
      const conflict = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "tx-retry", record: { ...RECORD, amount: "99.00" } },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.json.error).toMatchObject({ code: "conflict", details: { id: "tx-retry" } });
    });

    it("serializes concurrent submissions of one id to one stored record", async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id: "tx-race", record: RECORD } }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
      expect(new Set(answers.map((a) => a.json.leafHash)).size).toBe(1);
    });
  });

  describe("POST /v1/records/batch", () => {
    it("answers one result per item, in order, with duplicates and conflicts marked", async () => {
      await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "b-existing", record: { n: 1 } },
      });
      const records = [
        ...Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, record: { n: i } })),
        { id: "b-existing", record: { n: 1 } },
        { id: "b-existing", record: { n: 2 } },
      ];
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ created: 50, duplicates: 1, conflicts: 1 });
      expect(res.json.results.map((r: { id: string }) => r.id)).toEqual(records.map((r) => r.id));
      expect(res.json.results[51]).toMatchObject({ status: "conflict", error: { code: "conflict" } });
      const proof = await s.call("GET", "/v1/records/b-49/proof?wait=20", { key: s.keys.reader });
      expect(proof.status).toBe(200);
      expect(proof.json.treeSize).toBeGreaterThanOrEqual(1);
    });

    it("rejects the whole call when one item is invalid, storing nothing", async () => {
      const records = [
        { id: "all-or-nothing-1", record: { ok: true } },
        { id: "all-or-nothing-2", record: { bad: Number.NaN } }, // JSON null: valid; next one is not
        { id: "all-or-nothing-3", digest: "0xABC" },
      ];
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(JSON.stringify(res.json.error)).toContain("records/2");
      const stored = await s.call("GET", "/v1/records/all-or-nothing-1", { key: s.keys.reader });
      expect(stored.status).toBe(404);
    });

    it("refuses more records than MAX_RECORDS_PER_CALL with 413", async () => {
      const records = Array.from({ length: 10_001 }, (_, i) => ({
        id: `too-many-${i}`,
        digest: `0x${"ab".repeat(32)}`,
      }));
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      expect(res.status).toBe(413);
      expect(res.json.error.code).toBe("payload_too_large");
    });
  });

  describe("metrics", () => {
    /** en_ingest_records_total by outcome, from /metrics. */
    const outcomes = async () => {
      const text = (await s.call("GET", "/metrics")).text;
      const count = (outcome: string) =>
        Number(
          new RegExp(`^en_ingest_records_total\\{outcome="${outcome}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0,
        );
      return { created: count("created"), duplicate: count("duplicate"), conflict: count("conflict") };
    };

    it("en_ingest_records_total counts submitted records by outcome, in both routes", async () => {
      const before = await outcomes();
      const submit = (body: unknown, path = "/v1/records") =>
        s.call("POST", path, { key: s.keys.submitter, body });
      expect((await submit({ id: "m-1", digest: `0x${"01".repeat(32)}` })).status).toBe(202);
      expect((await submit({ id: "m-1", digest: `0x${"01".repeat(32)}` })).status).toBe(202);
      expect((await submit({ id: "m-1", digest: `0x${"02".repeat(32)}` })).status).toBe(409);
      const batch = await submit(
        {
          records: [
            { id: "m-2", digest: `0x${"01".repeat(32)}` },
            { id: "m-3", digest: `0x${"01".repeat(32)}` },
            { id: "m-1", digest: `0x${"01".repeat(32)}` },
            { id: "m-1", digest: `0x${"03".repeat(32)}` },
          ],
        },
        "/v1/records/batch",
      );
      expect(batch.status).toBe(202);
      const after = await outcomes();
      expect({
        created: after.created - before.created,
        duplicate: after.duplicate - before.duplicate,
        conflict: after.conflict - before.conflict,
      }).toEqual({ created: 3, duplicate: 2, conflict: 2 });
    });
  });

  describe("GET /v1/batches", () => {
    it("lists anchored batches in seq order and serves each one", async () => {
      const page = await s.call("GET", "/v1/batches?limit=1000", { key: s.keys.reader });
      expect(page.status).toBe(200);
      const seqs = page.json.batches.map((b: { seq: number }) => b.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs[0]).toBe(0);
      const one = await s.call("GET", `/v1/batches/${seqs[0]}`, { key: s.keys.reader });
      expect(one.json).toMatchObject({ seq: 0, state: "anchored", contract: s.service.contract });
      const after = await s.call("GET", `/v1/batches?after=${seqs[0]}&limit=1`, { key: s.keys.reader });
      expect(after.json.batches[0]?.seq ?? null).toBe(seqs[1] ?? null);
    });
  });

  describe("POST /v1/verify", () => {
    it("runs the CLI's checks: valid bundle passes, a tampered record fails `digest`", async () => {
      const proof = await s.call("GET", "/v1/records/tx-1/proof", { key: s.keys.reader });
      const good = await s.call("POST", "/v1/verify", {
        key: s.keys.reader,
        body: { bundle: proof.json, record: RECORD },
      });
      expect(good.status).toBe(200);
      expect(good.json.ok).toBe(true);
      const bad = await s.call("POST", "/v1/verify", {
        key: s.keys.reader,
        body: { bundle: proof.json, record: { ...RECORD, amount: "12.51" } },
      });
      expect(bad.json.ok).toBe(false);
      expect(bad.json.checks.find((c: { name: string }) => c.name === "digest").status).toBe("fail");
    });
  });
});
