// The one mapping from errors to HTTP responses. Every error body has the same shape:
//   { "error": { "code": "...", "message": "...", "details"?: {...} } }
// 4xx messages say what was wrong; a 5xx says only that something failed on our side
// (the detail goes to the log, never to the client: no stack traces, no internals).
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_CODES, type ErrorCode, EvidenceError } from "../core/errors.ts";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** Retry-After of a 503 whose error does not say (e.g. the chain could not be asked). */
const DEFAULT_RETRY_AFTER_SECONDS = 2;

/** Fastify's own error codes, for errors raised before our handlers run. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "payload_too_large", message: "the request body is too large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: "unsupported_media_type",
    message: "send Content-Type: application/json",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: "invalid_request",
    message: "Content-Length does not match the body",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "invalid_json", message: "the JSON body is empty" },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "invalid_json", message: "the body is not valid JSON" },
  FST_ERR_BAD_URL: { code: "invalid_request", message: "the URL is not valid (bad percent-encoding)" },
  FST_ERR_MAX_PARAM_LENGTH: { code: "uri_too_long", message: "a path parameter is too long" },
};

export function errorBody(code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Status, body and headers for any thrown value. */
export function toHttpError(error: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> = {};
  if (error instanceof EvidenceError) {
    // A code outside the table can only come from code that bypassed the type checker: our bug.
    const status: number = ERROR_CODES[error.code] ?? 500;
    if (status === 503) {
      const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      headers["retry-after"] = String(typeof seconds === "number" ? seconds : DEFAULT_RETRY_AFTER_SECONDS);
    }
    if (status < 500 || status === 503) {
      return { status, body: errorBody(error.code, error.message, error.details), headers };
    }
    return { status, body: errorBody("internal", "internal error"), headers };
  }
  const fe = error as Partial<FastifyError> & { validation?: Array<{ instancePath?: string }> };
  if (fe.validation !== undefined) {
    const where = fe.validationContext ?? "body";
    const path = fe.validation[0]?.instancePath ?? "";
    return {
      status: 400,
      body: errorBody("invalid_request", fe.message ?? "invalid request", { field: `${where}${path}` }),
      headers,
    };
  }
  const known = fe.code === undefined ? undefined : FASTIFY_CODES[fe.code];
  if (known !== undefined) {
    return {
      status: ERROR_CODES[known.code],
      body: errorBody(known.code, known.message ?? ""),
      headers,
    };
  }
  if (error instanceof SyntaxError || fe.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return { status: 400, body: errorBody("invalid_json", "the body is not valid JSON"), headers };
  }
  if (typeof fe.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 500) {
    return {
      status: fe.statusCode,
      body: errorBody("invalid_request", fe.message ?? "bad request"),
      headers,
    };
  }
  return { status: 500, body: errorBody("internal", "internal error"), headers };
}

/** Answers `error` in the one error shape; also Fastify's `frameworkErrors` (bad URLs, before routing). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, headers } = toHttpError(error);
  // 503 is an expected, answered condition (queue full, database or chain away, shutting
  // down): a warning with its cause but without a stack, so a flood cannot fill the log
  // with traces.
  if (status === 503) {
    const cause = causeOf(error);
    request.log.warn(
      cause === undefined ? { code: body.error.code } : { code: body.error.code, cause },
      body.error.message,
    );
  } else if (status >= 500) request.log.error({ err: error }, "request failed");
  else request.log.info({ code: body.error.code }, body.error.message);
  return reply.code(status).headers(headers).send(body);
}

/** The messages of an error's causes, outermost first ("a <- b"), or undefined without a cause. */
function causeOf(error: unknown): string | undefined {
  const messages: string[] = [];
  for (let e = (error as { cause?: unknown }).cause; e !== undefined && messages.length < 5; ) {
    messages.push(describeError(e));
    e = (e as { cause?: unknown } | null)?.cause;
  }
  return messages.length === 0 ? undefined : messages.join(" <- ");
}

/** A one-line description; an AggregateError (e.g. a refused IPv4 and IPv6 connect) lists its errors. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const inner = error instanceof AggregateError ? error.errors.map(describeError).join("; ") : "";
  return [error.message, typeof code === "string" && !error.message.includes(code) ? code : "", inner]
    .filter(Boolean)
    .join(": ");
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses before Fastify sees
 * them (headers or URL above 16 KiB, malformed HTTP) get the error shape too.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, code, message]: [number, ErrorCode, string] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "headers_too_large", "the request line and headers exceed 16 KiB"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "the request took too long to arrive"]
        : [400, "invalid_request", "the request is not valid HTTP"];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) => {
    return reply
      .code(404)
      .send(errorBody("not_found", `no route ${request.method} ${request.url.split("?")[0]}`));
  });
}
