// Reading a record's evidence from storage: its status, and once anchored its bundle,
// assembled from one statement (the record, its batch and its audit path, db/records.ts;
// never a tree rebuild) and checked by buildBundle (leaf, root and shape) before it is handed out. Used by
// the HTTP API, the certificate and exports. An erased record (its digest and salt removed,
// issue 13) has no evidence to give: its status is "erased", whatever its batch's state.
import { type Bundle, buildBundle } from "../core/bundle.ts";
import { InvariantError } from "../core/errors.ts";
import { type Hex, toHex } from "../core/hex.ts";
import { auditPathPositions, HASH_BYTES } from "../core/merkle.ts";
import type { Queryable } from "../db/database.ts";
import {
  getEntryWithPath,
  getRecordsWithPath,
  getRecordWithPath,
  type RecordState,
  type RecordWithBatch,
  type RecordWithPath,
} from "../db/records.ts";
import { BatchLevelsCache } from "./batch-levels-cache.ts";

export interface RecordStatusView {
  id: string;
  status: "pending" | "anchored" | "erased";
  /** Absent once erased, as everything else derived from the content. */
  digest?: Hex;
  leafHash?: Hex;
  receivedAt: string;
  /** Set once erased: when, and under which reference. */
  erasure: null | { erasedAt: string; reference: string };
  /** Set while on legal hold. */
  hold: null | { reference: string; placedAt: string };
  batch: null | {
    seq: number;
    leafIndex: number;
    state: string;
    sealedAt: string;
    anchoredAt: string | null;
    txHash: Hex | null;
    blockNumber: number | null;
    contract: Hex | null;
  };
}

export function statusOf(row: RecordWithBatch): "pending" | "anchored" {
  return row.state === "anchored" ? "anchored" : "pending";
}

/** True once the record's digest or salt is gone: erased (or, without an erasure row, removed by hand). */
export function isErased(row: RecordWithBatch): boolean {
  return row.digest === null || row.salt === null;
}

/** How GET /v1/records shows a record. An erased one shows only its id, when it came, and its erasure. */
export function recordStatusView(row: RecordState): RecordStatusView {
  const hold =
    row.holdReference === null || row.holdPlacedAt === null
      ? null
      : { reference: row.holdReference, placedAt: row.holdPlacedAt.toISOString() };
  if (isErased(row) || row.digest === null) {
    return {
      id: row.id,
      status: "erased",
      receivedAt: row.receivedAt.toISOString(),
      erasure:
        row.erasedAt === null || row.erasureReference === null
          ? null
          : { erasedAt: row.erasedAt.toISOString(), reference: row.erasureReference },
      hold,
      batch: null,
    };
  }
  return {
    id: row.id,
    status: statusOf(row),
    digest: toHex(row.digest),
    leafHash: toHex(row.leaf),
    receivedAt: row.receivedAt.toISOString(),
    erasure: null,
    hold,
    batch:
      row.seq === null || row.leafIndex === null || row.sealedAt === null
        ? null
        : {
            seq: row.seq,
            leafIndex: row.leafIndex,
            state: row.state ?? "sealed",
            sealedAt: row.sealedAt.toISOString(),
            anchoredAt: row.anchoredAt?.toISOString() ?? null,
            txHash: row.txHash === null ? null : toHex(row.txHash),
            blockNumber: row.blockNumber,
            contract: row.contract === null ? null : toHex(row.contract),
          },
  };
}

export type RecordEvidence =
  | { status: "unknown" }
  | { status: "pending"; row: RecordWithBatch }
  | { status: "erased"; row: RecordWithBatch }
  | { status: "anchored"; row: RecordWithBatch; bundle: Bundle };

/** The record's evidence bundle once anchored: one database round trip. */
export async function readRecordEvidence(q: Queryable, id: string): Promise<RecordEvidence> {
  return evidenceOf(await getRecordWithPath(q, id));
}

/** The evidence of the entry at `index` of the log, whatever its kind (an erasure entry's). */
export async function readEntryEvidence(q: Queryable, index: number): Promise<RecordEvidence> {
  return evidenceOf(await getEntryWithPath(q, index));
}

/** `levels`: the batch's stored levels when the caller held them (the row's path then has only its level-0 node). */
function evidenceOf(row: RecordWithPath | null, levels?: readonly Uint8Array[]): RecordEvidence {
  if (row === null) return { status: "unknown" };
  if (isErased(row)) return { status: "erased", row };
  if (statusOf(row) !== "anchored") return { status: "pending", row };
  return { status: "anchored", row, bundle: bundleOf(row, levels) };
}

/**
 * readRecordEvidence for many concurrent callers: the ids asked for within one turn of the
 * event loop are read in one statement (getRecordsWithPath), so a burst of proof requests
 * shares one database round trip instead of each making its own. Each caller still gets its
 * answer from that one read, as fresh as readRecordEvidence's. The levels of recently used
 * batches are kept in memory (batch-levels-cache.ts), so for those the statement reads the
 * record, its batch and its neighbouring leaf, and the path is cut from memory.
 */
export class EvidenceReader {
  private readonly q: Queryable;
  private readonly maxIds: number;
  private readonly levels = new BatchLevelsCache();
  private waiting = new Map<
    string,
    Array<{ resolve: (e: RecordEvidence) => void; reject: (e: unknown) => void }>
  >();
  private scheduled = false;

  constructor(q: Queryable, maxIds = 500) {
    this.q = q;
    this.maxIds = maxIds;
  }

  /** Batches whose levels are held in memory now. */
  get levelsHeld(): number {
    return this.levels.usage.batches;
  }

  read(id: string): Promise<RecordEvidence> {
    return new Promise((resolve, reject) => {
      const callers = this.waiting.get(id);
      if (callers === undefined) this.waiting.set(id, [{ resolve, reject }]);
      else callers.push({ resolve, reject });
      if (this.waiting.size >= this.maxIds) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.waiting.size === 0) return;
    const batch = this.waiting;
    this.waiting = new Map();
    const held = this.levels.held();
    getRecordsWithPath(this.q, [...batch.keys()], [...held.keys()]).then(
      (rows) => {
        for (const [id, callers] of batch) {
          let evidence: RecordEvidence;
          try {
            const row = rows.get(id) ?? null;
            const first = row?.firstIndex ?? null;
            const levels = first === null ? undefined : held.get(first);
            if (first !== null && levels !== undefined) this.levels.touch(first);
            else if (first !== null && row?.state === "anchored") this.levels.load(this.q, first);
            evidence = evidenceOf(row, levels);
          } catch (error) {
            for (const caller of callers) caller.reject(error);
            continue;
          }
          for (const caller of callers) caller.resolve(evidence);
        }
      },
      (error: unknown) => {
        for (const callers of batch.values()) for (const caller of callers) caller.reject(error);
      },
    );
  }
}

function bundleOf(row: RecordWithPath, levels?: readonly Uint8Array[]): Bundle {
  const { seq, leafIndex, size, root, chainId, contract, txHash, blockNumber, blockHash, blockTimestamp } =
    row;
  if (
    seq === null ||
    leafIndex === null ||
    size === null ||
    root === null ||
    row.digest === null ||
    row.salt === null ||
    chainId === null ||
    contract === null ||
    txHash === null ||
    blockNumber === null ||
    blockHash === null ||
    blockTimestamp === null
  ) {
    throw new InvariantError(`record ${row.id} is anchored but its batch row is incomplete`, { id: row.id });
  }
  const positions = auditPathPositions(leafIndex, size);
  const path = row.path ?? new Uint8Array(0);
  // From the statement: the whole path, or only its level-0 node when the levels are held here.
  const fromDatabase = levels === undefined ? positions.length : positions[0]?.level === 0 ? 1 : 0;
  if (path.length !== fromDatabase * HASH_BYTES) {
    throw new InvariantError(
      `batch ${seq} has no stored node at some position of the audit path of leaf ${leafIndex}`,
      { seq, leafIndex, expectedNodes: fromDatabase, pathBytes: path.length },
    );
  }
  const proof = positions.map((p, i) => {
    if (i < fromDatabase) return path.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
    const level = levels?.[p.level];
    if (level === undefined || level.length < (p.index + 1) * HASH_BYTES) {
      throw new InvariantError(`batch ${seq} has no stored node at level ${p.level}, index ${p.index}`, {
        seq,
      });
    }
    return level.subarray(p.index * HASH_BYTES, (p.index + 1) * HASH_BYTES);
  });
  return buildBundle({
    recordId: row.id,
    digest: row.digest,
    salt: row.salt,
    leafHash: row.leaf,
    leafIndex,
    treeSize: size,
    proof,
    root,
    batch: seq,
    anchor: {
      chainId,
      contract: toHex(contract),
      txHash: toHex(txHash),
      blockNumber,
      blockHash: toHex(blockHash),
      timestamp: blockTimestamp,
    },
  });
}
