// Who may anchor, and who may change that: the holders of ANCHORER_ROLE and
// DEFAULT_ADMIN_ROLE on an EvidenceAnchor, and granting or revoking ANCHORER_ROLE with an
// admin's key (`npm run roles`). This is how the anchoring key is rotated: grant the new
// account, switch the service to its key, revoke the old one.
//
// OpenZeppelin's AccessControl does not enumerate holders, so the candidates come from the
// contract's RoleGranted events, and hasRole() decides (a later RoleRevoked, or a renounce,
// is then accounted for).
import { formatEther, type JsonRpcProvider, type Wallet, ZeroHash } from "ethers";
import type { Hex } from "../core/hex.ts";
import { ANCHORER_ROLE } from "./anchor-client.ts";
import { anchorContract } from "./anchor-contract.ts";
import { chooseFees, maxCost, withHeadroom } from "./fee-policy.ts";
import { readFeeQuote } from "./fee-quote.ts";
import { waitForReceipt } from "./receipts.ts";

export const DEFAULT_ADMIN_ROLE = ZeroHash as Hex;

/** Nothing was sent: the change was refused before any transaction (exit 2). */
export class RoleChangeRefusedError extends Error {
  override name = "RoleChangeRefusedError";
}

/** The transaction was sent, but did not succeed (reverted, or not confirmed in time): exit 1. */
export class RoleChangeFailedError extends Error {
  override name = "RoleChangeFailedError";
}

export interface RoleHolders {
  anchorers: Hex[];
  admins: Hex[];
}

/** The accounts holding each role now; `fromBlock` is the contract's deployment block (or 0). */
export async function listRoleHolders(
  provider: JsonRpcProvider,
  contract: Hex,
  fromBlock: number,
): Promise<RoleHolders> {
  const anchor = anchorContract(contract, provider);
  const granted = await anchor.queryFilter(
    anchor.filters.RoleGranted?.() ?? "RoleGranted",
    fromBlock,
    "latest",
  );
  const holders = async (role: Hex) => {
    const candidates = new Set<string>();
    for (const event of granted) {
      const args = (event as unknown as { args: [string, string] }).args;
      if (args[0].toLowerCase() === role) candidates.add(args[1].toLowerCase());
    }
    const now: Hex[] = [];
    for (const account of candidates) if (await anchor.hasRole(role, account)) now.push(account as Hex);
    return now.sort();
  };
  return { anchorers: await holders(ANCHORER_ROLE), admins: await holders(DEFAULT_ADMIN_ROLE) };
}

export interface RoleChange {
  /** False when the account already was (or was not) an anchorer: nothing was sent. */
  changed: boolean;
  txHash?: Hex;
  blockNumber?: number;
}

/**
 * Grants (or revokes) ANCHORER_ROLE to `account`, signed by `admin`, and waits for
 * `confirmations`. Checks first that `admin` may, and can pay.
 */
export async function setAnchorerRole(
  provider: JsonRpcProvider,
  contract: Hex,
  admin: Wallet,
  account: string,
  grant: boolean,
  options: { confirmations: number; timeoutMs?: number; onSent?: (txHash: Hex) => void },
): Promise<RoleChange> {
  const signer = admin.connect(provider);
  const anchor = anchorContract(contract, signer);
  if ((await provider.getCode(contract)) === "0x") {
    throw new RoleChangeRefusedError(`there is no contract at ${contract} on this chain`);
  }
  if (!(await anchor.hasRole(DEFAULT_ADMIN_ROLE, admin.address))) {
    throw new RoleChangeRefusedError(
      `${admin.address.toLowerCase()} is not an admin of EvidenceAnchor ${contract} (no DEFAULT_ADMIN_ROLE): ` +
        "use the admin's key (--key-file)",
    );
  }
  if ((await anchor.hasRole(ANCHORER_ROLE, account)) === grant) return { changed: false };

  const method = grant ? anchor.grantRole : anchor.revokeRole;
  const gasLimit = withHeadroom(await method.estimateGas(ANCHORER_ROLE, account), 125);
  const fees = chooseFees(await readFeeQuote(provider));
  const cost = maxCost(fees, gasLimit);
  const balance = await provider.getBalance(admin.address);
  if (balance < cost) {
    throw new RoleChangeRefusedError(
      `the admin ${admin.address.toLowerCase()} holds ${formatEther(balance)} ETH; the transaction may cost up to ` +
        `${formatEther(cost)} ETH: send it funds first`,
    );
  }
  const sent = await method(ANCHORER_ROLE, account, { gasLimit, ...fees });
  options.onSent?.(sent.hash as Hex);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const receipt = await waitForReceipt(provider, sent.hash, options.confirmations, timeoutMs);
  if (receipt === null) {
    throw new RoleChangeFailedError(
      `transaction ${sent.hash} did not get ${options.confirmations} confirmation(s) within ${timeoutMs / 1000} s`,
    );
  }
  if (receipt.status !== 1) throw new RoleChangeFailedError(`transaction ${sent.hash} reverted`);
  return { changed: true, txHash: receipt.hash as Hex, blockNumber: receipt.blockNumber };
}
