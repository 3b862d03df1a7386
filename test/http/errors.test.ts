// Every error path of the HTTP API, through real HTTP, on both databases: the status, the one
// error shape {error:{code,message,details?}}, and no stack trace or internal detail leaking.
// The service never seals on its own here (interval 1 h, huge MAX_BATCH), so records stay
// pending, and its queue and body limits are tiny so the limits can be hit cheaply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countPending } from "../../service/db/log.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { type HttpResult, startTestService, type TestService } from "../helpers/service.ts";

const BODY_LIMIT_BYTES = 2048;
const MAX_RECORD_BYTES = 600;
const DIGEST = `0x${"ab".repeat(32)}`;

/** Asserts the status and the error shape, and that nothing internal leaks. */
function expectError(res: HttpResult, status: number, code: string): HttpResult["json"]["error"] {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Object.keys(res.json)).toEqual(["error"]);
  const { error } = res.json;
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  for (const key of Object.keys(error)) expect(["code", "message", "details"]).toContain(key);
  expect(res.text).not.toMatch(/stack|\.ts:\d|at [\w.<>]+ \(|node:internal|FST_ERR|SQLSTATE|relation "/i);
  return error;
}

forEachDatabase((target) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService(target, {
      BATCH_INTERVAL_MS: "3600000",
      MAX_BATCH: "1000000",
      BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
      MAX_RECORD_BYTES: String(MAX_RECORD_BYTES),
      INGEST_QUEUE_LIMIT: "1",
    });
  });
  afterAll(async () => {
    await s?.stop();
  });

  const submit = (body: unknown, headers?: Record<string, string>) =>
    s.call("POST", "/v1/records", { key: s.keys.submitter, body, headers });

  describe("400 for a submission that breaks the schema, naming the field", () => {
    it.each([
      ["a missing id", { record: { a: 1 } }, "id", "body"],
      ["an id longer than 128 characters", { id: "x".repeat(129), record: { a: 1 } }, "128", "body/id"],
      ["an id with a control character", { id: "tx\u00011", record: { a: 1 } }, "pattern", "body/id"],
      ["an id with a space", { id: "tx 1", record: { a: 1 } }, "pattern", "body/id"],
      ["an empty id", { id: "", record: { a: 1 } }, "fewer than 1", "body/id"],
      ["a record that is not an object", { id: "tx-1", record: "text" }, "object", "body/record"],
      ["a record that is an array", { id: "tx-1", record: [1, 2] }, "object", "body/record"],
      [
        "a digest that is not lowercase hex",
        { id: "tx-1", digest: DIGEST.toUpperCase() },
        "pattern",
        "body/digest",
      ],
      ["a digest of the wrong length", { id: "tx-1", digest: "0xabc" }, "pattern", "body/digest"],
      ["an unknown extra property", { id: "tx-1", record: { a: 1 }, extra: true }, "additional", "body"],
      ["a body that is an array", [{ id: "tx-1", record: { a: 1 } }], "object", "body"],
    ])("%s", async (_name, body, inMessage, field) => {
      const error = expectError(await submit(body), 400, "invalid_request");
      expect(error.message).toContain(inMessage);
      expect(error.details).toEqual({ field });
    });

    it.each([
      ["both record and digest", { id: "tx-1", record: { a: 1 }, digest: DIGEST }],
      ["neither record nor digest", { id: "tx-1" }],
    ])("%s", async (_name, body) => {
      const error = expectError(await submit(body), 400, "invalid_request");
      expect(error.message).toContain('exactly one of "record" and "digest"');
    });

    it("names the failing item of a batch call, and stores nothing", async () => {
      const records = [
        { id: "ok-1", digest: DIGEST },
        { id: "x".repeat(129), digest: DIGEST },
      ];
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      const error = expectError(res, 400, "invalid_request");
      expect(error.details.field).toBe("body/records/1/id");
      expectError(await s.call("GET", "/v1/records/ok-1", { key: s.keys.reader }), 404, "not_found");
    });

    it("an empty batch call", async () => {
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records: [] } });
      expect(expectError(res, 400, "invalid_request").details).toEqual({ field: "body/records" });
    });
  });

  describe("bodies the parser refuses", () => {
    it("400 invalid_json for malformed JSON", async () => {
      expectError(await submit('{"id": "tx-1", "record": {'), 400, "invalid_json");
    });

    it("400 invalid_json for a body that is not UTF-8 or starts with a byte-order mark: nothing is repaired or stored", async () => {
      const latin1 = Buffer.from('{"id":"tx-latin1","record":{"officer":"Ødegård"}}', "latin1");
      const error = expectError(await submit(latin1), 400, "invalid_json");
      expect(error.message).toMatch(/^the body is not UTF-8: the bytes d8 64 at offset \d+ \(line 1\)/);
      expectError(await s.call("GET", "/v1/records/tx-latin1", { key: s.keys.reader }), 404, "not_found");
      const bom = Buffer.from(`\ufeff${JSON.stringify({ id: "tx-bom", digest: DIGEST })}`);
      expect(expectError(await submit(bom), 400, "invalid_json").message).toMatch(
        /^the body starts with a byte-order mark \(U\+FEFF/,
      );
      expectError(await s.call("GET", "/v1/records/tx-bom", { key: s.keys.reader }), 404, "not_found");
    });

    it("400 invalid_json for an empty JSON body", async () => {
      expectError(await submit(""), 400, "invalid_json");
    });

    it("415 for a body that is not JSON", async () => {
      const res = await submit("id=tx-1", { "content-type": "application/x-www-form-urlencoded" });
      expectError(res, 415, "unsupported_media_type");
      const plain = await submit('{"id":"tx-1","digest":"x"}', { "content-type": "text/plain" });
      expectError(plain, 415, "unsupported_media_type");
    });

    it(`413 for a body above BODY_LIMIT_BYTES (${BODY_LIMIT_BYTES})`, async () => {
      const res = await submit({ id: "tx-big", record: { blob: "x".repeat(BODY_LIMIT_BYTES) } });
      expectError(res, 413, "payload_too_large");
      expectError(await s.call("GET", "/v1/records/tx-big", { key: s.keys.reader }), 404, "not_found");
    });
  });

  describe(`413 for a record above MAX_RECORD_BYTES (${MAX_RECORD_BYTES}, as JCS bytes) in a body below BODY_LIMIT_BYTES`, () => {
    /** A record whose JCS form, {"blob":"x…x"}, is exactly `bytes` long. */
    const recordOf = (bytes: number) => ({ blob: "x".repeat(bytes - '{"blob":""}'.length) });

    it("POST /v1/records: one byte over is 413 naming the record; exactly at the limit is accepted", async () => {
      const over = await submit({ id: "big-record", record: recordOf(MAX_RECORD_BYTES + 1) });
      const error = expectError(over, 413, "payload_too_large");
      expect(error.message).toContain(`${MAX_RECORD_BYTES + 1} bytes`);
      expect(error.message).toContain("MAX_RECORD_BYTES");
      expect(error.details).toEqual({ field: "record" });
      expectError(await s.call("GET", "/v1/records/big-record", { key: s.keys.reader }), 404, "not_found");
      expect((await submit({ id: "limit-record", record: recordOf(MAX_RECORD_BYTES) })).status).toBe(202);
    });

    it("POST /v1/records/batch: 413 naming the item, and nothing of the call is stored", async () => {
      const records = [
        { id: "batch-small", record: recordOf(20) },
        { id: "batch-big", record: recordOf(MAX_RECORD_BYTES + 1) },
      ];
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      expect(expectError(res, 413, "payload_too_large").details).toEqual({ field: "records/1/record" });
      expectError(await s.call("GET", "/v1/records/batch-small", { key: s.keys.reader }), 404, "not_found");
    });
  });

  describe("404 for what does not exist", () => {
    it("an unknown record, and its proof", async () => {
      const error = expectError(
        await s.call("GET", "/v1/records/nope", { key: s.keys.reader }),
        404,
        "not_found",
      );
      expect(error.message).toContain("nope");
      expectError(await s.call("GET", "/v1/records/nope/proof", { key: s.keys.reader }), 404, "not_found");
    });

    it("an unknown batch", async () => {
      const error = expectError(
        await s.call("GET", "/v1/batches/999999", { key: s.keys.reader }),
        404,
        "not_found",
      );
      expect(error.message).toContain("999999");
    });

    it("an unknown route", async () => {
      const error = expectError(
        await s.call("GET", "/v1/nothing-here?x=1", { key: s.keys.reader }),
        404,
        "not_found",
      );
      expect(error.message).toBe("no route GET /v1/nothing-here");
      expectError(await s.call("DELETE", "/v1/records", { key: s.keys.admin }), 404, "not_found");
    });

    it("400, not 404 or 500, for a batch seq that is not a number", async () => {
      const res = await s.call("GET", "/v1/batches/abc", { key: s.keys.reader });
      expect(expectError(res, 400, "invalid_request").details).toEqual({ field: "params/seq" });
    });
  });

  describe("pending records", () => {
    it("GET /proof answers 202 {status: pending} while the record is not anchored", async () => {
      expect((await submit({ id: "pending-1", digest: DIGEST })).status).toBe(202);
      const res = await s.call("GET", "/v1/records/pending-1/proof", { key: s.keys.reader });
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ id: "pending-1", status: "pending" });
    });

    it("?wait=1 long-polls about one second, then answers 202", async () => {
      const started = performance.now();
      const res = await s.call("GET", "/v1/records/pending-1/proof?wait=1", { key: s.keys.reader });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ id: "pending-1", status: "pending" });
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThan(5000);
    });

    it("400 for a wait above 60 seconds", async () => {
      const res = await s.call("GET", "/v1/records/pending-1/proof?wait=61", { key: s.keys.reader });
      expect(expectError(res, 400, "invalid_request").details).toEqual({ field: "querystring/wait" });
    });
  });

  describe("503 + Retry-After when the ingest queue is full (INGEST_QUEUE_LIMIT=1)", () => {
    it("refuses part of a concurrent burst and stores every submission it acknowledged", async () => {
      const before = await countPending(s.database.db);
      // Single submissions overflow the queue only when they arrive during a commit: on
      // PostgreSQL they do; PGlite commits without yielding to the network. A batch call of
      // two records never fits a queue of one, on either database.
      const singles = Array.from({ length: 40 }, (_, i) => submit({ id: `burst-${i}`, digest: DIGEST }));
      const pairs = Array.from({ length: 3 }, (_, i) =>
        s.call("POST", "/v1/records/batch", {
          key: s.keys.submitter,
          body: { records: [0, 1].map((j) => ({ id: `pair-${i}-${j}`, digest: DIGEST })) },
        }),
      );
      const [singleAnswers, pairAnswers] = await Promise.all([Promise.all(singles), Promise.all(pairs)]);
      const answers = [...singleAnswers, ...pairAnswers];
      const accepted = answers.filter((a) => a.status === 202);
      const refused = answers.filter((a) => a.status !== 202);
      expect(accepted.length).toBeGreaterThan(0);
      for (const res of pairAnswers) expect(res.status).toBe(503);
      if (target.kind === "postgres") expect(singleAnswers.some((a) => a.status === 503)).toBe(true);
      for (const res of refused) {
        const error = expectError(res, 503, "overloaded");
        expect(error.message).toContain("queue is full");
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      }
      const ids = accepted.map((a) => a.json.id as string);
      const stored = await s.database.db.query<{ id: string }>(
        "SELECT id FROM entries WHERE id = ANY($1::text[])",
        [[...ids, "pair-0-0", "pair-0-1"]],
      );
      expect(stored.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(await countPending(s.database.db)).toBe(before + accepted.length);
    });
  });

  // Last: it stops the service.
  describe("while shutting down", () => {
    it("a long poll in flight answers 202 pending at once, and the stop is not held up by it", async () => {
      const poll = s.call("GET", "/v1/records/pending-1/proof?wait=30", { key: s.keys.reader });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = performance.now();
      const stopped = s.service.stop();
      const res = await poll;
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ id: "pending-1", status: "pending" });
      expect(res.headers.get("connection")).toBe("close");
      await stopped;
      expect(performance.now() - started).toBeLessThan(5_000);
      await expect(fetch(`${s.url}/v1/records/pending-1`)).rejects.toThrow();
    });
  });
});
