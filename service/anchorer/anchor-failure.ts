// Why an anchoring attempt made no progress, named so that an operator (and an alert) can
// act on it. Two kinds:
//
//   needs an operator  nothing the service can do changes it: the account lacks
//                      ANCHORER_ROLE, has no funds, may not send on a permissioned chain, the
//                      contract is not the notary's, or the chain and the database disagree.
//                      Anchoring stops (one error line naming the cause and the fix) and
//                      rechecks with capped backoff, so it resumes by itself once fixed.
//   retried            the next attempt may well succeed: the node is unreachable, the
//                      transaction ran out of gas or lost its seq to another one, or it
//                      reverted for a reason that is gone now. Retried with backoff (and a
//                      fresh nonce when a mined transaction used one up).
//
// Pure: messages are built from the facts passed in; chain access is elsewhere.
import { formatEther } from "ethers";
import {
  describeChainError,
  isConnectionError,
  isRetryableChainError,
  jsonRpcErrorCode,
  RPC_RESOURCE_UNAVAILABLE,
  RPC_SENDER_NOT_AUTHORIZED,
} from "../chain/chain-errors.ts";
import { InvariantError } from "../core/errors.ts";
import { UnavailableError } from "../service-errors.ts";

export const OPERATOR_CAUSES = [
  "missing_role",
  "no_funds",
  "sender_not_allowed",
  "wrong_contract",
  "ledger_mismatch",
] as const;

export const RETRIED_CAUSES = [
  "out_of_gas",
  "wrong_seq",
  "reverted",
  "chain_unavailable",
  "chain_error",
  "database_unavailable",
  "error",
] as const;

export type AnchorFailureCause = (typeof OPERATOR_CAUSES)[number] | (typeof RETRIED_CAUSES)[number];

export interface AnchorFailure {
  cause: AnchorFailureCause;
  /** True when a person must act (OPERATOR_CAUSES); false when the service retries by itself. */
  needsOperator: boolean;
  /** What happened, with the facts (account, contract, seq, transaction); never a key. */
  message: string;
  /** What to do about it: the operator's fix, or what the service does next. */
  fix: string;
}

/** Who is anchoring where: the facts every message names. */
export interface AnchoringAccount {
  account: string;
  contract: string;
}

export function anchorFailure(cause: AnchorFailureCause, message: string, fix: string): AnchorFailure {
  return { cause, needsOperator: (OPERATOR_CAUSES as readonly string[]).includes(cause), message, fix };
}

export function missingRole(who: AnchoringAccount): AnchorFailure {
  return anchorFailure(
    "missing_role",
    `account ${who.account} does not hold ANCHORER_ROLE on EvidenceAnchor ${who.contract}`,
    `an admin of the contract grants it (npm run roles -- grant ${who.account}), or ANCHOR_KEY_FILE names ` +
      "the key of an account that holds the role; anchoring resumes by itself once the role is there",
  );
}

export function noFunds(who: AnchoringAccount, balance: bigint, needed: bigint): AnchorFailure {
  return anchorFailure(
    "no_funds",
    `account ${who.account} holds ${formatEther(balance)} ETH; one anchor transaction may cost up to ` +
      `${formatEther(needed)} ETH at the current gas price`,
    `send funds to ${who.account} (or run the chain with free gas, Besu's min-gas-price=0); ` +
      "anchoring resumes by itself once they arrive",
  );
}

export function senderNotAllowed(who: AnchoringAccount, nodeSaid: string): AnchorFailure {
  return anchorFailure(
    "sender_not_allowed",
    `the chain refused a transaction from ${who.account}: ${nodeSaid}`,
    `allow ${who.account} to send on the chain: Besu's account allowlist (perm_addAccountsToAllowlist, ` +
      "or the permissions file), or CHAIN_ALLOWED_SENDERS of the local chain; anchoring resumes by itself",
  );
}

export function wrongContract(message: string): AnchorFailure {
  return anchorFailure(
    "wrong_contract",
    message,
    "point ANCHOR_CONTRACT (or DATA_DIR/chain/deployment.json) and CHAIN_RPC_URL at the contract and " +
      "chain of the notary profile this service anchors for (NOTARY_PROFILE, by default DATA_DIR/notary.json)",
  );
}

export function outOfGas(txHash: string, gasLimit: bigint): AnchorFailure {
  return anchorFailure(
    "out_of_gas",
    `anchor transaction ${txHash} ran out of gas (limit ${gasLimit}) and reverted`,
    "retrying with a fresh nonce and more gas headroom",
  );
}

export function wrongSeq(seq: number, expected: number | undefined): AnchorFailure {
  return anchorFailure(
    "wrong_seq",
    `the contract no longer takes seq ${seq}${expected === undefined ? "" : ` (it expects ${expected})`}: ` +
      "another transaction anchored it first (such as a leader handover)",
    "the next attempt reconciles the batch from the chain",
  );
}

export function reverted(what: string): AnchorFailure {
  return anchorFailure("reverted", what, "retrying with a fresh nonce after a backoff");
}

/**
 * An error thrown during an attempt (the node, the database, or a broken invariant), named.
 * Decisions of the node that need a person (-32007, no funds) come first; transport failures
 * and transient node states are retried; anything else is retried too, with its message.
 */
export function classifyAnchorError(error: unknown, who: AnchoringAccount): AnchorFailure {
  if (error instanceof InvariantError) {
    return anchorFailure(
      "ledger_mismatch",
      error.message,
      "the chain and this database disagree, so nothing more is anchored: run npm run audit, find out " +
        "who else anchored to this contract (docs/deployment.md, the anchoring key), and restore the " +
        "database or the chain before anchoring goes on",
    );
  }
  if (error instanceof UnavailableError) {
    return anchorFailure("database_unavailable", error.message, "retrying with backoff");
  }
  const text = describeChainError(error);
  const rpcCode = jsonRpcErrorCode(error);
  if (rpcCode === RPC_SENDER_NOT_AUTHORIZED) return senderNotAllowed(who, text);
  if (/insufficient funds/i.test(text)) {
    return anchorFailure(
      "no_funds",
      `account ${who.account} cannot pay for an anchor transaction: ${text}`,
      `send funds to ${who.account}; anchoring resumes by itself once they arrive`,
    );
  }
  if (rpcCode === RPC_RESOURCE_UNAVAILABLE || isConnectionError(error)) {
    return anchorFailure(
      "chain_unavailable",
      `the chain cannot be reached: ${text}`,
      "retrying with backoff (at most 5 s apart); check CHAIN_RPC_URL and the node",
    );
  }
  if (isRetryableChainError(error)) return anchorFailure("chain_error", text, "retrying with backoff");
  return anchorFailure("error", text, "retrying with backoff");
}
