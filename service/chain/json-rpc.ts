// A minimal JSON-RPC 2.0 client over HTTP (fetch), for the read-only verifier: one request
// per POST, no batching, no retries, a timeout on each request. Browser-compatible.
//
// It tells three outcomes apart, because a verifier must never report "could not ask" as
// "the evidence is invalid" (docs/evidence-format.md section 10, "Revert or outage"):
//   - a result: the endpoint answered;
//   - JsonRpcError: the endpoint answered with a JSON-RPC error object. For eth_call, a
//     revert is an answer (isRevert); every other error is an outage;
//   - any other failure (refused connection, DNS, timeout, an HTTP status other than 2xx, a
//     body that is not a JSON-RPC response to this request): JsonRpcTransportError, an outage.

export class JsonRpcError extends Error {
  override name = "JsonRpcError";
  readonly code: unknown;
  readonly data: unknown;

  constructor(code: unknown, message: string, data: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }
}

export class JsonRpcTransportError extends Error {
  override name = "JsonRpcTransportError";
}

/** Hex of whole bytes, "0x" included, in any case: what nodes put in a revert's `data`. */
const REVERT_DATA = /^0x(?:[0-9a-fA-F]{2})*$/;

/**
 * Whether a JSON-RPC error answering an eth_call is the contract reverting: code 3 (geth,
 * Erigon, Hardhat/EDR), revert data in `data` (Besu answers -32000 with it), or "revert" in
 * the message. Anything else (rate limits, internal errors, a stopped node) is an outage.
 */
export function isRevert(error: JsonRpcError): boolean {
  return (
    error.code === 3 ||
    (typeof error.data === "string" && REVERT_DATA.test(error.data)) ||
    /revert/i.test(error.message)
  );
}

export interface JsonRpcClient {
  /** Resolves with `result` (null included); rejects with JsonRpcError or JsonRpcTransportError. */
  request(method: string, params: unknown[]): Promise<unknown>;
  /** Aborts every request in flight. */
  close(): void;
}

export function createJsonRpcClient(url: string, timeoutMs: number): JsonRpcClient {
  const closing = new AbortController();
  let nextId = 1;
  return {
    async request(method, params) {
      const id = nextId++;
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
          signal: AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]),
        });
        text = await response.text();
      } catch (error) {
        const reason =
          (error as Error).name === "TimeoutError" ? `no answer in ${timeoutMs} ms` : causeOf(error);
        throw new JsonRpcTransportError(reason, { cause: error });
      }
      if (!response.ok)
        throw new JsonRpcTransportError(`HTTP ${response.status} ${response.statusText}`.trim());
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new JsonRpcTransportError("the answer is not JSON");
      }
      const answer = body as { id?: unknown; result?: unknown; error?: unknown };
      if (typeof body !== "object" || body === null || answer.id !== id) {
        throw new JsonRpcTransportError("the answer is not a JSON-RPC response to the request");
      }
      if (answer.error !== undefined && answer.error !== null) {
        const e = answer.error as { code?: unknown; message?: unknown; data?: unknown };
        throw new JsonRpcError(e.code, typeof e.message === "string" ? e.message : "(no message)", e.data);
      }
      if (!("result" in answer)) throw new JsonRpcTransportError("the answer has neither result nor error");
      return answer.result;
    },
    close() {
      closing.abort();
    },
  };
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND) in its cause. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === "string" ? cause.code : cause?.message;
  const message = (error as Error).message;
  return typeof detail === "string" && detail !== "" ? `${message} (${detail})` : message;
}
