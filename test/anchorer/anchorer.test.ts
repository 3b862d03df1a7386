// The anchoring loop against a real local chain, reached through a counting JSON-RPC proxy,
// and a real database. Its account loses ANCHORER_ROLE while batches keep being sealed (and
// each seal pokes the loop): it must say so once, keep its calls to the chain few and its
// CPU near idle, and anchor everything by itself once the role is back.
import { Wallet } from "ethers";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Anchorer } from "../../service/anchorer/anchorer.ts";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { AnchorClient } from "../../service/chain/anchor-client.ts";
import { firstBatchInState } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import type { Logger } from "../../service/logger.ts";
import { newRecord } from "../db/bytes.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { pollUntil, sleep } from "../helpers/fault-checks.ts";
import { connect, setAnchorer, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { type RpcProxy, startRpcProxy } from "../helpers/rpc-proxy.ts";

const STALL_WINDOW_MS = 4_000;

forEachDatabase((target) => {
  let chain: TestChain;
  let proxy: RpcProxy;
  let db: Database;
  let anchorer: Anchorer;
  const anchoringKey = new Wallet(Wallet.createRandom().privateKey);
  const lines: Array<{ level: string; msg: string; fields: object }> = [];
  const log: Logger = Object.fromEntries(
    (["info", "warn", "error", "debug"] as const).map((level) => [
      level,
      (fields: object, msg = "") => lines.push({ level, msg, fields }),
    ]),
  ) as unknown as Logger;
  let records = 0;

  const setRole = (grant: boolean) => setAnchorer(chain, anchoringKey.address, grant);
  /** Stores a record and seals it into a batch, then pokes the anchorer, as the batcher does. */
  const sealOne = async () => {
    const n = records++;
    await appendEntries(db, [newRecord(`r-${n}`)]);
    await sealBatch(db, 1000);
    anchorer.poke();
  };
  const allAnchored = () =>
    pollUntil(
      "every batch anchored",
      async () => ((await firstBatchInState(db, ["sealed", "sent"])) === null ? true : undefined),
      30_000,
    );

  beforeAll(async () => {
    // The anchoring account is not the operator (the contract's admin), so the admin's
    // transactions never compete with it for nonces.
    chain = await startTestChain(undefined, { allowedSenders: [anchoringKey.address] });
    await setRole(true);
    proxy = await startRpcProxy(chain.chain.url);
    const { contract, chainId } = chain.chain.deployment;
    const provider = connect(proxy.url, chainId);
    ({ db } = await target.create());
    anchorer = new Anchorer({
      db,
      client: new AnchorClient(provider, contract, chainId, anchoringKey),
      confirmations: 1,
      timeoutMs: 5_000,
      idleMs: 100,
      log,
      trustedNotary: chain.chain.notary,
    });
    anchorer.start();
  });
  afterAll(async () => {
    await anchorer?.stop();
    await proxy?.close();
    await chain?.stop();
  });

  it("checks its setup, then anchors", async () => {
    await sealOne();
    await allAnchored();
    expect(lines.filter((l) => l.level === "error" || l.level === "warn")).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain(
      "anchoring checks passed: the account holds ANCHORER_ROLE on the notary's contract and can pay for gas",
    );
  });

  it("stops without spinning when the role is revoked, says so once, and resumes by itself", async () => {
    await setRole(false);
    await sealOne();
    await pollUntil("the failure is known", async () => anchorer.health.failure, 10_000);
    expect(anchorer.health.failure).toMatchObject({ cause: "missing_role", needsOperator: true });

    // Batches keep coming, and each pokes the loop; a backoff must not end early for them.
    proxy.reset();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    while (performance.now() - started < STALL_WINDOW_MS) {
      await sealOne();
      await sleep(50);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const wallMs = performance.now() - started;
    const calls = proxy.count();
    const cpuShare = (cpu.user + cpu.system) / 1000 / wallMs;
    console.log(
      `stall (${target.kind}): ${calls} JSON-RPC calls in ${Math.round(wallMs)} ms ` +
        `(${JSON.stringify(Object.fromEntries(proxy.calls))}), CPU ${(cpuShare * 100).toFixed(1)}% of a core ` +
        `(this process: the chain, the database and ${records} seals included)`,
    );
    // Rechecks 1 s, 2 s, 4 s apart, a few calls each; the loop that polled a reverted
    // receipt without sleeping made thousands.
    expect(calls).toBeLessThan(40);
    expect(anchorer.health.failure?.attempts).toBeLessThan(10);

    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain("anchoring stopped (missing_role)");
    expect(errors[0]?.msg).toContain(anchoringKey.address.toLowerCase());
    expect(errors[0]?.msg).toContain(`Fix: an admin of the contract grants it (npm run roles -- grant`);

    await setRole(true);
    const regranted = performance.now();
    await allAnchored();
    console.log(
      `resumed (${target.kind}): every batch anchored ${Math.round(performance.now() - regranted)} ms after the grant`,
    );
    expect(anchorer.health.failure).toBeUndefined();
    expect(lines.filter((l) => l.msg.startsWith("anchoring resumed after missing_role"))).toHaveLength(1);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
  });
});
