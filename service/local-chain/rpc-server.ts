// The local chain's JSON-RPC endpoint. It forwards the standard read methods to the
// simulated node, journals every raw transaction from an allowlisted sender, and refuses
// everything that would let a client act as an unlocked account or rewrite history
// (eth_sendTransaction, evm_*, hardhat_*): this is a permissioned chain whose accounts sign
// their own transactions.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JournaledChain } from "./journaled-chain.ts";
import { RPC_TRANSACTION_REJECTED } from "./rpc-error.ts";

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const ALLOWED_PREFIXES = ["eth_", "net_", "web3_"];
const DENIED_METHODS = new Set([
  "eth_sendTransaction",
  "eth_sign",
  "eth_signTransaction",
  "eth_signTypedData",
  "eth_signTypedData_v3",
  "eth_signTypedData_v4",
]);

// Browsers may call the endpoint from any page (the service's /verify page runs the
// verifier in the browser): everything it reads is public chain data. A browser page may
// not send a transaction, though: a request carrying an Origin header (browsers add one to
// every cross-origin request, and this endpoint is on its own port, so to every request
// from a page) gets eth_sendRawTransaction refused, whoever signed it.
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "content-type",
};

interface RpcRequest {
  jsonrpc?: string;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

type RpcResponse =
  | { jsonrpc: "2.0"; id: unknown; result: unknown }
  | { jsonrpc: "2.0"; id: unknown; error: { code: number; message: string; data?: unknown } };

function rpcError(id: unknown, code: number, message: string, data?: unknown): RpcResponse {
  return {
    jsonrpc: "2.0",
    id: id ?? null,
    error: data === undefined ? { code, message } : { code, message, data },
  };
}

/** Whether a method may be called here at all; any eth_send* but the raw one would send unsigned. */
function isServed(method: string): boolean {
  if (DENIED_METHODS.has(method)) return false;
  if (method.startsWith("eth_send")) return method === "eth_sendRawTransaction";
  return ALLOWED_PREFIXES.some((prefix) => method.startsWith(prefix));
}

async function handleOne(
  chain: JournaledChain,
  request: RpcRequest,
  fromBrowser: boolean,
): Promise<RpcResponse> {
  const { id, method } = request;
  const params = Array.isArray(request.params) ? request.params : [];
  if (typeof method !== "string") return rpcError(id, -32600, "invalid request: method must be a string");
  if (method === "eth_accounts") return { jsonrpc: "2.0", id, result: [] };
  if (!isServed(method)) {
    return rpcError(id, -32601, `method ${method} is not available on this permissioned chain`);
  }
  if (method === "eth_sendRawTransaction" && fromBrowser) {
    return rpcError(
      id,
      RPC_TRANSACTION_REJECTED,
      "transaction rejected: browser pages (requests with an Origin header) may read this chain but not send transactions",
    );
  }
  try {
    const result =
      method === "eth_sendRawTransaction"
        ? await chain.sendRawTransaction(params[0])
        : await chain.read(method, params);
    return { jsonrpc: "2.0", id, result: result ?? null };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof e.code === "number" ? e.code : -32603;
    return rpcError(id, code, typeof e.message === "string" ? e.message : "internal error", e.data);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface RpcServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startRpcServer(chain: JournaledChain, host: string, port: number): Promise<RpcServer> {
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", ...CORS_HEADERS });
      res.end(JSON.stringify(body));
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...CORS_HEADERS, "access-control-max-age": "600" });
      return res.end();
    }
    if (req.method !== "POST") return send(405, rpcError(null, -32600, "use POST with a JSON-RPC body"));
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(req));
    } catch {
      return send(400, rpcError(null, -32700, "parse error"));
    }
    const fromBrowser = req.headers.origin !== undefined;
    if (Array.isArray(parsed)) {
      const responses = [];
      for (const request of parsed) {
        responses.push(await handleOne(chain, (request ?? {}) as RpcRequest, fromBrowser));
      }
      return send(200, responses);
    }
    return send(200, await handleOne(chain, (parsed ?? {}) as RpcRequest, fromBrowser));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const displayHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${displayHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
