// The ledger-wide checks: seq gaps, anchors the database lacks, batches left unanchored and
// records left pending past the threshold.
import { describe, expect, it } from "vitest";
import { auditLedger, type LedgerState } from "../../service/audit/audit-ledger.ts";

const NOW = new Date("2026-11-25T12:00:00Z");
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

function ledger(overrides: Partial<LedgerState> = {}): LedgerState {
  return {
    dbNextSeq: 10,
    missingSeqs: [],
    misplacedBatches: [],
    entriesPastEnd: [],
    chainNextSeq: 10,
    unanchored: [],
    stalePending: [],
    stalePendingCount: 0,
    now: NOW,
    thresholdSeconds: 300,
    ...overrides,
  };
}

describe("auditLedger", () => {
  it("finds nothing when batches are dense, all anchored, and nothing is old and pending", () => {
    expect(auditLedger(ledger())).toEqual([]);
  });

  it("reports every seq missing from the database", () => {
    expect(auditLedger(ledger({ missingSeqs: [3, 4] }))).toEqual([
      expect.objectContaining({ kind: "batch_missing", seq: 3 }),
      expect.objectContaining({ kind: "batch_missing", seq: 4 }),
    ]);
  });

  it("reports a batch whose range leaves entries out, or takes them twice", () => {
    const findings = auditLedger(
      ledger({
        misplacedBatches: [
          { seq: 4, firstIndex: 50, expectedFirstIndex: 40 },
          { seq: 6, firstIndex: 55, expectedFirstIndex: 60 },
        ],
      }),
    );
    expect(findings).toEqual([
      expect.objectContaining({ kind: "batch_range_mismatch", seq: 4, expected: 40, actual: 50 }),
      expect.objectContaining({ kind: "batch_range_mismatch", seq: 6, expected: 60, actual: 55 }),
    ]);
    expect(findings[0]?.message).toMatch(/in no batch/);
    expect(findings[1]?.message).toMatch(/in two batches/);
  });

  it("reports an entry past the end of the log by its id and index", () => {
    expect(auditLedger(ledger({ entriesPastEnd: [{ index: 99, id: "forged" }] }))).toEqual([
      expect.objectContaining({ kind: "record_unexpected", seq: null, recordId: "forged", leafIndex: 99 }),
    ]);
  });

  it("reports anchors on the chain for seqs the database does not have", () => {
    expect(auditLedger(ledger({ chainNextSeq: 12 }))).toEqual([
      expect.objectContaining({ kind: "unknown_onchain_batch", seq: 10 }),
      expect.objectContaining({ kind: "unknown_onchain_batch", seq: 11 }),
    ]);
  });

  it("reports unanchored batches only once they are older than the threshold", () => {
    const findings = auditLedger(
      ledger({
        chainNextSeq: 8,
        unanchored: [
          { seq: 8, state: "sent", sealedAt: ago(301) },
          { seq: 9, state: "sealed", sealedAt: ago(299) },
        ],
      }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        kind: "batch_not_anchored",
        seq: 8,
        message: expect.stringMatching(/301 s ago/),
      }),
    ]);
  });

  it("says so when the chain holds a batch the database still calls unanchored", () => {
    const [finding] = auditLedger(ledger({ unanchored: [{ seq: 9, state: "sent", sealedAt: ago(600) }] }));
    expect(finding?.message).toMatch(/contract holds seq 9.*"sent"/);
  });

  it("names each stale pending record, and counts those not listed", () => {
    const findings = auditLedger(
      ledger({ stalePending: [{ id: "tx-1", receivedAt: ago(400) }], stalePendingCount: 3 }),
    );
    expect(findings).toEqual([
      expect.objectContaining({ kind: "stale_pending", seq: null, recordId: "tx-1" }),
      expect.objectContaining({
        kind: "stale_pending",
        recordId: null,
        message: expect.stringMatching(/2 more/),
      }),
    ]);
  });
});
