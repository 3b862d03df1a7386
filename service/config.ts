// All configuration comes from the environment (and an optional .env file), parsed and
// validated once, at start. Every wrong value is reported at once, with a clear message.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { isAddress } from "ethers";
import type { Hex } from "./core/hex.ts";
import { publicDevAccountIndex } from "./local-chain/public-dev-accounts.ts";

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** PostgreSQL server; undefined means embedded PGlite in DATA_DIR/pglite. */
  databaseUrl: string | undefined;
  /** External EVM JSON-RPC chain; undefined means the local chain, started in-process on chainPort. */
  chainRpcUrl: string | undefined;
  chainHost: string;
  chainPort: number;
  /** Local chain only: accounts allowed to send besides the operator, the genesis account and the deployer. */
  chainAllowedSenders: Hex[];
  /** Contract address; required with chainRpcUrl unless DATA_DIR/chain/deployment.json names it. */
  anchorContract: Hex | undefined;
  /** Anchoring key from the environment; otherwise read from anchorKeyFile. Never logged. */
  anchorPrivateKey: string | undefined;
  anchorKeyFile: string;
  /** The notary profile the service pins and serves (default DATA_DIR/notary.json). */
  notaryProfileFile: string;
  maxBatch: number;
  batchIntervalMs: number;
  confirmations: number;
  anchorTimeoutMs: number;
  /** /readyz turns not ready when a batch has waited this long without anchoring making progress. */
  anchorStallMs: number;
  /** Records accepted but not yet committed; beyond this, submissions get 503 + Retry-After. */
  ingestQueueLimit: number;
  bodyLimitBytes: number;
  maxRecordsPerCall: number;
  /** Largest record, measured as its JCS bytes (the bytes its digest is computed from). */
  maxRecordBytes: number;
  /** Requests per minute per API key. */
  rateLimitPerMinute: number;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Loads `.env` from the working directory into process.env (without overriding set variables). */
export function loadDotEnv(path = ".env"): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function parseConfig(env: Env): Config {
  const problems: string[] = [];
  const str = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error();
      return raw;
    } catch {
      problems.push(`${name} must be a ${protocols.join(" or ")}// URL, got "${redactUrl(raw)}"`);
      return undefined;
    }
  };

  const dataDir = resolve(str("DATA_DIR") ?? "./data");
  const contract = str("ANCHOR_CONTRACT");
  if (contract !== undefined && !isAddress(contract)) {
    problems.push(`ANCHOR_CONTRACT must be a 0x-prefixed 20-byte address, got "${contract}"`);
  }
  const key = str("ANCHOR_PRIVATE_KEY");
  if (key !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
    problems.push("ANCHOR_PRIVATE_KEY must be 32 bytes of hex (the value is not shown)");
  }
  const allowed = parseAllowedSenders(str("CHAIN_ALLOWED_SENDERS"));
  problems.push(...allowed.problems);
  const logLevel = str("LOG_LEVEL") ?? "info";
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`,
    );
  }

  const config: Config = {
    host: str("HOST") ?? "127.0.0.1",
    port: int("PORT", 8080, 0, 65535),
    dataDir,
    databaseUrl: url("DATABASE_URL", ["postgres:", "postgresql:"]),
    chainRpcUrl: url("CHAIN_RPC_URL", ["http:", "https:"]),
    chainHost: str("CHAIN_HOST") ?? "127.0.0.1",
    chainPort: int("CHAIN_PORT", 8545, 0, 65535),
    chainAllowedSenders: allowed.addresses,
    anchorContract: contract?.toLowerCase() as Hex | undefined,
    anchorPrivateKey: key,
    anchorKeyFile: resolve(str("ANCHOR_KEY_FILE") ?? `${dataDir}/anchorer.key`),
    notaryProfileFile: resolve(str("NOTARY_PROFILE") ?? `${dataDir}/notary.json`),
    maxBatch: int("MAX_BATCH", 10_000, 1, 1_000_000),
    batchIntervalMs: int("BATCH_INTERVAL_MS", 1000, 10, 3_600_000),
    confirmations: int("CONFIRMATIONS", 1, 1, 100),
    anchorTimeoutMs: int("ANCHOR_TIMEOUT_MS", 30_000, 100, 3_600_000),
    anchorStallMs: int("ANCHOR_STALL_MS", 120_000, 1_000, 86_400_000),
    ingestQueueLimit: int("INGEST_QUEUE_LIMIT", 200_000, 1, 10_000_000),
    bodyLimitBytes: int("BODY_LIMIT_BYTES", 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxRecordsPerCall: int("MAX_RECORDS_PER_CALL", 10_000, 1, 100_000),
    maxRecordBytes: int("MAX_RECORD_BYTES", 1024 * 1024, 2, 1024 * 1024 * 1024),
    rateLimitPerMinute: int("RATE_LIMIT_PER_MINUTE", 600_000, 1, 100_000_000),
    logLevel,
  };
  if (config.anchorStallMs <= config.anchorTimeoutMs) {
    problems.push(
      `ANCHOR_STALL_MS (${config.anchorStallMs}) must be above ANCHOR_TIMEOUT_MS (${config.anchorTimeoutMs}): ` +
        "an anchor transaction may take that long before it is replaced, and that is no stall",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * CHAIN_ALLOWED_SENDERS: comma-separated addresses that may send transactions on the local
 * chain. Hardhat's development accounts are refused: their keys are public.
 */
export function parseAllowedSenders(raw: string | undefined): { addresses: Hex[]; problems: string[] } {
  const addresses: Hex[] = [];
  const problems: string[] = [];
  for (const item of (raw ?? "").split(",").map((a) => a.trim())) {
    if (item === "") continue;
    if (!isAddress(item)) {
      problems.push(
        `CHAIN_ALLOWED_SENDERS must be comma-separated 0x-prefixed 20-byte addresses, got "${item}"`,
      );
    } else if (publicDevAccountIndex(item) >= 0) {
      problems.push(
        `CHAIN_ALLOWED_SENDERS names ${item}, Hardhat's development account #${publicDevAccountIndex(item)}: its private key is public`,
      );
    } else addresses.push(item.toLowerCase() as Hex);
  }
  return { addresses, problems };
}

/** Hides the password of a URL, for messages and logs. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return raw.replace(/\/\/[^@/]*@/, "//***@");
  }
}
