// Account permissioning, as Hyperledger Besu's accounts-allowlist does it: a transaction is
// accepted only from an allowlisted sender, whatever it does (a call, a transfer, a contract
// creation). The sender is recovered from the signed bytes, never taken from the request.
// The allowlist is the operator, the chain's own genesis account, the contract's deployer
// (its admin) and the accounts an admin adds (CHAIN_ALLOWED_SENDERS). No account whose key is
// public can be on it.
import { getAddress, Transaction } from "ethers";
import type { Hex } from "../core/hex.ts";
import { publicDevAccountIndex } from "./public-dev-accounts.ts";
import { RPC_INVALID_PARAMS, RPC_SENDER_NOT_AUTHORIZED, RpcError } from "./rpc-error.ts";

export class SenderAllowlist {
  private readonly allowed: ReadonlySet<string>;

  /** Throws when an address is malformed or belongs to a Hardhat development account. */
  constructor(addresses: Iterable<string>) {
    const allowed = new Set<string>();
    for (const address of addresses) {
      const normalized = getAddress(address).toLowerCase();
      const index = publicDevAccountIndex(normalized);
      if (index >= 0) {
        throw new Error(
          `${normalized} cannot send on this chain: it is Hardhat's development account #${index}, whose private key is public`,
        );
      }
      allowed.add(normalized);
    }
    this.allowed = allowed;
  }

  get addresses(): Hex[] {
    return [...this.allowed].sort() as Hex[];
  }

  has(address: string): boolean {
    return this.allowed.has(address.toLowerCase());
  }

  /** The sender of a signed raw transaction, when it may send; a JSON-RPC error otherwise. */
  senderOf(raw: unknown): Hex {
    let from: string | null;
    try {
      if (typeof raw !== "string") throw new Error("not a string");
      from = Transaction.from(raw).from;
    } catch (error) {
      throw new RpcError(RPC_INVALID_PARAMS, "invalid params: expected one signed raw transaction (0x hex)", {
        cause: error,
      });
    }
    if (from === null)
      throw new RpcError(RPC_INVALID_PARAMS, "invalid params: the transaction is not signed");
    const sender = from.toLowerCase() as Hex;
    if (!this.allowed.has(sender)) {
      throw new RpcError(
        RPC_SENDER_NOT_AUTHORIZED,
        `Sender account not authorized to send transactions: ${sender} is not on this chain's sender ` +
          "allowlist (the operator, the chain's genesis account, the contract's deployer and CHAIN_ALLOWED_SENDERS)",
      );
    }
    return sender;
  }
}
