// The audit's view of erasures (audit/audit-erasures.ts through auditBatch), on batches built
// with the core: a lawful erasure, anchored, is reported with its anchor and is no finding; a
// digest or salt gone without one is tampering; an erasure whose statement does not match the
// erased entry is tampering too, seen from the record and from the erasure's own entry.
import { describe, expect, it } from "vitest";
import { auditBatch, type BatchEvidence, type StoredLeafRow } from "../../service/audit/audit-batch.ts";
import type { ErasureEntryLink, RecordErasureLink } from "../../service/audit/audit-erasures.ts";
import type { Finding } from "../../service/audit/findings.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { erasureStatement, statementDigest } from "../../service/core/erasure-statement.ts";
import { toHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { anchorEvidence } from "./anchor-evidence.ts";

const SEQ = 3;
const ERASED_AT = new Date("2026-12-02T09:15:00.000Z");
const TX = new Uint8Array(32).fill(7);

/**
 * A batch of records rec-0 … rec-3, where rec-1 was erased and its erasure entry sits at leaf
 * 4 of the same batch, anchored: what the service writes for a record erased while pending.
 */
function batchWithErasure(): BatchEvidence & {
  record: RecordErasureLink;
  entry: ErasureEntryLink;
  /** rec-1's digest and salt before the erasure. */
  removed: { digest: Uint8Array; salt: Uint8Array };
} {
  const rows: StoredLeafRow[] = Array.from({ length: 4 }, (_, i) => {
    const digest = digestRecord({ exhibit: i });
    const salt = newSalt();
    return { id: `rec-${i}`, kind: 0, digest, salt, leaf: hashLeaf(salt, digest), leafIndex: i };
  });
  const erased = rows[1] as StoredLeafRow;
  const statement = erasureStatement({ erasedLeaf: erased.leaf, erasedAt: ERASED_AT, reference: "DSR-9" });
  const { text, digest } = statementDigest(statement);
  const removed = { digest: erased.digest as Uint8Array, salt: erased.salt as Uint8Array };
  const salt = newSalt();
  rows.push({ id: "erasure:rec-1", kind: 1, digest, salt, leaf: hashLeaf(salt, digest), leafIndex: 4 });
  erased.digest = null;
  erased.salt = null;
  const tree = buildTree(rows.map((r) => r.leaf));
  const root = treeRoot(tree);
  const record: RecordErasureLink = {
    erasedAt: ERASED_AT,
    reference: "DSR-9",
    statement: text,
    erasureIndex: 104,
    entry: { kind: 1, digest, seq: SEQ, state: "anchored", txHash: TX },
  };
  const entry: ErasureEntryLink = {
    statement: text,
    erasedIndex: 101,
    erased: { kind: 0, leaf: erased.leaf, contentGone: true },
  };
  return {
    ...anchorEvidence(SEQ, root, rows.length),
    rows,
    levels: [new Uint8Array(0), ...tree.levels.slice(1).map((level) => level.slice())],
    erasures: { ofRecords: new Map([[1, record]]), ofEntries: new Map([[4, entry]]) },
    grace: { now: new Date(ERASED_AT.getTime() + 60_000), seconds: 300 },
    record,
    entry,
    removed,
  };
}

const kinds = (findings: Finding[]) => findings.map((f) => `${f.kind}:${f.recordId}`).sort();

describe("the audit of erasures", () => {
  it("reports a lawful erasure with its anchor (seq, tx), and finds nothing", () => {
    const audit = auditBatch(batchWithErasure());
    expect(audit.findings).toEqual([]);
    expect(audit.erased).toEqual([
      {
        seq: SEQ,
        recordId: "rec-1",
        leafIndex: 1,
        erasedAt: ERASED_AT.toISOString(),
        reference: "DSR-9",
        erasure: { index: 104, seq: SEQ, anchored: true, txHash: toHex(TX) },
      },
    ]);
  });

  it("an erasure not anchored yet is listed as such within the grace period, and is a finding after it", () => {
    const e = batchWithErasure();
    e.record.entry = {
      ...(e.record.entry as NonNullable<RecordErasureLink["entry"]>),
      seq: null,
      state: null,
    };
    const fresh = auditBatch(e);
    expect(fresh.findings).toEqual([]);
    expect(fresh.erased[0]?.erasure).toEqual({ index: 104, seq: null, anchored: false, txHash: null });
    e.grace = { now: new Date(ERASED_AT.getTime() + 301_000), seconds: 300 };
    expect(kinds(auditBatch(e).findings)).toEqual(["erasure_not_anchored:rec-1"]);
  });

  it("a salt or digest gone without an erasure is tampering", () => {
    for (const field of ["salt", "digest"] as const) {
      const e = batchWithErasure();
      (e.rows[2] as StoredLeafRow)[field] = null;
      const audit = auditBatch(e);
      expect(kinds(audit.findings)).toEqual(["content_missing:rec-2"]);
      expect(audit.findings[0]?.message).toMatch(new RegExp(`its ${field} is missing, and no erasure`));
      expect(audit.erased.map((r) => r.recordId)).toEqual(["rec-1"]);
    }
  });

  it("a statement that does not match the erased entry is tampering, seen from both sides", () => {
    // Another reference written into the stored statement: it no longer hashes to the entry's digest.
    const reworded = batchWithErasure();
    const text = reworded.record.statement.replace("DSR-9", "DSR-0");
    reworded.record.statement = text;
    reworded.entry.statement = text;
    expect(kinds(auditBatch(reworded).findings)).toEqual([
      "erasure_mismatch:erasure:rec-1",
      "erasure_mismatch:rec-1",
    ]);

    // A statement, consistent in itself and with its entry, that names another leaf.
    const other = batchWithErasure();
    const forged = erasureStatement({
      erasedLeaf: new Uint8Array(32).fill(9),
      erasedAt: ERASED_AT,
      reference: "DSR-9",
    });
    const { text: forgedText, digest } = statementDigest(forged);
    const entryRow = other.rows[4] as StoredLeafRow;
    entryRow.digest = digest;
    entryRow.leaf = hashLeaf(entryRow.salt as Uint8Array, digest);
    other.record.statement = forgedText;
    other.record.entry = { ...(other.record.entry as NonNullable<RecordErasureLink["entry"]>), digest };
    other.entry.statement = forgedText;
    const findings = auditBatch(other).findings.filter((f) => f.kind.startsWith("erasure"));
    expect(kinds(findings)).toEqual(["erasure_mismatch:erasure:rec-1", "erasure_mismatch:rec-1"]);
    expect(findings.map((f) => f.message).join("\n")).toMatch(/names leaf 0x0909/);

    // The erasure row says another time than its statement.
    const retimed = batchWithErasure();
    retimed.record.erasedAt = new Date(ERASED_AT.getTime() - 86_400_000);
    expect(kinds(auditBatch(retimed).findings)).toEqual(["erasure_mismatch:rec-1"]);
  });

  it("an erasure whose entry is missing or is not an erasure entry is tampering", () => {
    const missing = batchWithErasure();
    missing.record.entry = null;
    expect(auditBatch(missing).findings).toEqual([
      expect.objectContaining({
        kind: "erasure_mismatch",
        recordId: "rec-1",
        message: expect.stringMatching(/missing from the log/),
      }),
    ]);
    const record = batchWithErasure();
    record.record.entry = { ...(record.record.entry as NonNullable<RecordErasureLink["entry"]>), kind: 0 };
    expect(kinds(auditBatch(record).findings)).toEqual(["erasure_mismatch:rec-1"]);
  });

  it("an erasure recorded while the content is still there is reported as incomplete", () => {
    const e = batchWithErasure();
    Object.assign(e.rows[1] as StoredLeafRow, e.removed);
    const audit = auditBatch(e);
    expect(kinds(audit.findings)).toEqual(["erasure_incomplete:rec-1"]);
    expect(audit.erased).toEqual([]);
  });

  it("an erasure entry must keep its digest and salt, and have its statement recorded", () => {
    const bare = batchWithErasure();
    bare.erasures = { ofRecords: bare.erasures.ofRecords, ofEntries: new Map() };
    expect(kinds(auditBatch(bare).findings)).toEqual(["erasure_mismatch:erasure:rec-1"]);
    const stripped = batchWithErasure();
    (stripped.rows[4] as StoredLeafRow).salt = null;
    expect(kinds(auditBatch(stripped).findings)).toEqual(["content_missing:erasure:rec-1"]);
    const orphan = batchWithErasure();
    orphan.entry.erased = null;
    expect(auditBatch(orphan).findings).toEqual([
      expect.objectContaining({
        kind: "erasure_mismatch",
        message: expect.stringMatching(/is not in the log/),
      }),
    ]);
  });
});
