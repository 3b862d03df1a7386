// Records erased while still pending (issue 13), through real HTTP on both databases: before
// their batch is sealed, and after it is sealed but before it is anchored. Either way the
// leaf stays, the batch seals and anchors with it, the neighbours' bundles verify, and the
// erasure's own entry lands in the same batch (erased before sealing) or a later one (after).
//
// Sealing and anchoring are held deterministically, never by timing: the service seals only
// when MAX_BATCH (3) records were submitted since the last seal (BATCH_INTERVAL_MS is an hour,
// and an erasure's entry does not count), and it reaches the chain through a TCP proxy the
// test cuts while a batch must stay sealed but unanchored. Then the audit, run in process on
// the same database, lists both erasures with their anchors and finds nothing.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../service/audit/run-audit.ts";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { pollUntil } from "../helpers/fault-checks.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

const ERASE = { reason: "asked while pending", reference: "DSR-pending" };

forEachDatabase((target) => {
  let chainDir: string;
  let chain: TestChain;
  let proxy: TcpProxy;
  let s: TestService;

  const submit = async (ids: string[]) => {
    const records = ids.map((id) => ({ id, record: { id, amount: "3.00" } }));
    const ack = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
    expect(ack.json.created, ack.text).toBe(ids.length);
  };
  const status = (id: string) => s.call("GET", `/v1/records/${id}`, { key: s.keys.reader });
  const bundleOf = (id: string) =>
    pollUntil(
      `the bundle of ${id}`,
      async () => {
        const res = await s.call("GET", `/v1/records/${id}/proof?wait=5`, { key: s.keys.reader });
        return res.status === 200 ? res.json : undefined;
      },
      60_000,
    );
  const erasureOf = (id: string) =>
    pollUntil(
      `the anchored erasure of ${id}`,
      async () => {
        const res = await s.call("GET", `/v1/records/${id}/erasure?wait=5`, { key: s.keys.reader });
        return res.json.anchoring === "anchored" ? res.json : undefined;
      },
      60_000,
    );
  const verify = async (bundle: unknown, record: unknown) => {
    const res = await s.call("POST", "/v1/verify", { key: s.keys.reader, body: { bundle, record } });
    expect(res.json.checks.filter((c: { status: string }) => c.status !== "pass")).toEqual([]);
    expect(res.json.ok).toBe(true);
  };

  beforeAll(async () => {
    chainDir = await makeDataDir("en-erasure-pending-");
    chain = await startTestChain(chainDir);
    proxy = await startTcpProxy(Number(new URL(chain.chain.url).port));
    s = await startTestService(target, {
      CHAIN_RPC_URL: `http://127.0.0.1:${proxy.port}`,
      ANCHOR_CONTRACT: chain.chain.deployment.contract,
      ANCHOR_KEY_FILE: join(chainDir, "anchorer.key"),
      NOTARY_PROFILE: join(chainDir, "notary.json"),
      BATCH_INTERVAL_MS: "3600000",
      MAX_BATCH: "3",
      ANCHOR_TIMEOUT_MS: "2000",
    });
    // Once three records are anchored, the batcher's first pass is over: from now on it seals
    // only when poked by the third record submitted after a seal.
    await submit(["warm-0", "warm-1", "warm-2"]);
    await bundleOf("warm-2");
  });
  afterAll(async () => {
    await s?.stop();
    await proxy?.close();
    await chain?.stop();
    if (chainDir !== undefined) await rm(chainDir, { recursive: true, force: true });
  });

  describe("a record erased while pending", () => {
    it("before its batch is sealed: the batch seals with its leaf, and the erasure's entry lands in the same batch", async () => {
      await submit(["p-0", "p-1"]);
      expect((await status("p-0")).json).toMatchObject({ status: "pending", batch: null });
      const erased = await s.call("POST", "/v1/records/p-0/erasure", { key: s.keys.eraser, body: ERASE });
      expect(erased.status).toBe(200);
      expect((await status("p-0")).status).toBe(410);
      expect((await status("p-1")).json).toMatchObject({ status: "pending", batch: null });
      const early = await s.call("GET", "/v1/records/p-0/erasure", { key: s.keys.reader });
      expect(early.json).toMatchObject({ anchoring: "pending", bundle: null, erasedRecord: { batch: null } });

      await submit(["p-2"]); // the third since the last seal: [p-0, p-1, erasure of p-0], then [p-2]
      const neighbour = await bundleOf("p-1");
      expect(neighbour).toMatchObject({ leafIndex: 1, treeSize: 3 });
      await verify(neighbour, { id: "p-1", amount: "3.00" });

      const erasure = await erasureOf("p-0");
      expect(erasure.erasedRecord).toEqual({
        leafHash: erased.json.statement.erasedLeaf,
        batch: { seq: neighbour.batch, leafIndex: 0 },
      });
      expect(erasure.bundle).toMatchObject({ batch: neighbour.batch, leafIndex: 2, root: neighbour.root });
      expect(neighbour.proof).toContain(erasure.bundle.leafHash);
      await verify(erasure.bundle, erasure.statement);
      expect((await s.call("GET", "/v1/records/p-0/proof", { key: s.keys.reader })).status).toBe(410);
    });

    it("after its batch is sealed, before it is anchored: the batch anchors unchanged, and the erasure's entry lands in a later batch", async () => {
      proxy.pause();
      await submit(["q-0", "q-1", "q-2"]); // sealed at once, not anchored while the chain is cut off
      const sealed = await pollUntil(
        "q-0 sealed",
        async () => {
          const res = await status("q-0");
          return res.json.batch === null ? undefined : res.json;
        },
        20_000,
      );
      expect(sealed).toMatchObject({ status: "pending", batch: { leafIndex: 0 } });
      expect(sealed.batch.state).not.toBe("anchored");

      const erased = await s.call("POST", "/v1/records/q-1/erasure", { key: s.keys.eraser, body: ERASE });
      expect(erased.status).toBe(200);
      expect((await status("q-1")).status).toBe(410);
      const early = await s.call("GET", "/v1/records/q-1/erasure", { key: s.keys.reader });
      expect(early.json).toMatchObject({
        anchoring: "pending",
        erasedRecord: { batch: { seq: sealed.batch.seq, leafIndex: 1 } },
      });
      await submit(["q-3", "q-4", "q-5"]); // [erasure of q-1, q-3, q-4], then [q-5]
      proxy.resume();

      const neighbour = await bundleOf("q-0");
      expect(neighbour).toMatchObject({ batch: sealed.batch.seq, leafIndex: 0, treeSize: 3 });
      expect(neighbour.proof[0]).toBe(erased.json.statement.erasedLeaf); // the erased leaf, still in the tree
      await verify(neighbour, { id: "q-0", amount: "3.00" });
      const erasure = await erasureOf("q-1");
      expect(erasure.bundle.batch).toBe(sealed.batch.seq + 1);
      expect(erasure.bundle.leafIndex).toBe(0);
      await verify(erasure.bundle, erasure.statement);
    });
  });

  it("the audit lists both erasures with their anchors, and finds nothing", async () => {
    await bundleOf("q-5");
    const reader = createChainReader(chain.chain.url, chain.chain.deployment.chainId);
    try {
      const report = await runAudit({
        db: s.database.db,
        chain: reader,
        notary: chain.chain.notary,
        seed: 1,
        pendingOlderThanSeconds: 300,
      });
      expect(report.findings).toEqual([]);
      expect(report.erased.map((e) => [e.recordId, e.erasure.anchored])).toEqual([
        ["p-0", true],
        ["q-1", true],
      ]);
      expect(report.erased[0]?.erasure.seq).toBe(report.erased[0]?.seq);
      expect(report.erased[1]?.erasure.seq).toBe((report.erased[1]?.seq as number) + 1);
    } finally {
      reader.destroy();
    }
  });
});
