// A JSON-RPC endpoint for tests that stands in front of a chain: it counts every call by
// method (how many calls does the service make while anchoring is stalled?), and can answer
// some methods itself, the way another node would (Besu on a free-gas network answers
// eth_gasPrice with 0, which no Hardhat node can be configured to do). Everything else goes
// to the chain unchanged: to a URL, or to an in-process EIP-1193 provider (a Hardhat EDR
// network), which gets an HTTP endpoint this way.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Eip1193Provider } from "../../service/local-chain/simulated-node.ts";

export interface RpcProxy {
  url: string;
  /** Calls per method since the start (or the last reset). */
  readonly calls: Map<string, number>;
  /** All calls, or those of methods for which `which` is true. */
  count(which?: (method: string) => boolean): number;
  reset(): void;
  close(): Promise<void>;
}

export interface RpcProxyOptions {
  /** Answers a method itself: return a result, or undefined to pass the call on. */
  answer?: (method: string, params: unknown[]) => unknown;
}

interface RpcRequest {
  id?: unknown;
  method?: string;
  params?: unknown[];
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

async function forwardOne(target: string | Eip1193Provider, request: RpcRequest): Promise<unknown> {
  if (typeof target === "string") {
    const res = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", ...request }),
    });
    return res.json();
  }
  try {
    const result = await target.request({ method: request.method ?? "", params: request.params ?? [] });
    return { jsonrpc: "2.0", id: request.id, result: result ?? null };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; data?: unknown };
    return {
      jsonrpc: "2.0",
      id: request.id,
      error: {
        code: typeof e.code === "number" ? e.code : -32603,
        message: typeof e.message === "string" ? e.message : "internal error",
        ...(e.data === undefined ? {} : { data: e.data }),
      },
    };
  }
}

export async function startRpcProxy(
  target: string | Eip1193Provider,
  options: RpcProxyOptions = {},
): Promise<RpcProxy> {
  const calls = new Map<string, number>();
  const handle = async (request: RpcRequest): Promise<unknown> => {
    const method = request.method ?? "";
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const answered = options.answer?.(method, request.params ?? []);
    if (answered !== undefined) return { jsonrpc: "2.0", id: request.id, result: answered };
    return forwardOne(target, request);
  };
  const server = createServer(async (req, res) => {
    let parsed: RpcRequest | RpcRequest[];
    try {
      parsed = JSON.parse(await readBody(req)) as RpcRequest | RpcRequest[];
    } catch {
      res.writeHead(400).end();
      return;
    }
    const answer = Array.isArray(parsed) ? await Promise.all(parsed.map(handle)) : await handle(parsed);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    count: (which = () => true) => [...calls].reduce((sum, [method, n]) => sum + (which(method) ? n : 0), 0),
    reset: () => calls.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
