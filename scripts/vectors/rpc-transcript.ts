// Serves a recorded chain view over real HTTP: a list of JSON-RPC questions and the answers
// an endpoint gave (or is scripted to give). The vectors in test/vectors/ carry such
// transcripts for the chain checks; docs/evidence-format.md section 15 states the matching
// rule this server implements, so that any verifier can be run against them:
//   - a request matches an entry with the same method and the same params, hex strings
//     compared case-insensitively; for eth_call only `to` and `data` of params[0] and the
//     block tag params[1] are compared;
//   - the entry's `result` (null included) or `error` is the answer; `httpStatus` instead
//     answers with that HTTP status and no JSON-RPC body;
//   - a request that matches no entry gets JSON-RPC error -32601, an outage.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface RpcExchange {
  method: string;
  params: unknown[];
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  httpStatus?: number;
}

export interface TranscriptServer {
  url: string;
  /** The requests received, in order, as [method, params]. */
  requests: Array<[string, unknown[]]>;
  /** The requests received that matched no entry (each got an outage). */
  unanswered(): Array<[string, unknown[]]>;
  close(): Promise<void>;
}

function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.toLowerCase();
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

function key(method: string, params: unknown[]): string {
  if (method === "eth_call") {
    const call = (params[0] ?? {}) as { to?: unknown; data?: unknown };
    return JSON.stringify(normalize([method, call.to, call.data, params[1]]));
  }
  return JSON.stringify(normalize([method, params]));
}

/** Finds the recorded answer to one request; undefined when there is none. */
export function findExchange(
  transcript: readonly RpcExchange[],
  method: string,
  params: unknown[],
): RpcExchange | undefined {
  const wanted = key(method, params);
  return transcript.find((e) => key(e.method, e.params) === wanted);
}

export async function serveTranscript(transcript: readonly RpcExchange[]): Promise<TranscriptServer> {
  const requests: Array<[string, unknown[]]> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const request = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
      const params = request.params ?? [];
      requests.push([request.method, params]);
      const exchange = findExchange(transcript, request.method, params);
      if (exchange?.httpStatus !== undefined) {
        res.writeHead(exchange.httpStatus, { "content-type": "text/plain" });
        res.end("recorded outage");
        return;
      }
      const answer =
        exchange === undefined
          ? { error: { code: -32601, message: `no recorded answer to ${request.method}` } }
          : exchange.error !== undefined
            ? { error: exchange.error }
            : { result: exchange.result ?? null };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: request.id, ...answer }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unanswered: () =>
      requests.filter(([method, params]) => findExchange(transcript, method, params) === undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
