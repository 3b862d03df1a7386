// GET /v1/records/:id/certificate: the printable evidence certificate, through real HTTP,
// with a real chain, on both databases.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forEachDatabase } from "../helpers/databases.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const HOSTILE_ID = "<script>alert(1)</script>";

/** Submits `id` and waits until it is anchored; returns its evidence bundle. */
async function notarize(s: TestService, id: string, record: unknown) {
  const ack = await s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id, record } });
  expect(ack.status).toBe(202);
  const proof = await s.call("GET", `/v1/records/${encodeURIComponent(id)}/proof?wait=20`, {
    key: s.keys.reader,
  });
  expect(proof.status).toBe(200);
  return proof.json;
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

forEachDatabase((target) => {
  let s: TestService;
  // biome-ignore lint/suspicious/noExplicitAny: the bundle as served by /proof
  let bundle: any;
  beforeAll(async () => {
    s = await startTestService(target);
    bundle = await notarize(s, "case-42", { amount: "99.00", currency: "EUR" });
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe("GET /v1/records/:id/certificate", () => {
    it("is an HTML page with the record, times, anchor, every check verified against the chain, and the bundle", async () => {
      const res = await s.call("GET", "/v1/records/case-42/certificate", { key: s.keys.reader });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/);
      const html = res.text;
      for (const value of [
        bundle.recordId,
        bundle.digest,
        bundle.salt,
        bundle.root,
        bundle.anchor.txHash,
        bundle.anchor.blockHash,
        bundle.anchor.contract,
        `<td>${bundle.anchor.blockNumber}</td>`,
        `<td>${bundle.anchor.chainId}</td>`,
        `<td>${bundle.batch}</td>`,
        `leaf ${bundle.leafIndex} of ${bundle.treeSize}`,
      ]) {
        expect(html).toContain(value);
      }
      // Times: UTC written by the server, local time filled in by the viewer's browser.
      const anchored = new Date(bundle.anchor.timestamp * 1000).toISOString();
      expect(html).toContain(`${anchored.slice(0, 10)} ${anchored.slice(11, 19)} UTC`);
      expect(html).toContain(`data-local="${anchored}"`);

      // The checks, run now against the chain: the record itself is not held, so digest is not run.
      const statuses = Object.fromEntries(
        [...html.matchAll(/data-check="(\w+)" data-status="(\w+)"/g)].map((m) => [m[1], m[2]]),
      );
      expect(statuses).toEqual({
        schema: "pass",
        digest: "skip",
        leaf: "pass",
        root: "pass",
        notary: "pass",
        anchor_tx: "pass",
        anchor_root: "pass",
        anchor_block: "pass",
        onchain_inclusion: "pass",
      });
      expect(html).toContain('data-verdict="valid"');

      // The bundle, embedded and as a download, byte for byte what /proof serves.
      const pre = html.match(/<pre>([\s\S]*?)<\/pre>/)?.[1];
      expect(JSON.parse(unescapeHtml(pre ?? ""))).toEqual(bundle);
      const href = html.match(/href="data:application\/json;charset=utf-8,([^"]*)"/)?.[1];
      expect(JSON.parse(decodeURIComponent(unescapeHtml(href ?? "")))).toEqual(bundle);
      expect(html).toContain('download="evidence-case-42.json"');
    });

    it("sends a CSP that allows exactly its one inline script, by hash", async () => {
      const res = await s.call("GET", "/v1/records/case-42/certificate", { key: s.keys.reader });
      const csp = res.headers.get("content-security-policy") ?? "";
      const scripts = [...res.text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
      expect(scripts).toHaveLength(1);
      const hash = createHash("sha256")
        .update(scripts[0] ?? "")
        .digest("base64");
      expect(csp).toContain(`script-src 'sha256-${hash}'`);
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    });

    it("escapes a hostile record id everywhere", async () => {
      const hostile = await notarize(s, HOSTILE_ID, { note: "x" });
      const res = await s.call("GET", `/v1/records/${encodeURIComponent(HOSTILE_ID)}/certificate`, {
        key: s.keys.reader,
      });
      expect(res.status).toBe(200);
      expect(res.text).not.toContain("<script>alert(1)");
      expect(res.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(res.text.match(/<script>/g)).toHaveLength(1);
      expect(res.text).toContain('download="evidence-_script_alert_1___script_.json"');
      const pre = res.text.match(/<pre>([\s\S]*?)<\/pre>/)?.[1];
      expect(JSON.parse(unescapeHtml(pre ?? ""))).toEqual(hostile);
    });

    it("answers 404 for an unknown record, in the one error shape", async () => {
      const res = await s.call("GET", "/v1/records/no-such-id/certificate", { key: s.keys.reader });
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ error: { code: "not_found" } });
    });

    it("answers 202 with the pending shape (and Retry-After) while the record is not anchored", async () => {
      // A second service whose batcher waits an hour: the record stays pending.
      const slow = await startTestService(target, { BATCH_INTERVAL_MS: "3600000" });
      try {
        const ack = await slow.call("POST", "/v1/records", {
          key: slow.keys.submitter,
          body: { id: "case-43", record: { amount: "1.00" } },
        });
        expect(ack.status).toBe(202);
        const res = await slow.call("GET", "/v1/records/case-43/certificate", { key: slow.keys.reader });
        expect(res.status).toBe(202);
        expect(res.json).toEqual({ id: "case-43", status: "pending" });
        expect(res.headers.get("retry-after")).toBe("1");
      } finally {
        await slow.stop();
      }
    });

    it("needs a reader (or admin) key", async () => {
      const anonymous = await s.call("GET", "/v1/records/case-42/certificate");
      expect(anonymous.status).toBe(401);
      const submitter = await s.call("GET", "/v1/records/case-42/certificate", { key: s.keys.submitter });
      expect(submitter.status).toBe(403);
      const admin = await s.call("GET", "/v1/records/case-42/certificate", { key: s.keys.admin });
      expect(admin.status).toBe(200);
    });
  });
});
