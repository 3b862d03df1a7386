// What the leader checks before it anchors anything, each time it becomes the leader: that
// it anchors for the notary it pins (NOTARY_PROFILE: the profile's chain and contract, with
// the profile's code), that its account holds ANCHORER_ROLE there, and that it can pay for an
// anchor (skipped on a free-gas chain). A failure is reported like any anchoring failure
// that needs an operator; ingestion is not affected, and the check is repeated with capped
// backoff until it passes.
import type { AnchorClient } from "../chain/anchor-client.ts";
import { chooseFees, maxCost, withHeadroom } from "../chain/fee-policy.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import { type AnchorFailure, missingRole, noFunds, wrongContract } from "./anchor-failure.ts";

/** Gas of the costliest anchor (the first, about 93k), for the funds check before any batch exists. */
export const REFERENCE_ANCHOR_GAS = 100_000n;

export async function checkAnchoringSetup(
  client: AnchorClient,
  trustedNotary: NotaryProfile,
  gasPercent: number,
): Promise<AnchorFailure | undefined> {
  if (trustedNotary.chainId !== client.chainId || trustedNotary.contract !== client.contract) {
    return wrongContract(
      `this service anchors to ${client.contract} on chain ${client.chainId}, but its notary profile ` +
        `("${trustedNotary.name}") names ${trustedNotary.contract} on chain ${trustedNotary.chainId}`,
    );
  }
  const codeHash = await client.codeHash();
  if (codeHash === null) {
    return wrongContract(`there is no contract code at ${client.contract} on chain ${client.chainId}`);
  }
  if (codeHash !== trustedNotary.codeHash) {
    return wrongContract(
      `the code at ${client.contract} has hash ${codeHash}, not the notary profile's ${trustedNotary.codeHash}: ` +
        "it is not the notary's EvidenceAnchor",
    );
  }
  const who = { account: client.anchorerAddress, contract: client.contract };
  if (!(await client.hasAnchorerRole())) return missingRole(who);
  const fees = chooseFees(await client.feeQuote());
  const needed = maxCost(fees, withHeadroom(REFERENCE_ANCHOR_GAS, gasPercent));
  if (needed > 0n) {
    const balance = await client.balance();
    if (balance < needed) return noFunds(who, balance, needed);
  }
  return undefined;
}
