// The whole service, in process, on real parts: a real local chain (Hardhat EDR behind the
// journaled JSON-RPC endpoint), a real database (PGlite or PostgreSQL from forEachDatabase),
// and real HTTP over a socket.
import { rm } from "node:fs/promises";
import { parseConfig } from "../../service/config.ts";
import { type RunningService, type StartOptions, startService } from "../../service/main.ts";
import type { DatabaseTarget, TestDatabase } from "./databases.ts";
import { makeDataDir } from "./local-chain.ts";

export interface HttpResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests assert response fields one by one
  json: any;
  text: string;
}

export interface TestService {
  service: RunningService;
  database: TestDatabase;
  dataDir: string;
  url: string;
  keys: { admin: string; submitter: string; reader: string; eraser: string };
  /** One HTTP call; `body` is JSON-encoded unless it is a string. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string; headers?: Record<string, string> },
  ): Promise<HttpResult>;
  stop(): Promise<void>;
}

/** One HTTP call to the service at `url`; `body` is JSON-encoded unless it is a string or bytes. */
export function httpCaller(url: string): TestService["call"] {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (options.body !== undefined) {
      body =
        typeof options.body === "string"
          ? options.body
          : options.body instanceof Uint8Array
            ? new Uint8Array(options.body)
            : JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
}

export async function startTestService(
  target: DatabaseTarget,
  env: Record<string, string> = {},
  options: Pick<StartOptions, "logger" | "print"> = {},
): Promise<TestService> {
  const dataDir = await makeDataDir("en-service-");
  const database = await target.create();
  const config = parseConfig({
    DATA_DIR: dataDir,
    PORT: "0",
    CHAIN_PORT: "0",
    BATCH_INTERVAL_MS: "100",
    ...env,
  });
  const service = await startService(config, { logger: false, ...options, database: database.db });
  const url = service.url;
  const call = httpCaller(url);
  const admin = service.adminKey;
  if (admin === undefined) throw new Error("a fresh service must create an admin key");
  const newKey = async (role: string) => {
    const res = await call("POST", "/v1/keys", { key: admin, body: { role } });
    if (res.status !== 201) throw new Error(`cannot create ${role} key: ${res.status} ${res.text}`);
    return res.json.key as string;
  };
  const keys = {
    admin,
    submitter: await newKey("submitter"),
    reader: await newKey("reader"),
    eraser: await newKey("eraser"),
  };
  return {
    service,
    database,
    dataDir,
    url,
    keys,
    call,
    stop: async () => {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
