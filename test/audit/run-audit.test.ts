// runAudit on batches anchored on a real local chain, on PGlite and PostgreSQL: where each
// batch was anchored, not only what. A batch row's transaction hash, block number, block hash
// and block timestamp are what every bundle of the batch carries (anchor.txHash,
// anchor.blockNumber, anchor.blockHash, anchor.timestamp), so each one altered is a finding
// for that batch alone; the receipts are read one per batch, never more at once than the
// audit's concurrency; and a chain that cannot answer is an error of the audit, never a
// finding and never a clean result.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type AuditChain, runAudit } from "../../service/audit/run-audit.ts";
import { createChainReader, type JsonRpcChainReader } from "../../service/chain/chain-reader.ts";
import { ChainUnavailableError } from "../../service/core/errors.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { type BatchRow, getBatch } from "../../service/db/batches.ts";
import { randomBytesArray } from "../db/bytes.ts";
import { anchoringFixture } from "../helpers/anchoring-fixture.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { type RpcProxy, startRpcProxy } from "../helpers/rpc-proxy.ts";

const BATCH_SIZES = [3, 1, 4, 2, 5];
/** The batch tampered with: one in the middle, so "only that batch" means something. */
const TAMPERED = 2;

/** A reader that counts receipt reads, and the most in flight at once. */
function countReceipts(reader: AuditChain): { chain: AuditChain; read: Hex[]; mostAtOnce: () => number } {
  const read: Hex[] = [];
  let inFlight = 0;
  let most = 0;
  const chain: AuditChain = {
    getChainId: () => reader.getChainId(),
    getBlock: (n) => reader.getBlock(n),
    getCode: (a) => reader.getCode(a),
    getAnchor: (c, s) => reader.getAnchor(c, s),
    getNextSeq: (c) => reader.getNextSeq(c),
    async getTransactionReceipt(txHash) {
      read.push(txHash);
      most = Math.max(most, ++inFlight);
      try {
        // Long enough that the workers overlap, so the bound is what keeps them apart.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return await reader.getTransactionReceipt(txHash);
      } finally {
        inFlight--;
      }
    },
  };
  return { chain, read, mostAtOnce: () => most };
}

/** How the audit names a block: its number, hash and timestamp. */
function block(row: Pick<BatchRow, "blockNumber" | "blockHash" | "blockTimestamp">): string {
  return `block ${row.blockNumber} ${toHex(row.blockHash as Uint8Array)} at ${row.blockTimestamp}`;
}

forEachDatabase((target) => {
  const f = anchoringFixture(target);
  let reader: JsonRpcChainReader;
  let stored: BatchRow[];
  const row = (seq: number) => stored[seq] as BatchRow;
  const audit = (chain: AuditChain = reader, concurrency?: number) =>
    runAudit({
      db: f.db,
      chain,
      notary: f.chain.chain.notary,
      seed: 1,
      pendingOlderThanSeconds: 3600,
      ...(concurrency === undefined ? {} : { concurrency }),
    });

  beforeAll(async () => {
    for (const size of BATCH_SIZES) {
      await f.sealRecords(size);
      expect((await f.step()).kind).toBe("anchored");
    }
    reader = createChainReader(f.chain.chain.url, f.chain.chain.deployment.chainId);
    stored = await Promise.all(BATCH_SIZES.map(async (_, seq) => (await getBatch(f.db, seq)) as BatchRow));
    expect(stored.map((b) => b.state)).toEqual(BATCH_SIZES.map(() => "anchored"));
  });
  afterAll(() => {
    reader?.destroy();
  });

  it("finds nothing in the anchored ledger, having read each batch's transaction once, at most `concurrency` at once", async () => {
    const counted = countReceipts(reader);
    const report = await audit(counted.chain, 2);
    expect(report.findings).toEqual([]);
    expect(report).toMatchObject({ ok: true, totals: { batches: BATCH_SIZES.length } });
    expect(counted.read.sort()).toEqual(stored.map((b) => toHex(b.txHash as Uint8Array)).sort());
    expect(counted.mostAtOnce()).toBe(2);
  });

  const tampers: Array<{
    name: string;
    column: "tx_hash" | "block_number" | "block_hash" | "block_timestamp";
    value: () => unknown;
    finding: () => Record<string, unknown>;
  }> = [
    {
      name: "a transaction hash the chain does not know",
      column: "tx_hash",
      value: () => randomBytesArray(32),
      finding: () => ({
        kind: "anchor_tx_mismatch",
        message: expect.stringMatching(/the chain has no transaction 0x/),
        actual: "no such transaction",
      }),
    },
    {
      name: "the transaction hash of another batch's anchoring",
      column: "tx_hash",
      value: () => row(TAMPERED - 1).txHash,
      finding: () => ({
        kind: "anchor_tx_mismatch",
        expected: `RootAnchored(seq ${TAMPERED}, root ${toHex(row(TAMPERED).root)})`,
        actual: `RootAnchored(seq ${TAMPERED - 1}, root ${toHex(row(TAMPERED - 1).root)})`,
      }),
    },
    {
      name: "another block number",
      column: "block_number",
      value: () => (row(TAMPERED).blockNumber as number) + 1,
      finding: () => ({
        kind: "anchor_block_mismatch",
        expected: block(row(TAMPERED)),
        actual: block({ ...row(TAMPERED), blockNumber: (row(TAMPERED).blockNumber as number) + 1 }),
      }),
    },
    {
      name: "another block hash",
      column: "block_hash",
      value: () => row(TAMPERED - 1).blockHash,
      finding: () => ({
        kind: "anchor_block_mismatch",
        expected: block(row(TAMPERED)),
        actual: block({ ...row(TAMPERED), blockHash: row(TAMPERED - 1).blockHash }),
      }),
    },
    {
      name: "another block timestamp",
      column: "block_timestamp",
      value: () => (row(TAMPERED).blockTimestamp as number) - 60,
      finding: () => ({
        kind: "anchor_block_mismatch",
        expected: block(row(TAMPERED)),
        actual: block({ ...row(TAMPERED), blockTimestamp: (row(TAMPERED).blockTimestamp as number) - 60 }),
      }),
    },
  ];

  for (const tamper of tampers) {
    it(`reports a batch row with ${tamper.name} (${tamper.column}), for that batch only`, async () => {
      const original = await f.db.query<{ value: unknown }>(
        `SELECT ${tamper.column} AS value FROM batches WHERE seq = $1`,
        [TAMPERED],
      );
      const set = (value: unknown) =>
        f.db.query(`UPDATE batches SET ${tamper.column} = $2 WHERE seq = $1`, [TAMPERED, value]);
      await set(tamper.value());
      let report: Awaited<ReturnType<typeof audit>>;
      try {
        report = await audit();
      } finally {
        await set(original[0]?.value);
      }
      expect(report.ok).toBe(false);
      expect(report.findings).toEqual([
        expect.objectContaining({ seq: TAMPERED, recordId: null, ...tamper.finding() }),
      ]);
    });
  }

  it("treats a chain that cannot give a receipt as an error of the audit, never as a finding or a clean result", async () => {
    // The endpoint serves everything but receipts, which come back malformed (a node that
    // is failing): the reader says the chain is unavailable, and so must the audit.
    let proxy: RpcProxy | undefined;
    let failing: JsonRpcChainReader | undefined;
    try {
      proxy = await startRpcProxy(f.chain.chain.url, {
        answer: (method) => (method === "eth_getTransactionReceipt" ? { status: "0x1" } : undefined),
      });
      failing = createChainReader(proxy.url, f.chain.chain.deployment.chainId);
      await expect(audit(failing)).rejects.toBeInstanceOf(ChainUnavailableError);
      expect(proxy.calls.get("eth_getTransactionReceipt")).toBeGreaterThan(0);
    } finally {
      failing?.destroy();
      await proxy?.close();
    }
  });

  it("stops reading the chain once one batch's read failed: the other workers finish the batch in hand, none more", async () => {
    // Only the first receipt asked for is malformed; the other four batches' are fine.
    let receipts = 0;
    let proxy: RpcProxy | undefined;
    let failing: JsonRpcChainReader | undefined;
    try {
      proxy = await startRpcProxy(f.chain.chain.url, {
        answer: (method) =>
          method === "eth_getTransactionReceipt" && receipts++ === 0 ? { status: "0x1" } : undefined,
      });
      failing = createChainReader(proxy.url, f.chain.chain.deployment.chainId);
      await expect(audit(failing, 2)).rejects.toBeInstanceOf(ChainUnavailableError);
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Before, the second worker went on through all five batches after the audit had failed.
      expect(receipts).toBeGreaterThanOrEqual(1);
      expect(receipts).toBeLessThanOrEqual(3);
    } finally {
      failing?.destroy();
      await proxy?.close();
    }
  });
});
