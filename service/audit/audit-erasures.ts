// The audit of erasures in one batch (issue 13), pure like audit-batch.ts: a record's content
// may be gone only under a lawful erasure, and each erasure must be what it claims to be.
//
// For a record (entry of kind 0):
//   - digest or salt missing, and no erasure recorded:            content_missing (tampering);
//   - an erasure recorded whose entry or statement does not hold: erasure_mismatch. The
//     statement (its JCS text as stored) must be a valid erasure-statement/v1 naming this
//     record's leaf, with the erasure's time and reference, and SHA-256 of it must be the
//     digest of the erasure's entry, an entry of kind 1;
//   - an erasure recorded, but the digest or salt still there:    erasure_incomplete;
//   - an erasure not anchored yet, older than the grace period:   erasure_not_anchored;
//   - otherwise the record is reported as erased, with where its erasure is anchored.
// For an erasure entry (kind 1): its digest and salt must be there (an erasure is never
// erased: content_missing otherwise), and its statement must be recorded, hash to its digest
// and name the leaf of a record (kind 0) whose content is gone: erasure_mismatch otherwise.
// Its leaf is checked like any other (audit-batch.ts), and its batch's anchor too.
import { canonicalText, digestCanonical } from "../core/canonical.ts";
import { type ErasureStatement, parseErasureStatement } from "../core/erasure-statement.ts";
import { type Hex, toHex } from "../core/hex.ts";
import type { AuditEntryRow, EntryErasureRow, RecordErasureRow } from "../db/audit-reads.ts";
import type { Finding } from "./findings.ts";

/** An entry of the batch: kind 0 a record, 1 an erasure entry. */
export type EntryRow = AuditEntryRow;

/** A record's erasure, as stored, with the erasure's own entry and the batch holding it. */
export interface RecordErasureLink {
  erasedAt: Date;
  reference: string;
  /** The statement's JCS text. */
  statement: string;
  erasureIndex: number;
  /** The erasure's entry; null when it is not in the log. */
  entry: null | {
    kind: number;
    digest: Uint8Array | null;
    /** Its batch, once sealed. */
    seq: number | null;
    state: string | null;
    txHash: Uint8Array | null;
  };
}

/** What an erasure entry's row in `erasures` says: its statement, and the record it erased. */
export interface ErasureEntryLink {
  statement: string;
  erasedIndex: number;
  /** The erased entry; null when it is not in the log. */
  erased: null | { kind: number; leaf: Uint8Array; contentGone: boolean };
}

export interface BatchErasures {
  /** By leaf index: the erasures of this batch's records. */
  ofRecords: ReadonlyMap<number, RecordErasureLink>;
  /** By leaf index: what this batch's erasure entries' rows say. */
  ofEntries: ReadonlyMap<number, ErasureEntryLink>;
}

/** The links of a batch's erasures, by leaf index, from the rows db/audit-reads.ts reads. */
export function batchErasures(rows: {
  records: readonly RecordErasureRow[];
  entries: readonly EntryErasureRow[];
}): BatchErasures {
  return {
    ofRecords: new Map(
      rows.records.map((r) => [
        r.leafIndex,
        {
          erasedAt: r.erasedAt,
          reference: r.reference,
          statement: r.statement,
          erasureIndex: r.erasureIndex,
          entry: r.entryFound
            ? {
                kind: r.entryKind as number,
                digest: r.entryDigest,
                seq: r.entrySeq,
                state: r.entryState,
                txHash: r.entryTxHash,
              }
            : null,
        },
      ]),
    ),
    ofEntries: new Map(
      rows.entries.map((r) => [
        r.leafIndex,
        {
          statement: r.statement,
          erasedIndex: r.erasedIndex,
          erased: r.erasedFound
            ? {
                kind: r.erasedKind as number,
                leaf: r.erasedLeaf as Uint8Array,
                contentGone: r.erasedContentGone === true,
              }
            : null,
        },
      ]),
    ),
  };
}

/** A lawfully erased record: where its leaf stays, and where its erasure is anchored. */
export interface ErasedRecord {
  seq: number;
  recordId: string;
  leafIndex: number;
  erasedAt: string;
  reference: string;
  /** The erasure's entry: its batch and anchoring transaction, once anchored (null seq: not sealed yet). */
  erasure: { index: number; seq: number | null; anchored: boolean; txHash: Hex | null };
}

export interface ErasureGrace {
  /** The database's clock. */
  now: Date;
  /** How long an erasure may stay unanchored. */
  seconds: number;
}

export function auditErasures(
  seq: number,
  rows: readonly EntryRow[],
  links: BatchErasures,
  grace?: ErasureGrace,
): { findings: Finding[]; erased: ErasedRecord[] } {
  const findings: Finding[] = [];
  const erased: ErasedRecord[] = [];
  for (const row of rows) {
    const gone = row.digest === null || row.salt === null;
    const at = { seq, recordId: row.id, leafIndex: row.leafIndex };
    if (row.kind === 1) {
      if (gone) {
        findings.push({
          ...at,
          kind: "content_missing",
          message: `erasure entry ${row.id} in batch ${seq}: its digest or salt is missing; an erasure is never erased`,
        });
      }
      findings.push(...checkErasureEntry(at, row, links.ofEntries.get(row.leafIndex)));
      continue;
    }
    const link = links.ofRecords.get(row.leafIndex);
    if (link === undefined) {
      if (gone) {
        findings.push({
          ...at,
          kind: "content_missing",
          message: `record ${row.id} in batch ${seq}: its ${row.digest === null ? "digest" : "salt"} is missing, and no erasure of it is recorded: it was removed outside the service`,
        });
      }
      continue;
    }
    const problem = recordErasureProblem(row, link);
    if (problem !== undefined) {
      findings.push({
        ...at,
        kind: "erasure_mismatch",
        message: `record ${row.id} in batch ${seq}: ${problem}`,
      });
      continue;
    }
    if (!gone) {
      findings.push({
        ...at,
        kind: "erasure_incomplete",
        message: `record ${row.id} in batch ${seq} was erased at ${link.erasedAt.toISOString()}, but its digest or salt is still stored`,
      });
      continue;
    }
    const entry = link.entry as NonNullable<RecordErasureLink["entry"]>;
    const anchored = entry.state === "anchored";
    const age = grace === undefined ? 0 : (grace.now.getTime() - link.erasedAt.getTime()) / 1000;
    if (!anchored && grace !== undefined && age > grace.seconds) {
      findings.push({
        ...at,
        kind: "erasure_not_anchored",
        message: `record ${row.id} in batch ${seq}: its content was removed ${Math.floor(age)} s ago, but its erasure (log index ${link.erasureIndex}) is not anchored: nothing on chain shows it yet`,
        actual: entry.state ?? "pending",
      });
    }
    erased.push({
      seq,
      recordId: row.id,
      leafIndex: row.leafIndex,
      erasedAt: link.erasedAt.toISOString(),
      reference: link.reference,
      erasure: {
        index: link.erasureIndex,
        seq: entry.seq,
        anchored,
        txHash: anchored && entry.txHash !== null ? toHex(entry.txHash) : null,
      },
    });
  }
  return { findings, erased };
}

/** Why a record's recorded erasure does not hold, or undefined when it does. */
function recordErasureProblem(row: EntryRow, link: RecordErasureLink): string | undefined {
  if (link.entry === null)
    return `its erasure's entry (log index ${link.erasureIndex}) is missing from the log`;
  if (link.entry.kind !== 1) {
    return `its erasure points at log index ${link.erasureIndex}, which is not an erasure entry`;
  }
  const statement = readStatement(link.statement, link.entry.digest);
  if (typeof statement === "string") return `the statement of its erasure ${statement}`;
  if (statement.erasedLeaf !== toHex(row.leaf)) {
    return `the statement of its erasure names leaf ${statement.erasedLeaf}, not this record's ${toHex(row.leaf)}`;
  }
  if (statement.erasedAt !== link.erasedAt.toISOString() || statement.reference !== link.reference) {
    return `its erasure is recorded at ${link.erasedAt.toISOString()} under ${JSON.stringify(link.reference)}, but its statement says ${statement.erasedAt} under ${JSON.stringify(statement.reference)}`;
  }
  return undefined;
}

function checkErasureEntry(
  at: { seq: number; recordId: string; leafIndex: number },
  row: EntryRow,
  link: ErasureEntryLink | undefined,
): Finding[] {
  const mismatch = (why: string): Finding[] => [
    { ...at, kind: "erasure_mismatch", message: `erasure entry ${row.id} in batch ${at.seq}: ${why}` },
  ];
  if (link === undefined) return mismatch("no erasure is recorded for it: its statement is missing");
  const statement = readStatement(link.statement, row.digest);
  if (typeof statement === "string") return mismatch(`its statement ${statement}`);
  if (link.erased === null || link.erased.kind !== 0) {
    return mismatch(`the record it erased (log index ${link.erasedIndex}) is not in the log`);
  }
  if (statement.erasedLeaf !== toHex(link.erased.leaf)) {
    return mismatch(
      `its statement names leaf ${statement.erasedLeaf}, but the record it erased (log index ${link.erasedIndex}) has leaf ${toHex(link.erased.leaf)}`,
    );
  }
  return [];
}

/** The statement, when its text is a valid erasure statement in JCS form whose SHA-256 is `digest`; otherwise why not. */
function readStatement(text: string, digest: Uint8Array | null): ErasureStatement | string {
  let statement: ErasureStatement;
  try {
    statement = parseErasureStatement(JSON.parse(text));
  } catch (error) {
    return `is not a valid erasure statement (${(error as Error).message})`;
  }
  if (canonicalText(statement) !== text) return "is not stored in its JCS form";
  const hashed = toHex(digestCanonical(new TextEncoder().encode(text)));
  if (digest === null || hashed !== toHex(digest)) {
    return `does not hash to its entry's digest (SHA-256 of the statement is ${hashed}, the entry holds ${digest === null ? "none" : toHex(digest)})`;
  }
  return statement;
}
