// The attack of issue #10, end to end, on real parts: the running service (real HTTP, a real
// local chain, PGlite), a second chain the attacker runs (a standalone `hardhat node`, chain
// id 31337 like ours), the verify CLI as a child process, and the verification page in
// Chromium. The attacker has only Hardhat's public development key #1.
//   (a) On the service's own chain the key can neither deploy nor send: nothing is mined or
//       journaled.
//   (b) On the attacker's chain it deploys a look-alike EvidenceAnchor, anchors the leaf of a
//       record that was never submitted, and writes the bundle. With the service's notary
//       profile pinned, `npm run verify`, POST /v1/verify and the page all reject it (the
//       `notary` check fails), while they accept the service's genuine bundle. Pinned to the
//       attacker's own profile the forgery verifies: so it is the pin that stops it.
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContractFactory, getCreateAddress, JsonRpcProvider, Wallet } from "ethers";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAnchorArtifact } from "../../service/chain/anchor-artifact.ts";
import { anchorContract } from "../../service/chain/anchor-contract.ts";
import { describeNotary } from "../../service/chain/describe-notary.ts";
import { type Bundle, buildBundle } from "../../service/core/bundle.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath, treeRoot } from "../../service/core/merkle.ts";
import { journalPath } from "../../service/local-chain/local-chain.ts";
import { HARDHAT_KEY_0, HARDHAT_KEY_1, rpcCall, signRaw } from "../helpers/attacker.ts";
import { hasChromium, launchChromium } from "../helpers/chromium.ts";
import { forPglite } from "../helpers/databases.ts";
import { closedPort, REPO_ROOT, runScript, startScript, stopProcess } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const HARDHAT_CLI = join(REPO_ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");
const GENUINE = {
  id: "wire-7",
  record: { amount: "12.50", currency: "EUR", to: "FR1420041010050500013M02606" },
};
/** Never submitted to the service. */
const FORGED_RECORD = { amount: "950000.00", currency: "EUR", to: "CH9300762011623852957" };

interface Files {
  dir: string;
  serviceNotary: string;
  attackerNotary: string;
  genuine: string;
  genuineRecord: string;
  forged: string;
  forgedRecord: string;
  /** The forged bundle edited to claim the service's own contract address. */
  forgedAtServiceAddress: string;
}

forPglite((target) => {
  // The attack does not depend on the database: one kind is enough (PGlite).
  describe("the attack of issue #10 with Hardhat's public key #1", () => {
    let s: TestService;
    let hardhat: ChildProcess | undefined;
    let attackerUrl: string;
    let attackerChain: JsonRpcProvider;
    let genuine: Bundle;
    let forged: Bundle;
    let files: Files;
    const attacker = new Wallet(HARDHAT_KEY_1);

    beforeAll(async () => {
      s = await startTestService(target);
      const ack = await s.call("POST", "/v1/records", { key: s.keys.submitter, body: GENUINE });
      expect(ack.status).toBe(202);
      const proof = await s.call("GET", `/v1/records/${GENUINE.id}/proof?wait=20`, { key: s.keys.reader });
      expect(proof.status).toBe(200);
      genuine = proof.json as Bundle;

      // The attacker's own chain: a standalone Hardhat node, chain id 31337 like ours.
      const port = await closedPort();
      const nodeBin = join(REPO_ROOT, "node_modules", "node", "bin");
      const started = await startScript(
        [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)],
        { PATH: `${nodeBin}:${process.env.PATH ?? ""}` },
        /Started HTTP and WebSocket JSON-RPC server at (http:\/\/[\d.:]+)/,
        90_000,
      );
      hardhat = started.child;
      attackerUrl = started.match[1] as string;
      attackerChain = new JsonRpcProvider(attackerUrl, 31337, {
        staticNetwork: true,
        pollingInterval: 50,
        cacheTimeout: -1,
      });
      forged = await forgeBundle(attackerChain, attacker);
      files = await writeFiles(s, genuine, forged, await attackerProfile(attackerChain, forged, attacker));
    });

    afterAll(async () => {
      attackerChain?.destroy();
      if (hardhat !== undefined) await stopProcess(hardhat);
      await s?.stop();
      if (files?.dir) await rm(files.dir, { recursive: true, force: true });
    });

    it("(a) cannot deploy a look-alike or send anything on the service's chain: nothing is mined or journaled", async () => {
      const url = s.service.chainUrl;
      const state = async () => ({
        head: (await rpcCall(url, "eth_blockNumber", [])).result,
        journal: await readFile(journalPath(s.dataDir), "utf8"),
        nonce: (await rpcCall(url, "eth_getTransactionCount", [attacker.address, "latest"])).result,
      });
      for (const key of [HARDHAT_KEY_0, HARDHAT_KEY_1]) {
        const { result } = await rpcCall(url, "eth_getBalance", [new Wallet(key).address, "latest"]);
        expect(BigInt(result), "a public key holds nothing").toBe(0n);
      }
      const before = await state();
      const { abi, bytecode } = await readAnchorArtifact();
      const deploy = await new ContractFactory(abi, bytecode).getDeployTransaction(
        attacker.address,
        attacker.address,
      );
      const refusedDeploy = await rpcCall(url, "eth_sendRawTransaction", [
        await signRaw(attacker, s.service.chainId, { data: deploy.data }),
      ]);
      expect(refusedDeploy.error).toMatchObject({
        code: -32007,
        message: expect.stringMatching(/not authorized to send transactions/),
      });
      expect(refusedDeploy.error.message).toContain(attacker.address.toLowerCase());
      const refusedSend = await rpcCall(url, "eth_sendRawTransaction", [
        await signRaw(attacker, s.service.chainId, { to: attacker.address, value: 1n }),
      ]);
      expect(refusedSend.error).toMatchObject({ code: -32007 });
      const lookAlikeAddress = getCreateAddress({ from: attacker.address, nonce: 0 });
      expect((await rpcCall(url, "eth_getCode", [lookAlikeAddress, "latest"])).result).toBe("0x");
      expect(await state()).toEqual(before);
    });

    it("(b) builds a forgery that is perfect but for the pin: valid against the attacker's own profile", async () => {
      expect(forged.anchor.chainId).toBe(s.service.chainId);
      const run = await verify(
        [files.forged, "--record", files.forgedRecord, "--rpc", attackerUrl],
        files.attackerNotary,
      );
      expect(run.code).toBe(0);
      expect(run.report.verdict).toBe("valid");
    });

    it("(b) npm run verify with the service's profile rejects the forgery (exit 1, notary) and accepts the genuine bundle", async () => {
      const rejected = await verify(
        [files.forged, "--record", files.forgedRecord, "--rpc", attackerUrl],
        files.serviceNotary,
      );
      expect(rejected.code).toBe(1);
      expect(rejected.failed).toEqual(["notary"]);
      expect(rejected.statuses.slice(5)).toEqual(["skip", "skip", "skip", "skip"]);

      // Claiming the service's very address does not help: the attacker's chain is not ours.
      await rpcCall(attackerUrl, "hardhat_setCode", [
        s.service.contract,
        (await rpcCall(s.service.chainUrl, "eth_getCode", [s.service.contract, "latest"])).result,
      ]);
      const sameAddress = await verify(
        [files.forgedAtServiceAddress, "--record", files.forgedRecord, "--rpc", attackerUrl],
        files.serviceNotary,
      );
      expect(sameAddress.code).toBe(1);
      expect(sameAddress.failed).toEqual(["notary"]);
      expect(sameAddress.notaryMessage).toMatch(/genesis block is not the notary/);

      const accepted = await verify(
        [files.genuine, "--record", files.genuineRecord, "--rpc", s.service.chainUrl],
        files.serviceNotary,
      );
      expect(accepted.code).toBe(0);
      expect(accepted.failed).toEqual([]);
    });

    it("(b) POST /v1/verify rejects the forgery (notary) and accepts the genuine bundle", async () => {
      const rejected = await s.call("POST", "/v1/verify", {
        key: s.keys.reader,
        body: { bundle: forged, record: FORGED_RECORD },
      });
      expect(rejected.status).toBe(200);
      expect(rejected.json).toMatchObject({ ok: false, verdict: "invalid" });
      const failed = rejected.json.checks.filter((c: { status: string }) => c.status === "fail");
      expect(failed.map((c: { name: string }) => c.name)).toEqual(["notary"]);

      const accepted = await s.call("POST", "/v1/verify", {
        key: s.keys.reader,
        body: { bundle: genuine, record: GENUINE.record },
      });
      expect(accepted.json).toMatchObject({ ok: true, verdict: "valid" });
    });

    describe.skipIf(!hasChromium)("(b) the verification page in Chromium", () => {
      let browser: Browser;
      let page: Page;
      // biome-ignore lint/suspicious/noDuplicateTestHooks: the hooks of the nested describe.skipIf(!hasChromium), which biome does not read as a describe
      beforeAll(async () => {
        browser = await launchChromium();
        page = await browser.newPage();
        const res = await page.goto(`${s.url}/verify`);
        expect(res?.status()).toBe(200);
        await page.waitForSelector("#verdict[data-state=ready]", { timeout: 20_000 });
      });
      // biome-ignore lint/suspicious/noDuplicateTestHooks: the hooks of the nested describe.skipIf(!hasChromium), which biome does not read as a describe
      afterAll(async () => {
        await browser?.close();
      });

      async function verifyInPage(bundle: unknown, record: unknown, rpc: string) {
        await page.fill("#bundle", JSON.stringify(bundle, null, 2));
        await page.fill("#record", JSON.stringify(record));
        await page.fill("#rpc", rpc);
        await page.click("#verify");
        await page.waitForSelector("#verdict[data-state=done], #verdict[data-state=error]", {
          timeout: 30_000,
        });
        return {
          state: await page.getAttribute("#verdict", "data-state"),
          green: (await page.$("#verdict.verdict.pass")) !== null,
          notary: await page.getAttribute('#checks li[data-check="notary"]', "data-status"),
        };
      }

      it("never shows green for the forgery asked of the attacker's chain, and shows green for the genuine bundle", async () => {
        const forgedResult = await verifyInPage(forged, FORGED_RECORD, attackerUrl);
        expect(forgedResult.green).toBe(false);
        expect(forgedResult).toMatchObject({ state: "done", notary: "fail" });

        const genuineResult = await verifyInPage(genuine, GENUINE.record, s.service.chainUrl);
        expect(genuineResult).toMatchObject({ state: "done", green: true, notary: "pass" });
      });
    });
  });
});

/** Deploys a look-alike EvidenceAnchor with `attacker`, anchors a never-submitted record's leaf, and writes its bundle. */
async function forgeBundle(chain: JsonRpcProvider, key: Wallet): Promise<Bundle> {
  const attacker = key.connect(chain);
  const { abi, bytecode } = await readAnchorArtifact();
  const lookAlike = await new ContractFactory(abi, bytecode, attacker).deploy(
    attacker.address,
    attacker.address,
  );
  await lookAlike.waitForDeployment();
  const contract = (await lookAlike.getAddress()).toLowerCase() as Hex;
  const salt = newSalt();
  const digest = digestRecord(FORGED_RECORD);
  const tree = buildTree([hashLeaf(salt, digest)]);
  const root = treeRoot(tree);
  const sent = await anchorContract(contract, attacker).anchor(0, toHex(root), tree.size);
  const receipt = await sent.wait(1, 30_000);
  if (receipt?.status !== 1) throw new Error("the attacker's anchor failed");
  const block = await chain.getBlock(receipt.blockNumber);
  if (block?.hash == null) throw new Error("no anchor block");
  return buildBundle({
    recordId: "wire-7",
    digest,
    salt,
    leafIndex: 0,
    treeSize: tree.size,
    proof: inclusionPath(tree, 0),
    root,
    batch: 0,
    anchor: {
      chainId: 31337,
      contract,
      txHash: receipt.hash.toLowerCase() as Hex,
      blockNumber: receipt.blockNumber,
      blockHash: block.hash.toLowerCase() as Hex,
      timestamp: block.timestamp,
    },
    record: FORGED_RECORD,
  });
}

/** The profile the attacker would publish for the look-alike: it describes the forgery's chain truthfully. */
async function attackerProfile(chain: JsonRpcProvider, forged: Bundle, key: Wallet) {
  const creation = getCreateAddress({ from: key.address, nonce: 0 }).toLowerCase();
  if (creation !== forged.anchor.contract)
    throw new Error("the look-alike was not the attacker's first transaction");
  const block1 = await chain.getBlock(1, true);
  const deployTx = block1?.prefetchedTransactions[0];
  if (block1?.hash == null || deployTx === undefined) throw new Error("no deployment block");
  return describeNotary(
    chain,
    {
      contract: forged.anchor.contract,
      txHash: deployTx.hash as Hex,
      blockNumber: 1,
      blockHash: block1.hash as Hex,
    },
    { name: "Look-alike notary (the attacker's)", anchorers: [key.address] },
  );
}

async function writeFiles(
  s: TestService,
  genuine: Bundle,
  forged: Bundle,
  attackerNotary: unknown,
): Promise<Files> {
  const dir = await mkdtemp(join(tmpdir(), "en-attack-"));
  const notary = await s.call("GET", "/v1/notary");
  expect(notary.status).toBe(200);
  const files: Files = {
    dir,
    serviceNotary: join(dir, "service-notary.json"),
    attackerNotary: join(dir, "attacker-notary.json"),
    genuine: join(dir, "genuine.bundle.json"),
    genuineRecord: join(dir, "genuine.record.json"),
    forged: join(dir, "forged.bundle.json"),
    forgedRecord: join(dir, "forged.record.json"),
    forgedAtServiceAddress: join(dir, "forged-at-service-address.bundle.json"),
  };
  await writeFile(files.serviceNotary, notary.text);
  await writeFile(files.attackerNotary, JSON.stringify(attackerNotary));
  await writeFile(files.genuine, JSON.stringify(genuine));
  await writeFile(files.genuineRecord, JSON.stringify(GENUINE.record));
  await writeFile(files.forged, JSON.stringify(forged));
  await writeFile(files.forgedRecord, JSON.stringify(FORGED_RECORD));
  await writeFile(
    files.forgedAtServiceAddress,
    JSON.stringify({ ...forged, anchor: { ...forged.anchor, contract: s.service.contract } }),
  );
  return files;
}

/** `npm run verify -- … --notary <profile> --json` as a child process. */
async function verify(args: string[], notary: string) {
  const emptyDataDir = await mkdtemp(join(tmpdir(), "en-attack-data-"));
  try {
    const run = await runScript("scripts/verify.ts", [...args, "--notary", notary, "--json"], {
      DATA_DIR: emptyDataDir,
      CHAIN_RPC_URL: undefined,
    });
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as {
      verdict: string;
      checks: Array<{ name: string; status: string; message: string }>;
    };
    return {
      code: run.code,
      report,
      failed: report.checks.filter((c) => c.status === "fail").map((c) => c.name),
      statuses: report.checks.map((c) => c.status),
      notaryMessage: report.checks.find((c) => c.name === "notary")?.message ?? "",
    };
  } finally {
    await rm(emptyDataDir, { recursive: true, force: true });
  }
}
