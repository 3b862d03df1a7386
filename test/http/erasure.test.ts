// Erasure and legal hold through real HTTP, on both databases (issue 13): erasing answers the
// erasure, and the same again; from then on the record's status, proof and certificate are
// 410 Gone with when and under which reference, and carry nothing derived from the content,
// even from a bundle served (and kept in memory) before; the erasure's own evidence verifies
// with its statement as the record; a legal hold blocks it; the bulk route answers one result
// per id and validates all or nothing. Roles are in auth.test.ts, bad input in fuzz.test.ts,
// pending records in erasure-pending.test.ts, the neighbours' evidence in erasure-neighbours.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { type HttpResult, startTestService, type TestService } from "../helpers/service.ts";

const RECORD = { amount: "12.50", currency: "EUR", iban: "DE89370400440532013000", name: "Erika Mustermann" };
const ERASE = { reason: "Erika Mustermann asked on 2026-12-01 (Art. 17 GDPR)", reference: "DSR-2026-0042" };

/** Everything of a bundle that is derived from the record's content, as it could appear in a body. */
function contentTraces(bundle: { digest: string; salt: string; leafHash: string }): string[] {
  return [bundle.digest, bundle.salt, bundle.leafHash].flatMap((hex) => [hex, hex.slice(2)]);
}

function expectGone(res: HttpResult, erasure: { erasedAt: string; reference: string }, traces: string[]) {
  expect(res.status, res.text).toBe(410);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.json.error).toMatchObject({ code: "erased", details: erasure });
  expect(Object.keys(res.json.error.details).sort()).toEqual(["erasedAt", "reference"]);
  for (const trace of traces) expect(res.text).not.toContain(trace);
  expect(res.text).not.toMatch(/Erika|Mustermann|Art\. 17/);
}

forEachDatabase((target) => {
  let s: TestService;
  let seq = 0;
  const nextId = (prefix: string) => `${prefix}-${++seq}`;
  /** Submits a record and waits for its bundle. */
  const anchoredRecord = async (id: string, record: object = { ...RECORD, id }) => {
    const ack = await s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id, record } });
    expect(ack.status).toBe(202);
    const proof = await s.call("GET", `/v1/records/${id}/proof?wait=20`, { key: s.keys.reader });
    expect(proof.status).toBe(200);
    return proof;
  };
  const erase = (id: string, body: object = ERASE, key = s.keys.eraser) =>
    s.call("POST", `/v1/records/${encodeURIComponent(id)}/erasure`, { key, body });

  beforeAll(async () => {
    s = await startTestService(target, { BATCH_INTERVAL_MS: "100" });
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe("POST /v1/records/:id/erasure", () => {
    it("answers the erasure, the same again; then status, proof and certificate are 410 with nothing of the content", async () => {
      const id = nextId("erase");
      const proof = await anchoredRecord(id, RECORD);
      // Served twice: the second time from the bundle cache, which the erasure must empty.
      expect((await s.call("GET", `/v1/records/${id}/proof`, { key: s.keys.reader })).text).toBe(proof.text);

      const first = await erase(id);
      expect(first.status, first.text).toBe(200);
      expect(first.json).toEqual({
        id,
        status: "erased",
        erasedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        reference: ERASE.reference,
        statement: {
          format: "erasure-statement/v1",
          erasedLeaf: proof.json.leafHash,
          erasedAt: first.json.erasedAt,
          reference: ERASE.reference,
        },
      });
      expect(first.text).not.toMatch(/Erika|Art\. 17/);
      // The same answer again, whatever is asked the second time.
      const again = await erase(id, { reason: "twice", reference: "DSR-other" });
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      const byAdmin = await erase(id, ERASE, s.keys.admin);
      expect(byAdmin.text).toBe(first.text);

      const erasure = { erasedAt: first.json.erasedAt, reference: ERASE.reference };
      for (const path of ["", "/proof", "/proof?wait=5", "/certificate"]) {
        const res = await s.call("GET", `/v1/records/${id}${path}`, { key: s.keys.reader });
        expectGone(res, erasure, contentTraces(proof.json));
      }

      // The list shows it as erased, with nothing of the content either.
      const list = await s.call(
        "GET",
        `/v1/records?receivedFrom=2000-01-01T00:00:00Z&receivedTo=2100-01-01T00:00:00Z&limit=1000`,
        { key: s.keys.reader },
      );
      const listed = list.json.records.find((r: { id: string }) => r.id === id);
      expect(listed).toEqual({
        id,
        status: "erased",
        receivedAt: expect.any(String),
        erasure,
        hold: null,
        batch: null,
      });

      // The id cannot be used again.
      const reuse = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id, record: RECORD },
      });
      expect(reuse.status).toBe(409);
      expect(reuse.json.error.message).toMatch(/was erased/);
      expect(reuse.text).not.toContain(proof.json.digest);
    });

    it("404 for an unknown id; 400 for a bad body, which erases nothing", async () => {
      expect((await erase("no-such-record")).status).toBe(404);
      const id = nextId("bad-body");
      await anchoredRecord(id);
      for (const body of [
        {},
        { reason: "r" },
        { reference: "r" },
        { ...ERASE, extra: 1 },
        { ...ERASE, reason: "" },
        { ...ERASE, reference: "" },
        { ...ERASE, reference: "two\nlines" },
        { ...ERASE, reference: "r".repeat(201) },
        { ...ERASE, reason: "r".repeat(2001) },
      ]) {
        const res = await erase(id, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.json.error.code).toBe("invalid_request");
      }
      expect((await s.call("GET", `/v1/records/${id}`, { key: s.keys.reader })).status).toBe(200);
      // The longest reference is taken.
      expect((await erase(id, { ...ERASE, reference: "r".repeat(200) })).status).toBe(200);
    });
  });

  describe("GET /v1/records/:id/erasure", () => {
    it("serves the statement and, once anchored, its bundle, which verifies with the statement as the record", async () => {
      const id = nextId("evidence");
      const proof = await anchoredRecord(id);
      const erased = await erase(id);
      const res = await s.call("GET", `/v1/records/${id}/erasure?wait=20`, { key: s.keys.eraser });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({
        ...erased.json,
        erasedRecord: {
          leafHash: proof.json.leafHash,
          batch: { seq: proof.json.batch, leafIndex: proof.json.leafIndex },
        },
        anchoring: "anchored",
        bundle: { format: "evidence-bundle/v1", recordId: `erasure:${id}` },
      });
      const { bundle, statement } = res.json;
      expect(bundle.digest).toBe(toHex(digestRecord(statement)));
      // Its own leaf, in a batch after the record's (the record was anchored before the erasure).
      expect(bundle.batch).toBeGreaterThan(proof.json.batch);
      expect(res.text).not.toMatch(/Erika|Art\. 17/);
      expect(res.text).not.toContain(proof.json.digest);
      expect(res.text).not.toContain(proof.json.salt);

      const verified = await s.call("POST", "/v1/verify", {
        key: s.keys.reader,
        body: { bundle, record: statement },
      });
      expect(verified.json.ok, verified.text).toBe(true);
      expect(verified.json.checks.map((c: { status: string }) => c.status)).not.toContain("skip");
      // Readers may read it too.
      expect((await s.call("GET", `/v1/records/${id}/erasure`, { key: s.keys.reader })).text).toBe(res.text);
    });

    it("404 for a record that is not erased, and for an unknown one", async () => {
      const id = nextId("not-erased");
      await anchoredRecord(id);
      const notErased = await s.call("GET", `/v1/records/${id}/erasure`, { key: s.keys.reader });
      expect(notErased.status).toBe(404);
      expect(notErased.json.error.message).toMatch(/is not erased/);
      expect((await s.call("GET", "/v1/records/nothing-here/erasure", { key: s.keys.reader })).status).toBe(
        404,
      );
    });
  });

  describe("legal hold", () => {
    it("a held record is not erased (409 legal_hold) and shows its hold; lifted, it can be; an erased record cannot be held", async () => {
      const id = nextId("held");
      const proof = await anchoredRecord(id);
      const put = await s.call("PUT", `/v1/records/${id}/hold`, {
        key: s.keys.admin,
        body: { reference: "Court of Frankfurt 2-06 O 123/26" },
      });
      expect(put.status, put.text).toBe(200);
      expect(put.json).toEqual({
        id,
        hold: { reference: "Court of Frankfurt 2-06 O 123/26", placedAt: expect.any(String) },
      });
      const status = await s.call("GET", `/v1/records/${id}`, { key: s.keys.reader });
      expect(status.json).toMatchObject({
        status: "anchored",
        digest: proof.json.digest,
        hold: put.json.hold,
      });
      // PUT is idempotent.
      const again = await s.call("PUT", `/v1/records/${id}/hold`, {
        key: s.keys.admin,
        body: { reference: "Court of Frankfurt 2-06 O 123/26" },
      });
      expect(again.json).toEqual(put.json);

      const refused = await erase(id);
      expect(refused.status).toBe(409);
      expect(refused.json.error).toMatchObject({ code: "legal_hold", details: put.json.hold });
      const bulk = await s.call("POST", "/v1/erasures", {
        key: s.keys.eraser,
        body: { ids: [id], ...ERASE },
      });
      expect(bulk.json).toMatchObject({ erased: 0, held: 1, results: [{ id, status: "legal_hold" }] });
      // Nothing changed.
      expect((await s.call("GET", `/v1/records/${id}/proof`, { key: s.keys.reader })).text).toBe(proof.text);

      expect((await s.call("DELETE", `/v1/records/${id}/hold`, { key: s.keys.admin })).status).toBe(204);
      expect((await s.call("GET", `/v1/records/${id}`, { key: s.keys.reader })).json.hold).toBeNull();
      const lifted = await s.call("DELETE", `/v1/records/${id}/hold`, { key: s.keys.admin });
      expect(lifted.status).toBe(404);
      expect(lifted.json.error.message).toMatch(/not on legal hold/);
      expect((await erase(id)).status).toBe(200);

      const late = await s.call("PUT", `/v1/records/${id}/hold`, {
        key: s.keys.admin,
        body: { reference: "late" },
      });
      expect(late.status).toBe(410);
      expect(late.json.error.code).toBe("erased");
      const unknown = await s.call("PUT", "/v1/records/no-such-record/hold", {
        key: s.keys.admin,
        body: { reference: "x" },
      });
      expect(unknown.status).toBe(404);
      expect((await s.call("DELETE", "/v1/records/no-such-record/hold", { key: s.keys.admin })).status).toBe(
        404,
      );
    });
  });

  describe("POST /v1/erasures", () => {
    it("one result per id, in order: erased, already erased, not found, held", async () => {
      const [a, b, held, done] = ["bulk-a", "bulk-b", "bulk-held", "bulk-done"].map(nextId) as string[];
      const ack = await s.call("POST", "/v1/records/batch", {
        key: s.keys.submitter,
        body: { records: [a, b, held, done].map((id) => ({ id, record: { ...RECORD, id } })) },
      });
      expect(ack.status).toBe(202);
      await s.call("PUT", `/v1/records/${held}/hold`, { key: s.keys.admin, body: { reference: "case-9" } });
      const before = await erase(done as string);
      const ids = [a, "bulk-unknown", b, held, done, a];
      const res = await s.call("POST", "/v1/erasures", { key: s.keys.eraser, body: { ids, ...ERASE } });
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ erased: 2, alreadyErased: 2, notFound: 1, held: 1 });
      expect(res.json.results.map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([
        [a, "erased"],
        ["bulk-unknown", "not_found"],
        [b, "erased"],
        [held, "legal_hold"],
        [done, "already_erased"],
        [a, "already_erased"],
      ]);
      expect(res.json.results[3]).toMatchObject({ reference: "case-9", error: { code: "legal_hold" } });
      expect(res.json.results[4]).toMatchObject({
        erasedAt: before.json.erasedAt,
        reference: ERASE.reference,
      });
      for (const id of [a, b]) {
        expect((await s.call("GET", `/v1/records/${id}`, { key: s.keys.reader })).status).toBe(410);
      }
      expect((await s.call("GET", `/v1/records/${held}`, { key: s.keys.reader })).status).toBe(200);
    });

    it("validates all or nothing: one bad id refuses the call and erases nothing; above MAX_RECORDS_PER_CALL is 413", async () => {
      const id = nextId("all-or-nothing");
      await s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id, record: RECORD } });
      const bad = await s.call("POST", "/v1/erasures", {
        key: s.keys.eraser,
        body: { ids: [id, "fine", "not ok"], ...ERASE },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.details.field).toBe("body/ids/2");
      for (const body of [{ ids: [], ...ERASE }, { ids: [id] }, { ids: [id], ...ERASE, extra: true }]) {
        expect((await s.call("POST", "/v1/erasures", { key: s.keys.eraser, body })).status).toBe(400);
      }
      const tooMany = Array.from({ length: 10_001 }, (_, i) => (i === 0 ? id : `many-${i}`));
      const big = await s.call("POST", "/v1/erasures", {
        key: s.keys.eraser,
        body: { ids: tooMany, ...ERASE },
      });
      expect(big.status).toBe(413);
      expect(big.json.error.code).toBe("payload_too_large");
      expect((await s.call("GET", `/v1/records/${id}`, { key: s.keys.reader })).status).toBe(200);
    });

    it("erases 10,000 records in one call", async () => {
      const ids = Array.from({ length: 10_000 }, (_, i) => `ten-k-${i}`);
      const ack = await s.call("POST", "/v1/records/batch", {
        key: s.keys.submitter,
        body: { records: ids.map((id, i) => ({ id, record: { i } })) },
      });
      expect(ack.json.created).toBe(10_000);
      const res = await s.call("POST", "/v1/erasures", { key: s.keys.eraser, body: { ids, ...ERASE } });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.json).toMatchObject({ erased: 10_000, alreadyErased: 0, notFound: 0, held: 0 });
      expect((await s.call("GET", `/v1/records/${ids[9_999]}`, { key: s.keys.reader })).status).toBe(410);
      const last = await s.call("GET", `/v1/records/${ids[9_999]}/erasure?wait=30`, { key: s.keys.reader });
      expect(last.json.anchoring).toBe("anchored");
      const metrics = (await s.call("GET", "/metrics")).text;
      expect(
        Number(/^en_erasures_total\{outcome="erased"\} (\d+)$/m.exec(metrics)?.[1]),
      ).toBeGreaterThanOrEqual(10_000);
    });
  });
});
