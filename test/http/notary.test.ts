// The trust root over HTTP: GET /v1/notary serves the profile the service pins (no key), and
// POST /v1/verify pins it, so a bundle naming another chain or contract fails `notary`.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notaryFingerprint, parseNotaryProfile } from "../../service/core/notary-profile.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

forEachDatabase((target) => {
  let s: TestService;
  // biome-ignore lint/suspicious/noExplicitAny: the bundle as served by /proof
  let bundle: any;
  beforeAll(async () => {
    s = await startTestService(target);
    const ack = await s.call("POST", "/v1/records", {
      key: s.keys.submitter,
      body: { id: "n-1", record: { amount: "5.00" } },
    });
    expect(ack.status).toBe(202);
    const proof = await s.call("GET", "/v1/records/n-1/proof?wait=20", { key: s.keys.reader });
    expect(proof.status).toBe(200);
    bundle = proof.json;
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe("GET /v1/notary", () => {
    it("serves DATA_DIR/notary.json without a key, with its fingerprint", async () => {
      const res = await s.call("GET", "/v1/notary");
      expect(res.status).toBe(200);
      const onDisk = JSON.parse(await readFile(join(s.dataDir, "notary.json"), "utf8"));
      expect(res.json).toEqual(onDisk);
      const profile = parseNotaryProfile(res.json);
      expect(res.headers.get("notary-fingerprint")).toBe(notaryFingerprint(profile));
      expect(profile).toMatchObject({ chainId: s.service.chainId, contract: s.service.contract });
      expect(s.service.notary).toEqual(profile);
    });
  });

  describe("POST /v1/verify pins the service's own profile", () => {
    const verify = (body: unknown) => s.call("POST", "/v1/verify", { key: s.keys.reader, body });

    it("passes the service's own bundle, notary check included, and names the notary", async () => {
      const res = await verify({ bundle, record: { amount: "5.00" } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        ok: true,
        verdict: "valid",
        notary: { name: s.service.notary.name, fingerprint: notaryFingerprint(s.service.notary) },
      });
      expect(res.json.checks.find((c: { name: string }) => c.name === "notary").status).toBe("pass");
    });

    it("fails notary for a bundle that names another contract or chain, and runs no other chain check", async () => {
      for (const anchor of [
        { ...bundle.anchor, contract: `0x${"5a".repeat(20)}` },
        { ...bundle.anchor, chainId: 1 },
      ]) {
        const res = await verify({ bundle: { ...bundle, anchor } });
        expect(res.status).toBe(200);
        expect(res.json.verdict).toBe("invalid");
        const status = Object.fromEntries(
          res.json.checks.map((c: { name: string; status: string }) => [c.name, c.status]),
        );
        expect(status).toMatchObject({
          notary: "fail",
          anchor_tx: "skip",
          anchor_root: "skip",
          anchor_block: "skip",
          onchain_inclusion: "skip",
        });
      }
    });

    it("gives no verdict on an unknown format", async () => {
      const res = await verify({ bundle: { ...bundle, format: "evidence-bundle/v9" } });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ ok: false, verdict: "unsupported_format" });
    });
  });
});
