// Why anchor(seq, root, treeSize) reverted, or would revert: from the revert data when the
// node sends it (the contract's custom errors), else by asking the chain the questions the
// contract asks (does the account hold the role? is seq the next one? is the code ours?).
// A transaction mined with status 0 is explained the same way, after one more question:
// did it use all its gas?
import { Interface, type TransactionReceipt } from "ethers";
import { ANCHOR_ABI } from "../chain/anchor-abi.ts";
import type { AnchorCall, AnchorClient } from "../chain/anchor-client.ts";
import { revertDataOf } from "../chain/chain-errors.ts";
import type { Hex } from "../core/hex.ts";
import {
  type AnchorFailure,
  anchorFailure,
  missingRole,
  outOfGas,
  reverted,
  wrongContract,
  wrongSeq,
} from "./anchor-failure.ts";

const anchorInterface = new Interface(ANCHOR_ABI);

/** Explains a gas estimate (or call) of `call` that failed with `error`; undefined when it did not revert. */
export async function explainEstimateError(
  client: AnchorClient,
  call: AnchorCall,
  error: unknown,
  expectedCodeHash: Hex | undefined,
): Promise<AnchorFailure | undefined> {
  const data = revertDataOf(error);
  const isRevert = data !== undefined || (error as { code?: unknown }).code === "CALL_EXCEPTION";
  if (!isRevert) return undefined;
  return explainRevert(client, call, data, expectedCodeHash);
}

/**
 * Explains a mined anchor transaction that reverted. A transaction that used its whole gas
 * limit ran out of gas; otherwise the call is simulated again now, which names the reason
 * when it still holds. One that would succeed now was reverted by a state that is gone (the
 * role was granted again, say): worth a retry.
 */
export async function explainMinedRevert(
  client: AnchorClient,
  call: AnchorCall,
  receipt: TransactionReceipt,
  gasLimit: bigint,
  expectedCodeHash: Hex | undefined,
): Promise<AnchorFailure> {
  if (receipt.gasUsed >= gasLimit) return outOfGas(receipt.hash, gasLimit);
  try {
    await client.estimateAnchorGas(call);
  } catch (error) {
    const explained = await explainEstimateError(client, call, error, expectedCodeHash);
    if (explained !== undefined) return explained;
    throw error;
  }
  return reverted(
    `anchor transaction ${receipt.hash} for seq ${call.seq} reverted in block ${receipt.blockNumber}, ` +
      "but the same call would succeed now",
  );
}

async function explainRevert(
  client: AnchorClient,
  call: AnchorCall,
  data: Hex | undefined,
  expectedCodeHash: Hex | undefined,
): Promise<AnchorFailure> {
  const who = { account: client.anchorerAddress, contract: client.contract };
  const decoded = data === undefined ? null : anchorInterface.parseError(data);
  switch (decoded?.name) {
    case "AccessControlUnauthorizedAccount":
      return missingRole(who);
    case "EvidenceAnchorUnexpectedSeq":
      return wrongSeq(call.seq, Number(decoded.args[0]));
    case "EvidenceAnchorZeroRoot":
    case "EvidenceAnchorEmptyTree":
      return anchorFailure(
        "ledger_mismatch",
        `the contract refuses batch ${call.seq} (${decoded.name}): a zero root or an empty tree was stored as a batch`,
        "this is a bug: the database holds an invalid batch; report it, with npm run audit's output",
      );
  }
  // No revert data, or data the contract's ABI does not know: ask the chain.
  if (!(await client.hasAnchorerRole())) return missingRole(who);
  const next = await client.nextSeq();
  if (next !== call.seq) return wrongSeq(call.seq, next);
  const codeHash = await client.codeHash();
  if (codeHash === null) return wrongContract(`there is no contract code at ${client.contract}`);
  if (expectedCodeHash !== undefined && codeHash !== expectedCodeHash) {
    return wrongContract(
      `the code at ${client.contract} has hash ${codeHash}, not the notary profile's ${expectedCodeHash}`,
    );
  }
  return reverted(
    `anchor(${call.seq}) from ${client.anchorerAddress} reverts${data === undefined ? "" : ` with data ${data.slice(0, 74)}`}, ` +
      "although the account holds the role and the seq is the next one",
  );
}
