// What the leader checks before it anchors (service/anchorer/start-checks.ts), against a real
// local chain and its real notary profile: the profile's chain and contract, the code hash,
// the role, the funds. Each failure is named, with what to fix.
import { Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkAnchoringSetup } from "../../service/anchorer/start-checks.ts";
import { AnchorClient, DEFAULT_GAS_PERCENT } from "../../service/chain/anchor-client.ts";
import type { Hex } from "../../service/core/hex.ts";
import type { NotaryProfile } from "../../service/core/notary-profile.ts";
import { setAnchorer, startTestChain, type TestChain } from "../helpers/local-chain.ts";

let chain: TestChain;
/** The checks with the local chain's own profile, or with `profile`. */
const check = (client: AnchorClient, profile: NotaryProfile = chain.chain.notary) =>
  checkAnchoringSetup(client, profile, DEFAULT_GAS_PERCENT);
const clientFor = (key: Wallet, contract: Hex = chain.chain.deployment.contract) =>
  new AnchorClient(chain.provider, contract, chain.chain.deployment.chainId, key);

beforeAll(async () => {
  chain = await startTestChain();
});
afterAll(async () => {
  await chain?.stop();
});

it("passes for the operator on the notary's own contract", async () => {
  expect(await check(clientFor(chain.operatorKey))).toBeUndefined();
});

it("names a contract that is not the profile's, a code hash that differs, and an address without code", async () => {
  const operator = clientFor(chain.operatorKey);
  const profile = chain.chain.notary;

  const otherCode = await check(operator, { ...profile, codeHash: `0x${"ab".repeat(32)}` });
  expect(otherCode).toMatchObject({ cause: "wrong_contract", needsOperator: true });
  expect(otherCode?.message).toContain(`not the notary profile's 0x${"ab".repeat(32)}`);

  const otherChain = await check(operator, { ...profile, chainId: 1 });
  expect(otherChain?.message).toContain(`names ${profile.contract} on chain 1`);

  const empty = `0x${"12".repeat(20)}` as Hex;
  const nowhere = await check(clientFor(chain.operatorKey, empty), { ...profile, contract: empty });
  expect(nowhere).toMatchObject({ cause: "wrong_contract" });
  expect(nowhere?.message).toContain(`there is no contract code at ${empty}`);
  expect(nowhere?.fix).toContain("ANCHOR_CONTRACT");
});

it("names an account without the role, then one that cannot pay", async () => {
  const stranger = new Wallet(Wallet.createRandom().privateKey);
  expect(await check(clientFor(stranger))).toMatchObject({ cause: "missing_role", needsOperator: true });
  await setAnchorer(chain, stranger.address, true);
  const poor = await check(clientFor(stranger));
  expect(poor).toMatchObject({ cause: "no_funds", needsOperator: true });
  expect(poor?.message).toContain(`account ${stranger.address.toLowerCase()} holds 0.0 ETH`);
  expect(poor?.fix).toContain(`send funds to ${stranger.address.toLowerCase()}`);
});
