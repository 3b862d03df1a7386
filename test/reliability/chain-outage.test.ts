// The chain goes away and comes back. Ingestion must not notice (202 all along), /readyz
// must say the chain is down, anchoring must resume by itself once the node is back on the
// same port (the journal replays its history), and a bundle issued before the outage must
// still verify against the restarted chain. The service runs in process and reaches the
// chain only through CHAIN_RPC_URL, as it would an external EVM node.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { type LocalChain, startLocalChain } from "../../service/local-chain/local-chain.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { pollUntil, sleep, waitForBundle } from "../helpers/fault-checks.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const OUTAGE_MS = 3000;

forEachDatabase((target) => {
  let chainDir: string;
  let first: TestChain;
  let firstStopped: Promise<void> | undefined;
  let restarted: LocalChain | undefined;
  let s: TestService;

  beforeAll(async () => {
    chainDir = await makeDataDir("en-chain-outage-");
    first = await startTestChain(chainDir);
    s = await startTestService(target, {
      CHAIN_RPC_URL: first.chain.url,
      ANCHOR_CONTRACT: first.chain.deployment.contract,
      // The local chain's operator: admin and anchorer of the contract.
      ANCHOR_KEY_FILE: join(chainDir, "anchorer.key"),
      NOTARY_PROFILE: join(chainDir, "notary.json"),
      BATCH_INTERVAL_MS: "100",
      // A transaction sent just as the node died is replaced after this long, not 30 s.
      ANCHOR_TIMEOUT_MS: "2000",
    });
  });
  afterAll(async () => {
    await s?.stop();
    await (firstStopped ?? first?.stop());
    await restarted?.close();
    if (chainDir !== undefined) await rm(chainDir, { recursive: true, force: true });
  });

  const submit = (id: string) =>
    s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id, record: { id, amount: "2" } } });

  it("keeps ingesting while the chain is down, resumes anchoring after, and old bundles still verify", async () => {
    const { url, deployment } = first.chain;
    expect((await submit("before")).status).toBe(202);
    const bundle = await waitForBundle(s.call, s.keys.reader, "before", 20_000);

    firstStopped = first.stop();
    await firstStopped;
    const down = performance.now();
    const during: string[] = [];
    let readyChecks = 0;
    for (let n = 0; performance.now() - down < OUTAGE_MS; n++) {
      const id = `during-${n}`;
      const res = await submit(id);
      expect(res.status, res.text).toBe(202);
      during.push(id);
      const ready = await s.call("GET", "/readyz");
      expect(ready.status).toBe(503);
      expect(ready.json.checks).toMatchObject({ chain: false, database: true });
      readyChecks++;
      await sleep(200);
    }
    const pending = await s.call("GET", `/v1/records/${during[0]}/proof`, { key: s.keys.reader });
    expect(pending.status, "no proof while the chain is down").toBe(202);

    restarted = await startLocalChain({ dataDir: chainDir, port: Number(new URL(url).port) });
    const up = performance.now();
    expect(restarted.url).toBe(url);
    expect(restarted.replayed).toBeGreaterThan(0);
    expect(restarted.deployment.contract).toBe(deployment.contract);

    await pollUntil(
      "ready again",
      async () => ((await s.call("GET", "/readyz")).status === 200 ? true : undefined),
      15_000,
    );
    const readyMs = performance.now() - up;
    for (const id of during) await waitForBundle(s.call, s.keys.reader, id, 30_000);
    const anchoredMs = performance.now() - up;
    // The anchorer's retry backoff is capped at 5 s, and the backlog of small batches takes
    // a few seconds more; before that cap (30 s) anchoring sat idle for half a minute.
    expect(anchoredMs).toBeLessThan(15_000);

    const reader = createChainReader(url, deployment.chainId);
    try {
      const report = await verifyBundle(bundle, {
        record: { id: "before", amount: "2" },
        chain: reader,
        trustedNotary: first.chain.notary,
      });
      expect(report.checks.filter((c) => c.status !== "pass")).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      reader.destroy();
    }
    console.log(
      `chain outage (${target.kind}): ${during.length} submissions accepted (202) and ${readyChecks} /readyz 503 ` +
        `in ${OUTAGE_MS} ms down; after restart: ready in ${Math.round(readyMs)} ms, ` +
        `every outage record anchored in ${Math.round(anchoredMs)} ms`,
    );
  });
});
