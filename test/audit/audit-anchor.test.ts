// The pure anchor audit (audit/audit-anchor.ts): a batch row's transaction and block against
// the contract's getAnchor(seq) and the transaction's receipt. Each way a stored value can
// be wrong is one finding of one kind; a consistent row is none. The same on a real chain,
// with the rows tampered in the database: run-audit.test.ts.
import { describe, expect, it } from "vitest";
import { anchorTxToCheck, auditAnchor } from "../../service/audit/audit-anchor.ts";
import { InvariantError } from "../../service/core/errors.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { anchorEvidence, CONTRACT } from "./anchor-evidence.ts";

const SEQ = 4;
const ROOT = new Uint8Array(32).fill(9);

function anchored() {
  return anchorEvidence(SEQ, ROOT, 6);
}

describe("auditAnchor", () => {
  it("finds nothing when the row's transaction and block are where the contract recorded the anchor", () => {
    expect(auditAnchor(anchored())).toEqual([]);
  });

  describe("the stored transaction (anchor_tx_mismatch), checked as a verifier checks anchor_tx", () => {
    it("one the chain does not have", () => {
      const e = { ...anchored(), receipt: null };
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({
          kind: "anchor_tx_mismatch",
          seq: SEQ,
          recordId: null,
          message: expect.stringContaining(
            `the chain has no transaction ${toHex(e.batch.txHash as Uint8Array)}`,
          ),
          actual: "no such transaction",
        }),
      ]);
    });

    it("one that reverted", () => {
      const e = anchored();
      e.receipt = { ...e.receipt, status: 0 };
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({ kind: "anchor_tx_mismatch", expected: "status 1", actual: "status 0" }),
      ]);
    });

    it("one sent to another address", () => {
      const e = anchored();
      const elsewhere = `0x${"5a".repeat(20)}` as Hex;
      e.receipt = { ...e.receipt, to: elsewhere };
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({ kind: "anchor_tx_mismatch", expected: CONTRACT, actual: elsewhere }),
      ]);
    });

    it("another batch's anchoring transaction", () => {
      const e = anchored();
      const other = anchorEvidence(SEQ - 1, new Uint8Array(32).fill(8), 2);
      e.receipt = { ...other.receipt, blockNumber: e.anchor.blockNumber };
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({
          kind: "anchor_tx_mismatch",
          expected: `RootAnchored(seq ${SEQ}, root ${toHex(ROOT)})`,
          actual: `RootAnchored(seq ${SEQ - 1}, root ${toHex(new Uint8Array(32).fill(8))})`,
        }),
      ]);
    });

    it("one whose receipt is in another block than the contract recorded (a reorganized chain)", () => {
      const e = anchored();
      e.receipt = { ...e.receipt, blockNumber: e.anchor.blockNumber + 1 };
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({
          kind: "anchor_tx_mismatch",
          expected: `block ${e.anchor.blockNumber}`,
          actual: `block ${e.anchor.blockNumber + 1}`,
        }),
      ]);
    });

    it("none stored for a batch recorded as anchored", () => {
      const e = anchored();
      e.batch.txHash = null;
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({ kind: "anchor_tx_mismatch", seq: SEQ, actual: "none" }),
      ]);
    });

    it("is a bug of the runner, not a finding, when the receipt it needs was not read", () => {
      const { receipt: _, ...e } = anchored();
      expect(() => auditAnchor(e)).toThrow(InvariantError);
    });
  });

  describe("the stored block (anchor_block_mismatch): number, hash and timestamp", () => {
    const described = (n: number, hash: Uint8Array, t: number) => `block ${n} ${toHex(hash)} at ${t}`;

    it.each([
      ["number", { blockNumber: 41 }],
      ["hash", { blockHash: new Uint8Array(32).fill(3) }],
      ["timestamp", { blockTimestamp: 1_767_225_000 }],
      ["number, missing", { blockNumber: null }],
    ])("a changed block %s", (_, change) => {
      const e = anchored();
      const { blockNumber, blockHash, blockTimestamp } = e.batch;
      e.batch = { ...e.batch, ...change };
      expect(auditAnchor(e)).toEqual([
        expect.objectContaining({
          kind: "anchor_block_mismatch",
          seq: SEQ,
          recordId: null,
          expected: described(blockNumber as number, blockHash as Uint8Array, blockTimestamp as number),
          actual: `block ${e.batch.blockNumber ?? "none"} ${toHex(e.batch.blockHash as Uint8Array)} at ${e.batch.blockTimestamp}`,
        }),
      ]);
    });

    it("compares number and timestamp alone when the receipt is not the anchoring one", () => {
      const e = { ...anchored(), receipt: null };
      e.batch.blockTimestamp = 1;
      const block = auditAnchor(e).find((f) => f.kind === "anchor_block_mismatch");
      expect(block).toMatchObject({
        expected: `block ${e.anchor.blockNumber} at ${e.anchor.timestamp}`,
        actual: `block ${e.batch.blockNumber} at 1`,
      });
    });
  });

  it("checks no transaction or block of a batch not recorded as anchored, or whose anchor the contract lacks", () => {
    const sent = anchored();
    sent.batch = { ...sent.batch, state: "sent", blockNumber: null, blockHash: null, blockTimestamp: null };
    expect(anchorTxToCheck(sent.batch, sent.anchor)).toBeUndefined();
    const { receipt: _, ...unread } = sent;
    expect(auditAnchor(unread)).toEqual([]);

    const missing = anchored();
    expect(anchorTxToCheck(missing.batch, null)).toBeUndefined();
    expect(auditAnchor({ ...missing, anchor: null }).map((f) => f.kind)).toEqual(["anchor_missing"]);
    expect(anchorTxToCheck(missing.batch, missing.anchor)).toBe(toHex(missing.batch.txHash as Uint8Array));
  });

  it("reports a sent or anchored row that names no contract or no chain id as anchor_elsewhere (its bundles cannot be built)", () => {
    for (const state of ["sent", "anchored"] as const) {
      const noContract = anchored();
      noContract.batch = { ...noContract.batch, state, contract: null };
      expect(auditAnchor(noContract).filter((f) => f.kind === "anchor_elsewhere")).toEqual([
        expect.objectContaining({
          seq: SEQ,
          message: expect.stringContaining(`recorded as ${state}, but its row names no contract`),
          expected: `${CONTRACT}@${noContract.chain.chainId}`,
          actual: `none@${noContract.batch.chainId}`,
        }),
      ]);
      const noChain = anchored();
      noChain.batch = { ...noChain.batch, state, chainId: null };
      expect(auditAnchor(noChain).find((f) => f.kind === "anchor_elsewhere")?.message).toContain(
        "names no chain id",
      );
    }
    const sealed = anchored();
    sealed.batch = { ...sealed.batch, state: "sealed", contract: null, chainId: null, txHash: null };
    expect(auditAnchor({ ...sealed, anchor: null })).toEqual([]);
  });
});
