// Security through real HTTP: role checks on every route as a table of route × caller,
// keys hashed at rest and never logged, the anchoring key never logged or returned, rate
// limits per key, body and batch limits, loopback binding, and security headers on HTML.
// (The contract's own check, non-anchorers reverted, is in test/contracts/evidence-anchor.test.ts.)
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../service/config.ts";
import { hasChromium, launchChromium } from "../helpers/chromium.ts";
import { forEachDatabase, onlyOn } from "../helpers/databases.ts";
import { documentedRoutes } from "../helpers/routes.ts";
import { type HttpResult, startTestService, type TestService } from "../helpers/service.ts";

const DIGEST = `0x${"ef".repeat(32)}`;
const BODY_LIMIT_BYTES = 8192;
const MAX_RECORDS_PER_CALL = 3;

type Caller =
  | "none"
  | "malformed"
  | "unknown"
  | "wrong secret"
  | "revoked"
  | "submitter"
  | "reader"
  | "eraser"
  | "admin";
const CALLERS: readonly Caller[] = [
  "none",
  "malformed",
  "unknown",
  "wrong secret",
  "revoked",
  "submitter",
  "reader",
  "eraser",
  "admin",
];
type Role = "reader" | "submitter" | "eraser";
/** Who may call: public routes take anyone; the rest name the roles besides admin (none: admin only). */
type Access = "public" | readonly Role[];

interface Route {
  method: string;
  path: string;
  access: Access;
  /** The concrete path and body of a valid call (it may create what it needs first). */
  call: () => Promise<{ path: string; body?: unknown }>;
  ok: number;
}

/** Keys are enk_<8 hex id>_<43 base64url characters>; the secret may itself contain "_". */
const keyId = (key: string) => key.slice(4, 12);
const keySecret = (key: string) => key.slice(13);

let seq = 0;
const nextId = () => `auth-${++seq}`;

forEachDatabase((target) => {
  describe("security", () => {
    let s: TestService;
    let anchorKey = "";
    const logLines: string[] = [];
    const printed: string[] = [];
    const answers: HttpResult[] = [];
    const keys = {} as Record<Caller, string | undefined>;
    let batchSeq = 0;

    /** Every call of this file goes through here, so every answer can be searched for secrets. */
    const call = async (...args: Parameters<TestService["call"]>) => {
      const res = await s.call(...args);
      answers.push(res);
      return res;
    };
    const newKey = async (role: string) => {
      const res = await call("POST", "/v1/keys", { key: s.keys.admin, body: { role } });
      expect(res.status).toBe(201);
      return res.json as { id: string; key: string };
    };

    beforeAll(async () => {
      const logStream = new Writable({
        write(chunk, _encoding, done) {
          logLines.push(...String(chunk).split("\n").filter(Boolean));
          done();
        },
      });
      s = await startTestService(
        target,
        {
          BATCH_INTERVAL_MS: "100",
          BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES),
          MAX_RECORDS_PER_CALL: String(MAX_RECORDS_PER_CALL),
        },
        { logger: { level: "trace", stream: logStream }, print: (line) => printed.push(line) },
      );
      anchorKey = (await readFile(join(s.dataDir, "anchorer.key"), "utf8")).trim();
      const revoked = await newKey("reader");
      expect((await call("DELETE", `/v1/keys/${revoked.id}`, { key: s.keys.admin })).status).toBe(204);
      const id = keyId(s.keys.reader);
      const secret = keySecret(s.keys.reader);
      Object.assign(keys, {
        none: undefined,
        malformed: "not-a-key",
        unknown: `enk_00000000_${secret}`,
        "wrong secret": `enk_${id}_${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`,
        revoked: revoked.key,
        submitter: s.keys.submitter,
        reader: s.keys.reader,
        eraser: s.keys.eraser,
        admin: s.keys.admin,
      });
      await call("POST", "/v1/records", { key: s.keys.submitter, body: { id: "anchored", digest: DIGEST } });
      const proof = await call("GET", "/v1/records/anchored/proof?wait=30", { key: s.keys.reader });
      expect(proof.status).toBe(200);
      batchSeq = proof.json.batch;
      await call("POST", "/v1/records", { key: s.keys.submitter, body: { id: "erased", digest: DIGEST } });
      const erased = await call("POST", "/v1/records/erased/erasure", {
        key: s.keys.eraser,
        body: { reason: "table", reference: "table" },
      });
      expect(erased.status).toBe(200);
    });
    afterAll(async () => {
      await s?.stop();
    });

    const get = (path: string, ok = 200): Omit<Route, "method" | "access"> & { method: string } => ({
      method: "GET",
      path,
      call: async () => ({ path: path.replace(":id", "anchored").replace(":seq", String(batchSeq)) }),
      ok,
    });
    /** A record of its own, pending: each call that changes one gets a fresh one. */
    const freshRecord = async () => {
      const id = nextId();
      expect(
        (await s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id, digest: DIGEST } })).status,
      ).toBe(202);
      return id;
    };
    const ERASE = { reason: "route table", reference: "DSR-table" };
    const ROUTES: Route[] = [
      { ...get("/healthz"), access: "public" },
      { ...get("/readyz"), access: "public" },
      { ...get("/metrics"), access: "public" },
      { ...get("/verify"), access: "public" },
      { ...get("/v1/notary"), access: "public" },
      {
        method: "GET",
        path: "/v1/records",
        access: ["reader"],
        call: async () => ({
          path: "/v1/records?receivedFrom=2000-01-01T00:00:00Z&receivedTo=2100-01-01T00:00:00Z",
        }),
        ok: 200,
      },
      { ...get("/v1/records/:id"), access: ["reader"] },
      { ...get("/v1/records/:id/proof"), access: ["reader"] },
      { ...get("/v1/records/:id/certificate"), access: ["reader"] },
      {
        method: "GET",
        path: "/v1/records/:id/erasure",
        access: ["reader", "eraser"],
        call: async () => ({ path: "/v1/records/erased/erasure" }),
        ok: 200,
      },
      {
        method: "POST",
        path: "/v1/records/:id/erasure",
        access: ["eraser"],
        call: async () => ({ path: `/v1/records/${await freshRecord()}/erasure`, body: ERASE }),
        ok: 200,
      },
      {
        method: "POST",
        path: "/v1/erasures",
        access: ["eraser"],
        call: async () => ({ path: "/v1/erasures", body: { ids: [await freshRecord()], ...ERASE } }),
        ok: 200,
      },
      {
        method: "PUT",
        path: "/v1/records/:id/hold",
        access: [],
        call: async () => ({ path: `/v1/records/${await freshRecord()}/hold`, body: { reference: "court" } }),
        ok: 200,
      },
      {
        method: "DELETE",
        path: "/v1/records/:id/hold",
        access: [],
        call: async () => {
          const id = await freshRecord();
          const put = await s.call("PUT", `/v1/records/${id}/hold`, {
            key: s.keys.admin,
            body: { reference: "court" },
          });
          expect(put.status).toBe(200);
          return { path: `/v1/records/${id}/hold` };
        },
        ok: 204,
      },
      { ...get("/v1/batches"), access: ["reader"] },
      { ...get("/v1/batches/:seq"), access: ["reader"] },
      {
        method: "POST",
        path: "/v1/verify",
        access: ["reader"],
        call: async () => ({
          path: "/v1/verify",
          body: { bundle: (await s.call("GET", "/v1/records/anchored/proof", { key: s.keys.reader })).json },
        }),
        ok: 200,
      },
      {
        method: "POST",
        path: "/v1/records",
        access: ["submitter"],
        call: async () => ({ path: "/v1/records", body: { id: nextId(), digest: DIGEST } }),
        ok: 202,
      },
      {
        method: "POST",
        path: "/v1/records/batch",
        access: ["submitter"],
        call: async () => ({
          path: "/v1/records/batch",
          body: { records: [{ id: nextId(), digest: DIGEST }] },
        }),
        ok: 202,
      },
      {
        method: "POST",
        path: "/v1/keys",
        access: [],
        call: async () => ({ path: "/v1/keys", body: { role: "reader", name: "table" } }),
        ok: 201,
      },
      {
        method: "DELETE",
        path: "/v1/keys/:id",
        access: [],
        call: async () => ({ path: `/v1/keys/${(await newKey("reader")).id}` }),
        ok: 204,
      },
    ];

    it("the table lists every route the service documents", async () => {
      expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`))).toEqual(await documentedRoutes(s.call));
    });

    function expected(access: Access, caller: Caller, ok: number): number {
      if (access === "public") return ok;
      if (!["submitter", "reader", "eraser", "admin"].includes(caller)) return 401;
      return caller === "admin" || access.includes(caller as Role) ? ok : 403;
    }

    const rows = ROUTES.flatMap((route) => CALLERS.map((caller) => [route, caller] as const));
    it.each(rows.map(([r, c]) => [`${r.method} ${r.path}`, c, r] as const))(
      "%s as %s",
      async (_name, caller, route) => {
        const { path, body } = await route.call();
        const key = keys[caller];
        const res = await call(route.method, path, { ...(key === undefined ? {} : { key }), body });
        const want = expected(route.access, caller, route.ok);
        expect(res.status, res.text.slice(0, 200)).toBe(want);
        if (want >= 400) {
          expect(res.json.error.code).toBe(want === 401 ? "unauthorized" : "forbidden");
          if (want === 401) expect(res.headers.get("www-authenticate") ?? "Bearer").toMatch(/^Bearer/);
        }
      },
    );

    it("a malformed Authorization header is 401, never 500", async () => {
      for (const header of [
        "Bearer",
        "Bearer  ",
        "Basic dXNlcjpwYXNz",
        `Bearer ${s.keys.reader} extra`,
        "x".repeat(8000),
      ]) {
        const res = await call("GET", "/v1/batches", { headers: { authorization: header } });
        expect(res.status, header.slice(0, 40)).toBe(401);
      }
    });

    it("stores only hashes of keys: no secret appears in api_keys, as text or bytes", async () => {
      const rows = await s.database.db.query<Record<string, unknown>>("SELECT * FROM api_keys");
      expect(rows.length).toBeGreaterThanOrEqual(4);
      const dump = JSON.stringify(rows, (_k, v) =>
        v instanceof Uint8Array || (v && v.type === "Buffer") ? Buffer.from(v.data ?? v).toString("hex") : v,
      );
      for (const key of [s.keys.admin, s.keys.submitter, s.keys.reader]) {
        const secret = keySecret(key);
        expect(secret).toHaveLength(43);
        expect(dump).not.toContain(secret);
        expect(dump).not.toContain(Buffer.from(secret, "base64url").toString("hex"));
        expect(dump).not.toContain(Buffer.from(key).toString("hex"));
      }
    });

    it("never logs a key's secret, and never logs or returns the anchoring key", async () => {
      expect(anchorKey).toMatch(/[0-9a-f]{64}/i);
      const anchorHex = anchorKey.replace(/^0x/i, "").toLowerCase();
      expect(logLines.length).toBeGreaterThan(50); // requests, keys created and revoked, batches anchored
      expect(logLines.some((l) => l.includes("API key created"))).toBe(true);
      const everything = [...logLines, ...printed, ...answers.map((a) => a.text)].join("\n").toLowerCase();
      expect(everything).not.toContain(anchorHex);
      const logs = logLines.join("\n");
      for (const key of [s.keys.admin, s.keys.submitter, s.keys.reader]) {
        expect(logs).not.toContain(keySecret(key));
      }
      // The key id is public and is what the log names.
      expect(logs).toContain(keyId(s.keys.submitter));
    });

    it("a malformed ANCHOR_PRIVATE_KEY in the environment is refused without echoing it", () => {
      const almost = `0x${anchorKey.replace(/^0x/i, "").slice(0, 63)}g`;
      let message = "";
      try {
        parseConfig({ DATA_DIR: s.dataDir, ANCHOR_PRIVATE_KEY: almost });
      } catch (error) {
        message = String(error);
      }
      expect(message).toContain("ANCHOR_PRIVATE_KEY must be 32 bytes of hex");
      expect(message).not.toContain(almost.slice(2, 40));
    });

    it(`413 for a body above BODY_LIMIT_BYTES and a batch call above MAX_RECORDS_PER_CALL`, async () => {
      const big = await call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: nextId(), record: { pad: "x".repeat(BODY_LIMIT_BYTES) } },
      });
      expect(big.status).toBe(413);
      expect(big.json.error.code).toBe("payload_too_large");
      const records = Array.from({ length: MAX_RECORDS_PER_CALL + 1 }, () => ({
        id: nextId(),
        digest: DIGEST,
      }));
      const batch = await call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      expect(batch.status).toBe(413);
      expect(batch.json.error.message).toContain(`at most ${MAX_RECORDS_PER_CALL} records`);
      const stored = await call("GET", `/v1/records/${records[0]?.id}`, { key: s.keys.reader });
      expect(stored.status).toBe(404);
    });

    it("binds the API and the local chain to loopback by default; other hosts need HOST/CHAIN_HOST", async () => {
      const defaults = parseConfig({ DATA_DIR: s.dataDir });
      expect([defaults.host, defaults.chainHost]).toEqual(["127.0.0.1", "127.0.0.1"]);
      expect(parseConfig({ DATA_DIR: s.dataDir, HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
      const api = new URL(s.url);
      const chain = new URL(s.service.chainUrl);
      expect([api.hostname, chain.hostname]).toEqual(["127.0.0.1", "127.0.0.1"]);
      // The listening sockets themselves: not reachable on this machine's other addresses.
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && !a.internal && a.family === "IPv4")
        .map((a) => a?.address as string);
      for (const address of others) {
        for (const port of [api.port, chain.port]) {
          expect(await tryConnect(address, Number(port)), `${address}:${port}`).toBe("refused");
        }
      }
      if (others.length === 0) console.warn("no non-loopback IPv4 address here: reachability not probed");
    });

    it("HTML pages carry security headers, and Swagger UI's policy allows only its own scripts", async () => {
      const docs = await call("GET", "/docs/static/index.html");
      expect(docs.status).toBe(200);
      const csp = docs.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')* ?;/);
      expect(csp).not.toMatch(/https:|upgrade-insecure-requests/);
      for (const path of ["/docs/static/index.html", "/verify", "/v1/records/anchored/certificate"]) {
        const page = await call("GET", path, { key: s.keys.reader });
        expect(page.status, path).toBe(200);
        expect(page.headers.get("content-type"), path).toMatch(/^text\/html/);
        expect(page.headers.get("x-content-type-options"), path).toBe("nosniff");
        expect(page.headers.get("referrer-policy"), path).toBe("no-referrer");
        expect(page.headers.get("x-frame-options"), path).toBe("DENY");
        expect(page.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
        const scriptSrc = /script-src ([^;]*)/.exec(page.headers.get("content-security-policy") ?? "")?.[1];
        expect(scriptSrc, path).toBeDefined();
        expect(scriptSrc, path).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
      }
      const json = await call("GET", "/v1/batches", { key: s.keys.reader });
      expect(json.headers.get("content-security-policy")).toContain("default-src 'none'");
    });

    it.skipIf(!hasChromium)("Swagger UI still renders under that policy (headless Chromium)", async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const refused: string[] = [];
        page.on("console", (m) => {
          if (/Content.Security.Policy|Refused to/i.test(m.text())) refused.push(m.text());
        });
        await page.goto(`${s.url}/docs`);
        await page.locator(".swagger-ui .info .title").filter({ hasText: "Evidence Notary API" }).waitFor();
        expect(await page.locator(".opblock").count()).toBeGreaterThan(10);
        expect(refused).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  });

  onlyOn(
    "pglite",
    target,
    describe,
  )("rate limit per key (RATE_LIMIT_PER_MINUTE=5)", () => {
    let s: TestService;
    beforeAll(async () => {
      s = await startTestService(target, { RATE_LIMIT_PER_MINUTE: "5", BATCH_INTERVAL_MS: "3600000" });
    });
    afterAll(async () => {
      await s?.stop();
    });

    it("the 6th call of one key is 429 with Retry-After; another key still gets through", async () => {
      for (let i = 0; i < 5; i++) {
        const res = await s.call("POST", "/v1/records", {
          key: s.keys.submitter,
          body: { id: `rl-${i}`, digest: DIGEST },
        });
        expect(res.status).toBe(202);
      }
      const limited = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "rl-6", digest: DIGEST },
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(Object.keys(limited.json)).toEqual(["error"]);
      expect(limited.json.error.code).toBe("rate_limited");
      expect(limited.json.error.message).toMatch(/retry in/);
      const other = await s.call("GET", "/v1/records/rl-0", { key: s.keys.reader });
      expect(other.status).toBe(200);
      // The limited call stored nothing; operations routes are not limited.
      expect((await s.call("GET", "/v1/records/rl-6", { key: s.keys.reader })).status).toBe(404);
      for (let i = 0; i < 7; i++) expect((await s.call("GET", "/healthz")).status).toBe(200);
    });
  });

  onlyOn(
    "pglite",
    target,
    describe,
  )("rate limits key on what was authenticated (RATE_LIMIT_PER_MINUTE=20)", () => {
    const LIMIT = 20;
    /** A well-formed key nobody was given: each one costs a lookup, so each one must count. */
    const bogusKey = (id = randomBytes(4).toString("hex")) =>
      `enk_${id}_${randomBytes(32).toString("base64url")}`;
    let s: TestService;
    beforeAll(async () => {
      s = await startTestService(target, {
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        BATCH_INTERVAL_MS: "3600000",
      });
    });
    afterAll(async () => {
      await s?.stop();
    });

    it("40 calls with fresh bogus keys from one address: 20 are 401, then 429", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 2 * LIMIT; i++) {
        statuses.push((await s.call("GET", "/v1/batches", { key: bogusKey() })).status);
      }
      expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(LIMIT).fill(429)]);
      // Calls without any key count against the same address.
      expect((await s.call("GET", "/v1/batches")).status).toBe(429);
    });

    it("knowing a key's public id does not use up that key's budget, and the key's own calls are limited", async () => {
      const id = keyId(s.keys.submitter);
      for (let i = 0; i < 2 * LIMIT; i++) {
        expect((await s.call("GET", "/v1/batches", { key: bogusKey(id) })).status).not.toBe(200);
      }
      for (let i = 0; i < LIMIT; i++) {
        const res = await s.call("POST", "/v1/records", {
          key: s.keys.submitter,
          body: { id: `budget-${i}`, digest: DIGEST },
        });
        expect(res.status, res.text).toBe(202);
      }
      const over = await s.call("POST", "/v1/records", {
        key: s.keys.submitter,
        body: { id: "budget-over", digest: DIGEST },
      });
      expect(over.status).toBe(429);
      // Another key, from the same address, has its own budget.
      expect((await s.call("GET", "/v1/records/budget-0", { key: s.keys.reader })).status).toBe(200);
    });
  });
});

function tryConnect(host: string, port: number): Promise<"connected" | "refused"> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", () => resolve("refused"));
    socket.once("timeout", () => {
      socket.destroy();
      resolve("refused");
    });
  });
}
