// The pure batch audit on batches built with the core: a clean batch has no finding, and
// every kind of tampering is named with its batch and record.
import { describe, expect, it } from "vitest";
import { auditBatch, type BatchEvidence, type StoredLeafRow } from "../../service/audit/audit-batch.ts";
import type { Finding } from "../../service/audit/findings.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { anchorEvidence } from "./anchor-evidence.ts";

const SEQ = 7;

function anchoredBatch(size: number): BatchEvidence {
  const rows: StoredLeafRow[] = Array.from({ length: size }, (_, i) => {
    const digest = digestRecord({ exhibit: i });
    const salt = newSalt();
    return { id: `rec-${i}`, kind: 0, digest, salt, leaf: hashLeaf(salt, digest), leafIndex: i };
  });
  const tree = buildTree(rows.map((r) => r.leaf));
  const root = treeRoot(tree);
  return {
    ...anchorEvidence(SEQ, root, size),
    rows,
    // As stored: level 0 is the entries' own leaves, not kept apart.
    levels: [new Uint8Array(0), ...tree.levels.slice(1).map((level) => level.slice())],
    erasures: { ofRecords: new Map(), ofEntries: new Map() },
  };
}

function flipped(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  copy[0] = (copy[0] as number) ^ 0xff;
  return copy;
}

function row(evidence: BatchEvidence, index: number): StoredLeafRow {
  return evidence.rows[index] as StoredLeafRow;
}

function kinds(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.kind))].sort();
}

function about(findings: Finding[], recordId: string): Finding[] {
  return findings.filter((f) => f.recordId === recordId);
}

describe("auditBatch", () => {
  it.each([1, 2, 5, 8, 13])("finds nothing in an untouched batch of %i", (size) => {
    const audit = auditBatch(anchoredBatch(size));
    expect(audit.findings).toEqual([]);
    expect(audit).toMatchObject({ seq: SEQ, records: size, erased: [] });
  });

  it("reports a changed digest as a leaf mismatch of that record", () => {
    const e = anchoredBatch(5);
    row(e, 2).digest = flipped(row(e, 2).digest as Uint8Array);
    const { findings } = auditBatch(e);
    expect(findings).toEqual([
      expect.objectContaining({ kind: "leaf_mismatch", seq: SEQ, recordId: "rec-2", leafIndex: 2 }),
    ]);
  });

  it("reports a changed salt as a leaf mismatch of that record", () => {
    const e = anchoredBatch(5);
    row(e, 4).salt = newSalt();
    expect(auditBatch(e).findings).toEqual([
      expect.objectContaining({ kind: "leaf_mismatch", seq: SEQ, recordId: "rec-4" }),
    ]);
  });

  it("reports a salt of the wrong length without throwing", () => {
    const e = anchoredBatch(3);
    row(e, 0).salt = new Uint8Array(5);
    expect(about(auditBatch(e).findings, "rec-0")[0]?.message).toMatch(/cannot be recomputed.*32 bytes/);
  });

  it("reports a changed leaf against its digest, the stored tree node above it and the root", () => {
    const e = anchoredBatch(5);
    row(e, 1).leaf = flipped(row(e, 1).leaf);
    const { findings } = auditBatch(e);
    expect(kinds(about(findings, "rec-1"))).toEqual(["leaf_mismatch", "tree_leaf_mismatch"]);
    // Its neighbour under the same level-1 node is named too: the tree cannot tell the two apart.
    expect(kinds(about(findings, "rec-0"))).toEqual(["tree_leaf_mismatch"]);
    expect(about(findings, "rec-3")).toEqual([]);
    expect(findings).toContainEqual(expect.objectContaining({ kind: "root_mismatch", seq: SEQ }));
  });

  it("reports a record replaced by a consistent forgery through the stored tree and the root", () => {
    const e = anchoredBatch(6);
    const digest = digestRecord({ forged: true });
    const salt = newSalt();
    e.rows = e.rows.map((r) =>
      r.leafIndex === 5 ? { ...r, id: "forged", digest, salt, leaf: hashLeaf(salt, digest) } : r,
    );
    const { findings } = auditBatch(e);
    expect(findings).toContainEqual(
      expect.objectContaining({ kind: "tree_leaf_mismatch", seq: SEQ, recordId: "forged", leafIndex: 5 }),
    );
    expect(findings).toContainEqual(expect.objectContaining({ kind: "root_mismatch", seq: SEQ }));
  });

  it("reports a deleted record by its leaf index", () => {
    const e = anchoredBatch(5);
    const deleted = row(e, 3);
    e.rows = e.rows.filter((r) => r !== deleted);
    const { findings } = auditBatch(e);
    expect(findings).toContainEqual(
      expect.objectContaining({ kind: "record_missing", seq: SEQ, leafIndex: 3, recordId: null }),
    );
    expect(findings).toContainEqual(expect.objectContaining({ kind: "root_mismatch", seq: SEQ }));
  });

  it("reports an inserted record outside the batch's indexes by its id", () => {
    const e = anchoredBatch(4);
    const digest = digestRecord({ forged: true });
    const salt = newSalt();
    e.rows = [...e.rows, { id: "forged", kind: 0, digest, salt, leaf: hashLeaf(salt, digest), leafIndex: 4 }];
    const { findings } = auditBatch(e);
    expect(findings).toContainEqual(
      expect.objectContaining({ kind: "record_unexpected", seq: SEQ, recordId: "forged", leafIndex: 4 }),
    );
    expect(findings).toContainEqual(expect.objectContaining({ kind: "root_mismatch", seq: SEQ }));
  });

  it("reports two records claiming one index", () => {
    const e = anchoredBatch(4);
    row(e, 3).leafIndex = 1;
    const { findings } = auditBatch(e);
    expect(findings).toContainEqual(expect.objectContaining({ kind: "record_missing", leafIndex: 3 }));
    expect(findings.filter((f) => f.kind === "record_unexpected")).toHaveLength(1);
  });

  it("reports two swapped records, naming both", () => {
    const e = anchoredBatch(6);
    row(e, 0).leafIndex = 4;
    row(e, 4).leafIndex = 0;
    const { findings } = auditBatch(e);
    for (const id of ["rec-0", "rec-4"]) {
      expect(about(findings, id)).toEqual([
        expect.objectContaining({ kind: "tree_leaf_mismatch", seq: SEQ }),
      ]);
    }
    expect(findings).toContainEqual(expect.objectContaining({ kind: "root_mismatch", seq: SEQ }));
  });

  it("reports an edited batch root against the recomputed root and the chain", () => {
    const e = anchoredBatch(5);
    e.batch.root = flipped(e.batch.root);
    expect(kinds(auditBatch(e).findings)).toEqual(["anchor_root_mismatch", "root_mismatch"]);
  });

  it("reports a stored tree node that proofs would be served from", () => {
    const e = anchoredBatch(8);
    e.levels = e.levels.map((level, i) => (i === 2 ? flipped(level) : level));
    expect(auditBatch(e).findings).toEqual([
      expect.objectContaining({
        kind: "tree_node_mismatch",
        seq: SEQ,
        message: expect.stringMatching(/node 0 of level 2/),
      }),
    ]);
  });

  it("reports a stored tree without its levels", () => {
    const e = anchoredBatch(3);
    e.levels = [new Uint8Array(0)];
    expect(kinds(auditBatch(e).findings)).toEqual(["tree_node_mismatch"]);
  });

  it("reports a stored tree with more levels than its size has", () => {
    const e = anchoredBatch(4);
    e.levels = [...e.levels, new Uint8Array(32)];
    expect(kinds(auditBatch(e).findings)).toEqual(["tree_node_mismatch"]);
  });

  it("reports a salt deleted without an erasure as tampering, and still counts the leaf in the tree (erasures: audit-erasures.test.ts)", () => {
    const e = anchoredBatch(5);
    row(e, 2).salt = null;
    const audit = auditBatch(e);
    expect(audit.findings).toEqual([
      expect.objectContaining({ kind: "content_missing", seq: SEQ, recordId: "rec-2", leafIndex: 2 }),
    ]);
    expect(audit.erased).toEqual([]);
  });

  it("compares root and size with the chain, and notices a missing anchor", () => {
    const e = anchoredBatch(5);
    // A chain that anchored another root and size as this seq, in the same transaction and block.
    const other = anchorEvidence(SEQ, new Uint8Array(32).fill(1), 6);
    e.anchor = other.anchor;
    e.receipt = other.receipt;
    expect(kinds(auditBatch(e).findings)).toEqual(["anchor_root_mismatch", "anchor_size_mismatch"]);
    e.anchor = null;
    expect(kinds(auditBatch(e).findings)).toEqual(["anchor_missing"]);
  });

  it("leaves a batch not yet anchored to the ledger check", () => {
    const e = anchoredBatch(5);
    e.anchor = null;
    e.batch.state = "sent";
    expect(auditBatch(e).findings).toEqual([]);
  });

  it("notices a batch sent to another contract or chain", () => {
    const e = anchoredBatch(2);
    e.batch.chainId = 1;
    expect(kinds(auditBatch(e).findings)).toEqual(["anchor_elsewhere"]);
  });
});
