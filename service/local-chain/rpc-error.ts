// Errors the local chain's JSON-RPC endpoint answers with, by JSON-RPC code. Codes follow
// EIP-1474 and, for permissioning, Hyperledger Besu, so that a client written for a Besu
// network reads them the same way here.
import { RPC_RESOURCE_UNAVAILABLE, RPC_SENDER_NOT_AUTHORIZED } from "../chain/chain-errors.ts";

export const RPC_INVALID_PARAMS = -32602;
/** EIP-1474 "resource unavailable": the chain stopped (fail-stop, journaled-chain.ts). */
export const RPC_CHAIN_STOPPED = RPC_RESOURCE_UNAVAILABLE;
/** EIP-1474 "transaction rejected": a transaction from a browser page. */
export const RPC_TRANSACTION_REJECTED = -32003;
/** Besu's TX_SENDER_NOT_AUTHORIZED: the sender is not on the allowlist. */
export { RPC_SENDER_NOT_AUTHORIZED };

export class RpcError extends Error {
  override name = "RpcError";
  readonly code: number;

  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
