// Bad input on every route, through real HTTP: malformed JSON, random bytes, wrong types,
// huge ids, deep nesting, 10 MB and 20 MB bodies, 10 MB records (above MAX_RECORD_BYTES),
// lone surrogates, numbers JCS cannot encode and duplicate keys. Every answer is a 2xx for
// a valid request or a 4xx in the one error shape {error:{code,message}}: never a 5xx,
// never a dropped connection; /readyz stays 200.
// One service per database (PGlite and PostgreSQL): some inputs reach the database (a year
// 0 timestamp once was a 500 from it).
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { forEachDatabase } from "../helpers/databases.ts";
import { documentedRoutes } from "../helpers/routes.ts";
import { type HttpResult, startTestService, type TestService } from "../helpers/service.ts";

interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  /** A valid body, for routes that take one. */
  body?: () => Record<string, unknown>;
  /** Where bodies are sent, for a route with a path parameter: a record made for it. */
  at?: string;
  query?: readonly string[];
}

const DIGEST = `0x${"cd".repeat(32)}`;
const MB = 1024 * 1024;
/** FUZZ_SCALE=10 runs ten times as many random cases (for hunting, not for CI). */
const RUNS = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1));
let bundle: Record<string, unknown> = {};
let seq = 0;
const nextId = () => `fuzz-${++seq}`;

const ROUTES: readonly Route[] = [
  { method: "GET", path: "/healthz" },
  { method: "GET", path: "/readyz" },
  { method: "GET", path: "/metrics" },
  { method: "GET", path: "/verify" },
  { method: "GET", path: "/v1/notary" },
  { method: "POST", path: "/v1/records", body: () => ({ id: nextId(), record: { a: 1 } }) },
  {
    method: "POST",
    path: "/v1/records/batch",
    body: () => ({ records: [{ id: nextId(), digest: DIGEST }] }),
  },
  { method: "GET", path: "/v1/records", query: ["receivedFrom", "receivedTo", "after", "limit"] },
  { method: "GET", path: "/v1/records/:id" },
  { method: "GET", path: "/v1/records/:id/proof", query: ["wait"] },
  { method: "GET", path: "/v1/records/:id/certificate" },
  { method: "GET", path: "/v1/records/:id/erasure", query: ["wait"] },
  {
    method: "POST",
    path: "/v1/records/:id/erasure",
    body: () => ({ reason: "fuzz", reference: "DSR-fuzz" }),
    at: "/v1/records/fuzz-erase/erasure",
  },
  { method: "POST", path: "/v1/erasures", body: () => ({ ids: [nextId()], reason: "r", reference: "R" }) },
  {
    method: "PUT",
    path: "/v1/records/:id/hold",
    body: () => ({ reference: "court" }),
    at: "/v1/records/fuzz-hold/hold",
  },
  { method: "DELETE", path: "/v1/records/:id/hold" },
  { method: "GET", path: "/v1/batches", query: ["after", "limit"] },
  { method: "GET", path: "/v1/batches/:seq" },
  { method: "POST", path: "/v1/verify", body: () => ({ bundle }) },
  { method: "POST", path: "/v1/keys", body: () => ({ role: "reader", name: "fuzz" }) },
  { method: "DELETE", path: "/v1/keys/:id" },
];
const BODY_ROUTES = ROUTES.filter((r) => r.body !== undefined);
const PARAM_ROUTES = ROUTES.filter((r) => r.path.includes("/:"));
const QUERY_ROUTES = ROUTES.filter((r) => r.query !== undefined);

/** A 2xx, or a 4xx with exactly the error shape. Returns the status. */
function expectHandled(res: HttpResult, what: string): number {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
    expect(Object.keys(res.json ?? {}), what).toEqual(["error"]);
    expect(typeof res.json.error.code, what).toBe("string");
    expect(res.json.error.message.length, what).toBeGreaterThan(0);
    expect(res.text, what).not.toMatch(/stack|\.ts:\d|node:internal|FST_ERR/);
  }
  return res.status;
}

function expectRefused(res: HttpResult, what: string, status = 400, code?: string) {
  expect(expectHandled(res, what), `${what}: ${res.text.slice(0, 300)}`).toBe(status);
  if (code !== undefined) expect(res.json.error.code, what).toBe(code);
  return res.json.error as { code: string; message: string; details?: { field?: string } };
}

/** Percent-encodes arbitrary bytes, so paths and queries can carry invalid UTF-8 too. */
const percentEncode = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => `%${b.toString(16).padStart(2, "0")}`).join("");

const pathWith = (route: Route, param: string) => route.path.replace(/:\w+/, param);

/** A segment value: random bytes, random text (lone surrogates escaped as UTF-8 bytes), or huge. */
const segment = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map(percentEncode),
  fc.string({ unit: "binary", maxLength: 100 }).map((s) => percentEncode(Buffer.from(s, "utf8"))),
  fc.integer({ min: 101, max: 8000 }).map((n) => "9".repeat(n)),
  fc.constantFrom("-1", "1.5", "1e400", "0x10", "%00", "%ed%a0%80", "..", "%2e%2e%2f"),
  // Timestamps the date-time format accepts at its edges: a leap second, year 0, 9999.
  fc.constantFrom("2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z"),
);

forEachDatabase((target) => {
  describe("every route refuses bad input cleanly", () => {
    let s: TestService;
    let admin = "";
    const readiness: number[] = [];
    let poller: ReturnType<typeof setInterval> | undefined;
    const call = (route: Route, path: string, body?: unknown) =>
      s.call(route.method, path, {
        key: admin,
        ...(body === undefined ? {} : { body }),
      });

    beforeAll(async () => {
      s = await startTestService(target, { BATCH_INTERVAL_MS: "100" });
      admin = s.keys.admin;
      expect(
        (await s.call("POST", "/v1/records", { key: admin, body: { id: "anchored", digest: DIGEST } }))
          .status,
      ).toBe(202);
      const proof = await s.call("GET", "/v1/records/anchored/proof?wait=30", { key: admin });
      expect(proof.status).toBe(200);
      bundle = proof.json;
      // The records the erasure and hold routes' bodies go to (never the same: a held record is not erased).
      for (const id of ["fuzz-erase", "fuzz-hold"]) {
        expect(
          (await s.call("POST", "/v1/records", { key: admin, body: { id, digest: DIGEST } })).status,
        ).toBe(202);
      }
      // /readyz is asked every 250 ms for the whole file, and after each test.
      poller = setInterval(() => {
        fetch(`${s.url}/readyz`).then(
          (r) => readiness.push(r.status),
          () => readiness.push(0),
        );
      }, 250);
    });
    afterEach(async () => {
      const ready = await s.call("GET", "/readyz");
      expect(ready.status, ready.text).toBe(200);
    });
    afterAll(async () => {
      clearInterval(poller);
      await s?.stop();
    });

    it("the table lists every route the service documents", async () => {
      expect(new Set(ROUTES.map((r) => `${r.method} ${r.path}`))).toEqual(await documentedRoutes(s.call));
    });

    describe.each(BODY_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))("%s", (name, route) => {
      const valid = () => (route.body as () => Record<string, unknown>)();
      const send = (text: string) => call(route, route.at ?? route.path, text);

      it("malformed JSON and an empty body: 400 invalid_json", async () => {
        for (const text of ["{", '{"id":', "[1,]", "{'a':1}", "nul", '{"a":1}x', ""]) {
          expectRefused(await send(text), `${name} ${JSON.stringify(text)}`, 400, "invalid_json");
        }
      });

      it("duplicate keys, at the top and inside: 400 naming the member", async () => {
        const text = JSON.stringify(valid());
        const [firstName] = Object.keys(valid());
        const top = text.replace(
          /}$/,
          `,${JSON.stringify(firstName)}:${JSON.stringify(valid()[firstName as string])}}`,
        );
        expect(expectRefused(await send(top), `${name} top`, 400, "invalid_json").details?.field).toBe(
          `body/${firstName}`,
        );
        const inner = text.replace(/^{/, '{"extra":{"n":1,"n":2},');
        expect(expectRefused(await send(inner), `${name} inner`, 400, "invalid_json").message).toMatch(
          /^duplicate member name at body\/extra\/n/,
        );
      });

      it("lone surrogates: 400 naming the field", async () => {
        for (const lone of ["\\ud800", "\\udfff", "x\\ud83d"]) {
          const text = JSON.stringify(valid()).replace(/^{/, `{"extra":["ok","${lone}"],`);
          const error = expectRefused(await send(text), `${name} ${lone}`, 400, "invalid_json");
          expect(error.details?.field).toBe("body/extra/1");
          expect(error.message).toMatch(/lone surrogate/);
        }
      });

      it("numbers JCS cannot encode: 400, never a digest of null", async () => {
        for (const n of ["1e400", "-1e309", "9".repeat(400)]) {
          const text = JSON.stringify(valid()).replace(/^{/, `{"extra":{"x":${n}},`);
          const error = expectRefused(await send(text), `${name} ${n.slice(0, 10)}`, 400, "invalid_json");
          expect(error.details?.field).toBe("body/extra/x");
        }
      });

      it("10,000 levels of nesting: 400", async () => {
        const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
        expectRefused(await send(deep), `${name} deep array`, 400);
        const inObject = JSON.stringify(valid()).replace(
          /^{/,
          `{"extra":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)},`,
        );
        expectRefused(await send(inObject), `${name} deep object`, 400);
      });

      it("wrong types for every field: 400 naming it", async () => {
        const wrong: unknown[] = [null, 1, -0.5, true, "x", [], {}, [1, "a"], { id: 1 }];
        for (const field of Object.keys(valid())) {
          for (const value of wrong) {
            const res = await call(route, route.at ?? route.path, { ...valid(), [field]: value });
            if (expectHandled(res, `${name} ${field}=${JSON.stringify(value)}`) >= 400) {
              expect(res.status).toBe(400);
            }
          }
        }
        for (const whole of [null, 1, "x", [], [valid()]]) {
          expectRefused(
            await call(route, route.at ?? route.path, whole),
            `${name} body ${JSON.stringify(whole)}`,
            400,
          );
        }
      });

      it("a 20 MB body: 413", async () => {
        const text = JSON.stringify({ ...valid(), extra: "x".repeat(20 * MB) });
        expectRefused(await send(text), `${name} 20 MB`, 413, "payload_too_large");
      });
    });

    describe("10 MB bodies under the 16 MiB limit are answered like any other", () => {
      const big = () => ({ blob: "é".repeat(5 * MB), list: Array.from({ length: 1000 }, (_, i) => i) });
      it("a 10 MB record: 413, above MAX_RECORD_BYTES (1 MiB), naming the record", async () => {
        const res = await s.call("POST", "/v1/records", {
          key: admin,
          body: { id: nextId(), record: big() },
        });
        expect(expectRefused(res, "10 MB record", 413, "payload_too_large").details).toEqual({
          field: "record",
        });
      });
      it("a batch call of 10 MB, each record under 1 MiB: 202", async () => {
        const records = Array.from({ length: 10 }, () => ({
          id: nextId(),
          record: { blob: "x".repeat(MB - 100) },
        }));
        expect((await s.call("POST", "/v1/records/batch", { key: admin, body: { records } })).status).toBe(
          202,
        );
      });
      it("verifying a bundle against a 10 MB record: 200 ok=false (digest)", async () => {
        const res = await s.call("POST", "/v1/verify", { key: admin, body: { bundle, record: big() } });
        expect(res.status).toBe(200);
        expect(res.json.ok).toBe(false);
      });
      it("an API key with a 10 MB name: 400", async () => {
        const res = await s.call("POST", "/v1/keys", {
          key: admin,
          body: { role: "reader", name: "n".repeat(10 * MB) },
        });
        expectRefused(res, "10 MB key name", 400, "invalid_request");
      });
    });

    it("prototype keys (__proto__, constructor.prototype) in a body: 400, nothing polluted", async () => {
      for (const extra of ['"__proto__":{"polluted":1}', '"constructor":{"prototype":{"polluted":1}}']) {
        for (const route of BODY_ROUTES) {
          const text = JSON.stringify(route.body?.()).replace(/^{/, `{"record":{${extra}},"x":{${extra}},`);
          expectRefused(
            await call(route, route.at ?? route.path, text),
            `${route.path} ${extra}`,
            400,
            "invalid_json",
          );
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("content types: JSON with any parameters is parsed; anything else is 415", async () => {
      const body = () => JSON.stringify({ id: nextId(), digest: DIGEST });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8; x=y",
            "application/jsonx",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data; boundary=x",
            "",
            ";;;",
            "application/json; charset=iso-8859-1",
          ),
          async (contentType) => {
            const res = await fetch(`${s.url}/v1/records`, {
              method: "POST",
              headers: { authorization: `Bearer ${admin}`, "content-type": contentType },
              body: body(),
            });
            const text = await res.text();
            const status = expectHandled(
              { status: res.status, headers: res.headers, text, json: JSON.parse(text) },
              contentType,
            );
            if (/^application\/json(;|$)/i.test(contentType)) expect(status, contentType).toBe(202);
            else expect([400, 415], contentType).toContain(status);
          },
        ),
        { numRuns: 40 },
      );
    });

    it("random bytes as a JSON body: 4xx, never 5xx", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.uint8Array({ maxLength: 400 }),
          async (route, bytes) => {
            const res = await fetch(`${s.url}${route.at ?? route.path}`, {
              method: route.method,
              headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
              body: bytes,
            });
            const text = await res.text();
            expect(res.status, text).toBeGreaterThanOrEqual(400);
            expectHandled(
              { status: res.status, headers: res.headers, text, json: JSON.parse(text) },
              route.path,
            );
          },
        ),
        { numRuns: 400 * RUNS },
      );
    });

    it("arbitrary JSON in place of each field, and as the whole body: 2xx or 4xx", async () => {
      const value = fc.jsonValue({ maxDepth: 4, stringUnit: "binary" });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.nat(),
          value,
          fc.boolean(),
          async (route, n, v, whole) => {
            const body = (route.body as () => Record<string, unknown>)();
            const fields = Object.keys(body);
            const sent = whole ? v : { ...body, [fields[n % fields.length] as string]: v };
            // JSON.stringify escapes lone surrogates (\udxxx), so they reach the parser as such.
            expectHandled(
              await call(route, route.at ?? route.path, JSON.stringify(sent)),
              `${route.path} ${JSON.stringify(sent).slice(0, 200)}`,
            );
          },
        ),
        { numRuns: 400 * RUNS },
      );
    });

    it("random and huge path parameters: 4xx (or 200 for an existing one)", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...PARAM_ROUTES), segment, async (route, param) => {
          expectHandled(
            await call(route, pathWith(route, param)),
            `${route.method} ${route.path} ${param.slice(0, 80)}`,
          );
        }),
        { numRuns: 400 * RUNS },
      );
    });

    it("random paths under /docs/static (Swagger UI's files): 4xx, or 200 for a real file, never a file outside", async () => {
      await fc.assert(
        fc.asyncProperty(
          segment,
          fc.constantFrom("", "..%2f..%2f", "%2e%2e/%2e%2e/", "../../"),
          async (name, up) => {
            const res = await s.call("GET", `/docs/static/${up}${name}`);
            expectHandled(res, `/docs/static/${up}${name.slice(0, 80)}`);
            expect(res.text).not.toContain('"name": "evidence-notary"');
          },
        ),
        { numRuns: 100 * RUNS },
      );
    });

    it("random query values: 4xx, or 2xx when they happen to be valid", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...QUERY_ROUTES),
          fc.array(fc.tuple(fc.nat(), segment), { minLength: 1, maxLength: 4 }),
          async (route, pairs) => {
            const names = route.query as readonly string[];
            const query = pairs.map(([i, v]) => `${names[i % names.length]}=${v}`).join("&");
            // wait is at most 60 s: keep valid long polls short.
            const path = `${pathWith(route, "anchored")}?${query}`.replace(/wait=\d{2,}/g, "wait=0");
            expectHandled(await call(route, path), `${route.path}?${query.slice(0, 120)}`);
          },
        ),
        { numRuns: 400 * RUNS },
      );
    });

    it("huge ids: the longest id, percent-encoded in full, reads back; longer ones are 400", async () => {
      const id = `${"%".repeat(64)}${"?/#".repeat(21)}z`;
      expect(id).toHaveLength(128);
      expect((await s.call("POST", "/v1/records", { key: admin, body: { id, digest: DIGEST } })).status).toBe(
        202,
      );
      const read = await s.call("GET", `/v1/records/${encodeURIComponent(id)}`, { key: admin });
      expect(read.status, read.text).toBe(200);
      expect(read.json.id).toBe(id);
      for (const n of [129, 1000, MB]) {
        const body = { id: "i".repeat(n), digest: DIGEST };
        const error = expectRefused(await s.call("POST", "/v1/records", { key: admin, body }), `id of ${n}`);
        expect(error.details?.field).toBe("body/id");
      }
      expectRefused(await s.call("GET", `/v1/records/${"i".repeat(129)}`, { key: admin }), "GET id of 129");
    });

    it("time windows at the edges of the date-time format: a leap second is 400, years 0 and 9999 are 200", async () => {
      const list = (from: string, to: string) =>
        s.call("GET", `/v1/records?receivedFrom=${from}&receivedTo=${to}`, { key: admin });
      const leap = expectRefused(await list("2016-12-31T23:59:60Z", "2017-01-01T00:00:00Z"), "leap second");
      expect(leap.details?.field).toBe("querystring/receivedFrom");
      const wide = await list("0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z");
      expect(wide.status, wide.text.slice(0, 200)).toBe(200);
      expect(wide.json.records.length).toBeGreaterThan(0);
    });

    it("a URL beyond the HTTP parser's limit: 4xx in the error shape", async () => {
      const res = await s.call("GET", `/v1/records/${"a".repeat(20_000)}`, { key: admin });
      expectRefused(res, "20 KB URL", 431, "headers_too_large");
    });

    it("/readyz answered 200 every time it was asked during all of the above", () => {
      expect(readiness.length).toBeGreaterThan(10);
      expect(readiness.filter((status) => status !== 200)).toEqual([]);
    });
  });
});
