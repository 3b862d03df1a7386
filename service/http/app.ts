// buildApp(deps) makes the Fastify app; it never listens (main.ts does). Tests build it
// with real dependencies and call app.inject or listen on port 0.
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import Fastify, { type FastifyServerOptions } from "fastify";
import { EvidenceError, InvalidArgumentError } from "../core/errors.ts";
import { assertIJson } from "../core/i-json.ts";
import { decodeJsonBytes } from "../core/json-text.ts";
import { BundleCache, invalidateOnChange } from "../evidence/bundle-cache.ts";
import { EvidenceReader } from "../evidence/record-evidence.ts";
import { OverloadedError } from "../service-errors.ts";
import type { AppContext, AppDeps, NotaryApp } from "./app-context.ts";
import { authenticateKey, requireRole } from "./auth.ts";
import { BatchAnchoredSignal } from "./batch-anchored-signal.ts";
import { clientErrorHandler, errorBody, registerErrorHandling, sendError } from "./error-handler.ts";
import { batchRoutes } from "./routes/batches.ts";
import { certificateRoutes } from "./routes/certificate.ts";
import { erasureRoutes } from "./routes/erasures.ts";
import { holdRoutes } from "./routes/holds.ts";
import { keyRoutes } from "./routes/keys.ts";
import { notaryRoutes } from "./routes/notary.ts";
import { opsRoutes } from "./routes/ops.ts";
import { recordRoutes } from "./routes/records.ts";
import { verifyRoutes } from "./routes/verify.ts";
import { verifyPageRoutes } from "./routes/verify-page.ts";
import { securityHeaders } from "./security-headers.ts";

export interface BuildAppOptions {
  logger?: FastifyServerOptions["logger"];
}

export interface App {
  app: NotaryApp;
  /** Marks the app as closing: long polls return early and /readyz reports not ready. */
  beginClose(): void;
}

/**
 * Bodies are validated strictly (no type coercion, no silent removal of unknown fields);
 * query strings and path parameters are text, so they may be coerced to numbers.
 */
function validatorCompiler() {
  const make = (coerce: boolean) => {
    const ajv = new Ajv({
      coerceTypes: coerce,
      useDefaults: true,
      removeAdditional: false,
      allErrors: false,
      strict: false,
    });
    addFormats.default(ajv);
    return ajv;
  };
  const strict = make(false);
  const coercing = make(true);
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    (httpPart === "body" ? strict : coercing).compile(schema);
}

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: deps.config.bodyLimitBytes,
    // Closing is answered by the hook below, in the API's error shape with Retry-After.
    return503OnClosing: false,
    ajv: { customOptions: { coerceTypes: false } },
    // A record id is up to 128 characters, each of which may need 3 when percent-encoded.
    routerOptions: { maxParamLength: 3 * 128 },
    frameworkErrors: sendError,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());
  let closing = false;
  const batchAnchored = new BatchAnchoredSignal(deps.db);
  app.addHook("onClose", () => batchAnchored.close());
  const bundleCache = deps.bundleCache ?? new BundleCache();
  let listening: Promise<() => void> | undefined;
  app.addHook("onClose", async () => (await listening?.catch(() => undefined))?.());
  const ctx: AppContext = {
    app,
    deps,
    auth: (roles) => requireRole(roles),
    isClosing: () => closing,
    batchAnchored,
    evidence: new EvidenceReader(deps.db),
    bundles: {
      cache: bundleCache,
      async ready() {
        listening ??= invalidateOnChange(deps.db, bundleCache).catch((error: unknown) => {
          listening = undefined;
          throw error;
        });
        await listening;
      },
    },
  };

  registerErrorHandling(app);
  // JSON only: without this, Fastify's built-in text/plain parser hands a string to the body
  // schema, and a non-JSON content type gets a misleading 400 instead of 415.
  app.removeContentTypeParser("text/plain");
  // JSON bodies are UTF-8 without a byte-order mark, never repaired (core/json-text.ts: read
  // as a string, bad bytes became U+FFFD and a record was notarized as its holder never had
  // it), and I-JSON: no duplicate names, lone surrogates or infinite numbers. The
  // prototype-pollution names are refused by that same scan (i-json.ts), so Fastify's
  // parser is told not to scan the text a second time for them.
  const parseJson = app.getDefaultJsonParser("ignore", "ignore");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, raw, done) => {
    let body: string;
    try {
      body = decodeJsonBytes(raw as Buffer);
    } catch (error) {
      const e = error as InvalidArgumentError;
      return done(new InvalidArgumentError(e.code, `the body ${e.message}`, { details: e.details }));
    }
    parseJson(request, body, (error, value) => {
      if (error) return done(error);
      try {
        assertIJson(body, { refusePrototypeNames: true });
      } catch (invalid) {
        return done(invalid as Error);
      }
      done(null, value);
    });
  });
  // Security headers on every answer. JSON answers get a CSP that allows nothing; the HTML
  // pages set their own (the verification page and the certificate by script hash, the
  // Swagger UI below by its own hashes). No HSTS: TLS ends at the operator's proxy, which
  // decides it.
  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
    },
    strictTransportSecurity: false,
    xFrameOptions: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
  });
  // Who is calling, before the rate limit keys on it: @fastify/rate-limit adds its hook to
  // each route, and route-level onRequest hooks run after this app-level one.
  const authenticate = authenticateKey(deps.authenticator);
  // One hook for what every call needs first, as a callback rather than an async function
  // (a promise and a turn of the microtask queue less per hook and request; issue 12): the
  // security headers, then for the API the refusal while draining and the caller's key.
  // Draining also closes each connection after its last answer (onSend): a keep-alive
  // connection that goes idle after close() began is never closed by Fastify and would hold
  // the shutdown for the whole keep-alive timeout (72 s).
  app.addHook("onRequest", function (request, reply, done) {
    reply.headers(headers);
    if (!request.url.startsWith("/v1/")) return done();
    if (closing) return done(new OverloadedError("the service is shutting down; retry shortly", 5));
    authenticate.call(this, request, reply, done);
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Evidence Notary API",
        version: "1",
        description:
          "Notarize transaction records: submit records, get RFC 6962 inclusion proofs anchored on an EVM chain as self-contained evidence bundles, and verify them.",
      },
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "enk_<id>_<secret>" } },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    // Swagger UI's own policy (its scripts and inline hashes), made stricter: not framed by
    // anyone, nothing from other origins, and no upgrade to https, which would break the UI
    // on a plain-HTTP loopback.
    staticCSP: true,
    transformStaticCSP: (header) =>
      header
        .replace(/\s*upgrade-insecure-requests;?/, "")
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(" validator.swagger.io", "")
        .replaceAll(" https:", "")
        // The UI sets style attributes from script; inline styles, never inline scripts.
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  });

  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimitPerMinute,
    timeWindow: 60_000,
    // Per authenticated key; calls that failed authentication (or sent no key) per address,
    // so neither a key's public id nor a stream of made-up keys gets past it.
    keyGenerator: (request) => (request.apiKey ? `key:${request.apiKey.id}` : `address:${request.ip}`),
    allowList: (request) => !request.url.startsWith("/v1/"),
    errorResponseBuilder: (_request, context) => {
      const error = new EvidenceError("rate_limited", `rate limit exceeded; retry in ${context.after}`);
      return Object.assign(error, { statusCode: 429 });
    },
  });

  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    deps.metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500)
      deps.metrics.errors.inc({ component: "http", code: String(reply.statusCode) });
    done();
  });

  await opsRoutes(ctx);
  await recordRoutes(ctx);
  await certificateRoutes(ctx);
  await erasureRoutes(ctx);
  await holdRoutes(ctx);
  await batchRoutes(ctx);
  await verifyRoutes(ctx);
  await notaryRoutes(ctx);
  await verifyPageRoutes(ctx);
  await keyRoutes(ctx);

  return {
    app,
    beginClose: () => {
      closing = true;
      batchAnchored.wakeAll();
    },
  };
}

export { errorBody };
