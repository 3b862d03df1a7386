// Reads ethers v6 errors: may trying again later help (the node is down, a timeout, a nonce
// race), what JSON-RPC error code did the node answer with (Besu's -32007 "sender not
// authorized", the local chain's -32002 "stopped"), and what revert data came back with a
// call or estimate that reverted. The anchorer turns these into named failure causes
// (anchorer/anchor-failure.ts).
import { isError } from "ethers";
import type { Hex } from "../core/hex.ts";

/** Besu's TX_SENDER_NOT_AUTHORIZED: the sender is not on the chain's account allowlist. */
export const RPC_SENDER_NOT_AUTHORIZED = -32007;
/** EIP-1474 "resource unavailable": the local chain answers it once it stopped (fail-stop). */
export const RPC_RESOURCE_UNAVAILABLE = -32002;

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

/** How deep to follow `cause` / `error` / `info.error` links: ethers nests the node's answer. */
const MAX_DEPTH = 6;

/** Each error in the chain of causes, outermost first. */
function* causes(error: unknown): Generator<Record<string, unknown>> {
  let e: unknown = error;
  for (let depth = 0; e !== null && typeof e === "object" && depth < MAX_DEPTH; depth++) {
    const record = e as Record<string, unknown>;
    yield record;
    const info = record.info as { error?: unknown } | undefined;
    e = record.cause ?? record.error ?? info?.error;
  }
}

/**
 * May the same call succeed later without anyone changing anything? True for transport
 * failures and the ethers codes of transient node states. A JSON-RPC error code that names a
 * decision of the node (such as -32007) is not classified here: see jsonRpcErrorCode.
 */
export function isRetryableChainError(error: unknown): boolean {
  if (RETRYABLE_CODES.some((code) => isError(error, code))) return true;
  return isConnectionError(error);
}

/** The node could not be reached at all (as opposed to answering with an error). */
export function isConnectionError(error: unknown): boolean {
  for (const e of causes(error)) {
    const code = e.code;
    if (typeof code === "string" && CONNECTION_ERRNOS.has(code)) return true;
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
  }
  return false;
}

/** The JSON-RPC error code the node answered with (e.g. -32007), wherever ethers nested it. */
export function jsonRpcErrorCode(error: unknown): number | undefined {
  for (const e of causes(error)) {
    if (typeof e.code === "number") return e.code;
  }
  return undefined;
}

/** The JSON-RPC error message the node answered with, when there is one. */
export function jsonRpcErrorMessage(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (typeof e.code === "number" && typeof e.message === "string") return e.message;
  }
  return undefined;
}

/** The revert data of a call or gas estimate that reverted (`0x` + selector + arguments), if the node sent it. */
export function revertDataOf(error: unknown): Hex | undefined {
  for (const e of causes(error)) {
    const data = e.data;
    if (typeof data === "string" && /^0x([0-9a-f]{2})*$/i.test(data) && data.length >= 10) {
      return data.toLowerCase() as Hex;
    }
  }
  return undefined;
}

/** A short, secret-free description of a chain error, for logs and the batches table. */
export function describeChainError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string; code?: string };
  const nodeSaid = jsonRpcErrorMessage(error);
  let text = e.shortMessage ?? e.message ?? String(error);
  if (nodeSaid !== undefined && !text.includes(nodeSaid)) text = `${text} (the node said: ${nodeSaid})`;
  return (e.code ? `${e.code}: ${text}` : text).slice(0, 500);
}
