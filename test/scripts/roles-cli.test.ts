// `npm run roles` against a real local chain, with the service's defaults (the contract from
// DATA_DIR/chain/deployment.json, the key from DATA_DIR/anchorer.key, which is the local
// chain's admin): list, grant and revoke ANCHORER_ROLE, and what it refuses.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ANCHORER_ROLE } from "../../service/chain/anchor-client.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { closedPort, runScript } from "../helpers/processes.ts";

let chain: TestChain;
let operator: string;
const newcomer = Wallet.createRandom().address.toLowerCase();

const roles = (args: string[], env: Record<string, string> = {}) =>
  runScript("scripts/roles.ts", args, {
    DATA_DIR: chain.dataDir,
    CHAIN_RPC_URL: chain.chain.url,
    ANCHOR_CONTRACT: undefined,
    ANCHOR_KEY_FILE: undefined,
    ANCHOR_PRIVATE_KEY: undefined,
    CONFIRMATIONS: undefined,
    ...env,
  });
const isAnchorer = (account: string) => chain.anchor.hasRole(ANCHORER_ROLE, account);

beforeAll(async () => {
  chain = await startTestChain();
  operator = chain.operatorAddress.toLowerCase();
});
afterAll(async () => {
  await chain?.stop();
});

it("lists, grants and revokes anchoring accounts with the service's defaults", async () => {
  const listed = await roles(["list"]);
  expect(listed.code, listed.stderr).toBe(0);
  expect(listed.stdout).toContain(`EvidenceAnchor ${chain.chain.deployment.contract} on chain 31337`);
  expect(listed.stdout).toContain(`ANCHORER_ROLE:      ${operator}`);
  expect(listed.stdout).toContain(`DEFAULT_ADMIN_ROLE: ${operator}`);

  const granted = await roles(["grant", newcomer]);
  expect(granted.code, granted.stderr).toBe(0);
  expect(granted.stdout).toMatch(
    new RegExp(`granted ANCHORER_ROLE to ${newcomer} .*\\(transaction 0x[0-9a-f]{64}, block \\d+\\)`),
  );
  expect(await isAnchorer(newcomer)).toBe(true);
  expect((await roles(["list"])).stdout).toContain(
    `ANCHORER_ROLE:      ${[operator, newcomer].sort().join(", ")}`,
  );

  const again = await roles(["grant", newcomer]);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(`${newcomer} already holds ANCHORER_ROLE`);

  const revoked = await roles(["revoke", operator]);
  expect(revoked.code, revoked.stderr).toBe(0);
  expect(await isAnchorer(operator)).toBe(false);
  expect((await roles(["list"])).stdout).toContain(`ANCHORER_ROLE:      ${newcomer}\n`);

  // The last anchorer goes only on purpose.
  const last = await roles(["revoke", newcomer]);
  expect(last.code).toBe(2);
  expect(last.stderr).toContain(`${newcomer} is the only account holding ANCHORER_ROLE`);
  expect(await isAnchorer(newcomer)).toBe(true);
  const forced = await roles(["revoke", newcomer, "--force"]);
  expect(forced.code, forced.stderr).toBe(0);
  expect((await roles(["list"])).stdout).toContain("ANCHORER_ROLE:      nobody: nothing can be anchored");

  expect((await roles(["grant", operator])).code).toBe(0);
  expect(await isAnchorer(operator)).toBe(true);
});

it("refuses a key that is not an admin's, an unreachable chain and bad arguments, sending nothing", async () => {
  const stranger = Wallet.createRandom();
  const keyFile = join(chain.dataDir, "stranger.key");
  await writeFile(keyFile, `${stranger.privateKey}\n`, { mode: 0o600 });
  const notAdmin = await roles(["grant", newcomer, "--key-file", keyFile]);
  expect(notAdmin.code).toBe(2);
  expect(notAdmin.stderr).toContain(`${stranger.address.toLowerCase()} is not an admin of EvidenceAnchor`);
  expect(notAdmin.stderr).toContain("nothing was sent");

  const unreachable = await roles(["list", "--rpc", `http://127.0.0.1:${await closedPort()}`]);
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toMatch(/could not read the chain id/);

  for (const args of [[], ["promote", newcomer], ["grant"], ["grant", "0x1234"], ["list", "extra"]]) {
    const run = await roles(args);
    expect(run.code, args.join(" ")).toBe(2);
    expect(run.stderr).toContain("usage: npm run roles");
  }
});
