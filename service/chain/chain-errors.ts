// Classifies ethers v6 errors: may trying again later help (the chain is down, a timeout,
// a nonce race), or will it fail the same way (a revert, a bad key)?
import { isError } from "ethers";

const RETRYABLE_CODES = [
  "NETWORK_ERROR",
  "SERVER_ERROR",
  "TIMEOUT",
  "NONCE_EXPIRED",
  "REPLACEMENT_UNDERPRICED",
  "TRANSACTION_REPLACED",
  "UNKNOWN_ERROR",
] as const;

const CONNECTION_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

export function isRetryableChainError(error: unknown): boolean {
  if (RETRYABLE_CODES.some((code) => isError(error, code))) return true;
  return isConnectionError(error);
}

/** The node could not be reached at all (as opposed to answering with an error). */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERRNOS.has(code)) return true;
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
    e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return false;
}

/** A short, secret-free description of a chain error, for logs and the batches table. */
export function describeChainError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; code?: string };
  const text = e.shortMessage ?? e.message ?? String(error);
  return (e.code ? `${e.code}: ${text}` : text).slice(0, 500);
}
