// `npm run deploy` against a chain that is not ours: a standalone `hardhat node` process
// mining a block every 200 ms. It deploys, waits for its confirmations, writes the
// deployment and the notary profile (read back from the chain), and prints the settings and
// the fingerprint; everything it refuses, it refuses before sending anything.
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { JsonRpcProvider, keccak256, Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readDeployment } from "../../service/chain/deployment.ts";
import { readNotaryProfileFile } from "../../service/chain/notary-file.ts";
import { formatFingerprint, notaryFingerprint } from "../../service/core/notary-profile.ts";
import { devAccount, type HardhatNode, startHardhatNode } from "../helpers/hardhat-node.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { closedPort, runScript } from "../helpers/processes.ts";

let node: HardhatNode;
let provider: JsonRpcProvider;
let dir: string;
const deployerKey = devAccount(0);
const anchorer = devAccount(1);

const keyFile = async (name: string, contents: string) => {
  const path = join(dir, name);
  await writeFile(path, contents, { mode: 0o600 });
  return path;
};
const deploy = (args: string[], dataDir: string) =>
  runScript("scripts/deploy.ts", args, { DATA_DIR: dataDir, CONFIRMATIONS: undefined }, 120_000);

beforeAll(async () => {
  node = await startHardhatNode({ intervalMs: 200 });
  provider = new JsonRpcProvider(node.url, node.chainId, { staticNetwork: true, cacheTimeout: -1 });
  dir = await makeDataDir("en-deploy-");
});
afterAll(async () => {
  provider?.destroy();
  await node?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

it("deploys to the chain, waits for its confirmations, writes the deployment and the profile, prints the settings", async () => {
  const dataDir = join(dir, "notary");
  const key = await keyFile("deployer.key", `${deployerKey.privateKey}\n`);
  const run = await deploy(
    [
      "--rpc",
      node.url,
      "--key-file",
      key,
      "--anchorer",
      anchorer.address,
      "--confirmations",
      "3",
      "--name",
      "Test notary",
    ],
    dataDir,
  );
  expect(run.code, run.stderr).toBe(0);
  const head = Number(await provider.send("eth_blockNumber", []));

  const deployment = await readDeployment(dataDir);
  expect(deployment).toMatchObject({ chainId: node.chainId, deployer: deployerKey.address.toLowerCase() });
  if (deployment === undefined) throw new Error("unreachable");
  expect(head - deployment.blockNumber + 1, "three confirmations before it answered").toBeGreaterThanOrEqual(
    3,
  );
  const profile = await readNotaryProfileFile(join(dataDir, "notary.json"));
  expect(profile).toMatchObject({
    name: "Test notary",
    chainId: node.chainId,
    contract: deployment.contract,
    anchorers: [anchorer.address.toLowerCase()],
    deployment: {
      txHash: deployment.txHash,
      blockNumber: deployment.blockNumber,
      blockHash: deployment.blockHash,
    },
  });
  if (profile === undefined) throw new Error("unreachable");
  expect(profile.codeHash).toBe(keccak256(await provider.getCode(deployment.contract)));
  expect(profile.genesisHash).toBe((await provider.getBlock(0))?.hash);

  expect(run.stdout).toContain(`fingerprint ${formatFingerprint(notaryFingerprint(profile))}`);
  expect(run.stdout).toContain(`CHAIN_RPC_URL=${node.url}`);
  expect(run.stdout).toContain(`ANCHOR_CONTRACT=${deployment.contract}`);
  expect(run.stdout).toContain(`ANCHOR_KEY_FILE=<the key file of ${anchorer.address.toLowerCase()}>`);
  expect(run.stdout).toContain("CONFIRMATIONS=3");
  expect(run.stdout).toContain(`DATA_DIR=${dataDir}`);
  expect(run.stderr).toMatch(/sent transaction 0x[0-9a-f]{64}; waiting for 3 confirmation\(s\)/);
  expect(run.stderr).toContain("warning: the deployer");

  // The same data directory names that notary now: a second deployment is refused.
  const again = await deploy(["--rpc", node.url, "--key-file", key], dataDir);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain("already names EvidenceAnchor");
  expect(JSON.parse(await readFile(join(dataDir, "notary.json"), "utf8"))).toEqual(profile);
});

it("refuses, before sending anything, an unreachable chain, a bad key file and a deployer without funds", async () => {
  const good = await keyFile("good.key", `${deployerKey.privateKey}\n`);
  const unreachable = await deploy(
    ["--rpc", `http://127.0.0.1:${await closedPort()}`, "--key-file", good],
    join(dir, "a"),
  );
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toMatch(
    /could not read the chain id from the chain at http:\/\/127\.0\.0\.1:\d+/,
  );
  expect(unreachable.stderr).toContain("nothing was sent");

  const bad = await keyFile("bad.key", "not a key\n");
  const badKey = await deploy(["--rpc", node.url, "--key-file", bad], join(dir, "b"));
  expect(badKey.code).toBe(2);
  expect(badKey.stderr).toContain("does not hold a 32-byte hex private key (the value is not shown)");
  expect(badKey.stderr).not.toContain("not a key");

  const missing = await deploy(["--rpc", node.url, "--key-file", join(dir, "nope.key")], join(dir, "c"));
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("cannot read the key file");

  const poor = Wallet.createRandom();
  const poorKey = await keyFile("poor.key", `${poor.privateKey}\n`);
  const noFunds = await deploy(["--rpc", node.url, "--key-file", poorKey], join(dir, "d"));
  expect(noFunds.code).toBe(2);
  expect(noFunds.stderr).toContain(`the deployer ${poor.address} holds 0.0 ETH`);
  expect(noFunds.stderr).toContain("nothing was sent");
  expect(await provider.getTransactionCount(poor.address)).toBe(0);
  expect(await readDeployment(join(dir, "d"))).toBeUndefined();

  const usage = await deploy(["--key-file", good], join(dir, "e"));
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain("--rpc <url> is required");
});
