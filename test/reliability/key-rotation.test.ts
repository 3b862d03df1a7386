// Rotating the anchoring key on a chain that is not ours, with records submitted throughout:
// a standalone `hardhat node` process mining a block every 200 ms, CONFIRMATIONS=2, the
// contract deployed by `npm run deploy` (admin and anchorer on different accounts), and
// `node service/main.ts` processes on one PostgreSQL schema, as docs/deployment.md section 4
// says to rotate:
//   1. `npm run roles -- grant <B>` while process 1 (key A) leads and anchors;
//   2. process 2 starts with key B; process 1 is stopped (SIGTERM), process 2 takes over and
//      anchors with B;
//   3. `npm run roles -- revoke <A>`.
// Then: every acknowledged record is anchored exactly once, the seqs on chain are dense with
// one RootAnchored each, A anchored before and B after, and sampled bundles verify.
import { chmod, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { JsonRpcProvider, type Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { anchorContract } from "../../service/chain/anchor-contract.ts";
import { readDeployment } from "../../service/chain/deployment.ts";
import { readNotaryProfileFile } from "../../service/chain/notary-file.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { ROOT_ANCHORED_TOPIC } from "../../service/core/verify.ts";
import { createApiKey } from "../../service/keys/api-keys.ts";
import { auditAnchoring } from "../helpers/anchoring-audit.ts";
import {
  type CrashHarness,
  type ServiceProcess,
  seededRandom,
  startLoad,
  startServiceProcess,
  waitForDrain,
} from "../helpers/crash-trials.ts";
import { forPostgres } from "../helpers/databases.ts";
import { pollUntil } from "../helpers/fault-checks.ts";
import { devAccount, type HardhatNode, startHardhatNode } from "../helpers/hardhat-node.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { runScript, stopProcess } from "../helpers/processes.ts";

forPostgres((target) => {
  let node: HardhatNode;
  let provider: JsonRpcProvider;
  let dir: string;
  const processes: ServiceProcess[] = [];
  const admin = devAccount(0);
  const oldKey = devAccount(1);
  const newKey = devAccount(2);
  const keyFiles: Record<string, string> = {};

  const writeKey = async (name: string, key: Wallet) => {
    const path = join(dir, `${name}.key`);
    await writeFile(path, `${key.privateKey}\n`, { mode: 0o600 });
    await chmod(path, 0o600);
    keyFiles[name] = path;
  };
  const roles = (args: string[]) =>
    runScript("scripts/roles.ts", [...args, "--key-file", keyFiles.admin as string], {
      DATA_DIR: join(dir, "data"),
      CHAIN_RPC_URL: node.url,
      CONFIRMATIONS: "2",
      ANCHOR_CONTRACT: undefined,
      ANCHOR_KEY_FILE: undefined,
      ANCHOR_PRIVATE_KEY: undefined,
    });
  /** Who sent each anchor, in seq order. */
  const anchorSenders = async (contract: Hex): Promise<string[]> => {
    const logs = await provider.getLogs({ address: contract, topics: [ROOT_ANCHORED_TOPIC], fromBlock: 0 });
    const senders: string[] = [];
    for (const log of logs)
      senders.push(((await provider.getTransaction(log.transactionHash))?.from ?? "").toLowerCase());
    return senders;
  };

  beforeAll(async () => {
    node = await startHardhatNode({ intervalMs: 200 });
    provider = new JsonRpcProvider(node.url, node.chainId, { staticNetwork: true, cacheTimeout: -1 });
    dir = await makeDataDir("en-rotation-");
    await writeKey("admin", admin);
    await writeKey("old", oldKey);
    await writeKey("new", newKey);
  });
  afterAll(async () => {
    for (const p of processes) await stopProcess(p.child, "SIGKILL");
    provider?.destroy();
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  // A liveness bound, not a speed target: quiet, the trial takes about 15 s; on a loaded
  // 2-core machine its deploy, two processes and confirmations can take several times that.
  it("rotates the anchoring key under load: nothing lost, nothing anchored twice", {
    timeout: 240_000,
  }, async () => {
    const dataDir = join(dir, "data");
    const deployed = await runScript(
      "scripts/deploy.ts",
      [
        "--rpc",
        node.url,
        "--key-file",
        keyFiles.admin as string,
        "--anchorer",
        oldKey.address,
        "--confirmations",
        "2",
      ],
      { DATA_DIR: dataDir },
      120_000,
    );
    expect(deployed.code, deployed.stderr).toBe(0);
    const deployment = await readDeployment(dataDir);
    const notary = await readNotaryProfileFile(join(dataDir, "notary.json"));
    if (deployment === undefined || notary === undefined)
      throw new Error("npm run deploy wrote no deployment");

    const { db, url } = await target.create();
    const harness: CrashHarness = {
      db,
      chain: {
        provider,
        anchor: anchorContract(deployment.contract, provider),
        chain: { url: node.url, deployment, notary },
      },
      keys: {
        submitter: (await createApiKey(db, "submitter", "rotation")).key,
        reader: (await createApiKey(db, "reader", "rotation")).key,
      },
      acked: new Set(),
      env: {
        DATABASE_URL: url as string,
        CHAIN_RPC_URL: node.url,
        // No ANCHOR_CONTRACT: the service reads DATA_DIR/chain/deployment.json, and checks
        // the chain against DATA_DIR/notary.json, as npm run deploy left them.
        DATA_DIR: dataDir,
        ANCHOR_KEY_FILE: keyFiles.old as string,
        CONFIRMATIONS: "2",
        BATCH_INTERVAL_MS: "1000",
        ANCHOR_TIMEOUT_MS: "5000",
        HOST: "127.0.0.1",
        PORT: "0",
        LOG_LEVEL: "info",
      },
    };
    const random = seededRandom(2026);
    const start = async (key: string) => {
      const started = await startServiceProcess({
        ...harness,
        env: { ...harness.env, ANCHOR_KEY_FILE: key },
      });
      processes.push(started);
      return started;
    };
    const anchoredBatches = async () =>
      Number(
        (await db.query<{ n: number }>("SELECT count(*) AS n FROM batches WHERE state = 'anchored'"))[0]?.n,
      );

    const first = await start(keyFiles.old as string);
    const load1 = startLoad(harness, { urls: [first.url], workers: 2, prefix: "rot-1", random, paceMs: 40 });
    await pollUntil(
      "anchored with the old key",
      async () => ((await anchoredBatches()) >= 2 ? true : undefined),
      60_000,
    );

    // 1. Grant the new account.
    const granted = await roles(["grant", newKey.address]);
    expect(granted.code, granted.stderr).toBe(0);

    // 2. A process with the new key joins; the old one stops, and the new one takes over.
    const second = await start(keyFiles.new as string);
    const load2 = startLoad(harness, {
      urls: [first.url, second.url],
      workers: 2,
      prefix: "rot-2",
      random,
      paceMs: 40,
    });
    await load1.stop();
    expect(await stopProcess(first.child, "SIGTERM")).toBe(0);
    await pollUntil(
      "anchored with the new key",
      async () => {
        const senders = await anchorSenders(deployment.contract);
        return senders.at(-1) === newKey.address.toLowerCase() ? true : undefined;
      },
      60_000,
    );

    // 3. Revoke the old account.
    const listedBoth = await roles(["list"]);
    expect(listedBoth.stdout).toContain(
      `ANCHORER_ROLE:      ${[oldKey.address, newKey.address]
        .map((a) => a.toLowerCase())
        .sort()
        .join(", ")}`,
    );
    const revoked = await roles(["revoke", oldKey.address]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await roles(["list"])).stdout).toContain(`ANCHORER_ROLE:      ${newKey.address.toLowerCase()}\n`);

    await new Promise((r) => setTimeout(r, 2_000)); // more records after the revocation
    const { calls, failedCalls } = await load2.stop();
    await waitForDrain(db, 60_000);

    const audit = await auditAnchoring(harness, {
      url: second.url,
      proofSample: 300,
      verifySample: 10,
      random,
    });
    expect(audit.problems).toEqual([]);
    const senders = await anchorSenders(deployment.contract);
    const switched = senders.indexOf(newKey.address.toLowerCase());
    expect(switched).toBeGreaterThan(0);
    expect(senders.slice(0, switched).every((s) => s === oldKey.address.toLowerCase())).toBe(true);
    expect(senders.slice(switched).every((s) => s === newKey.address.toLowerCase())).toBe(true);
    expect(second.output()).toContain("anchoring checks passed");
    expect(second.output()).not.toContain("anchoring stopped");
    const onChainRoot = (await harness.chain.anchor.getAnchor(0)).root.toLowerCase();
    const storedRoot = (await db.query<{ root: Uint8Array }>("SELECT root FROM batches WHERE seq = 0"))[0]
      ?.root;
    expect(onChainRoot).toBe(toHex(storedRoot as Uint8Array));
    console.log(
      `key rotation: ${harness.acked.size} records acknowledged (${calls} calls in the second load, ${failedCalls} ` +
        `failed while a process stopped), ${audit.batches} batches, ${switched} anchored with the old key and ` +
        `${senders.length - switched} with the new one; every record anchored once`,
    );
  });
});
