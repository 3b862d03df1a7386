// Reading a record's evidence from storage: its status, and once anchored its bundle,
// assembled from one statement (the record, its batch and its audit path, db/records.ts;
// never a tree rebuild) and verified offline by buildBundle before it is handed out. Used by
// the HTTP API, the certificate and exports.
import { type Bundle, buildBundle } from "../core/bundle.ts";
import { InvariantError } from "../core/errors.ts";
import { type Hex, toHex } from "../core/hex.ts";
import { auditPathPositions, HASH_BYTES } from "../core/merkle.ts";
import type { Queryable } from "../db/database.ts";
import { getRecordWithPath, type RecordWithBatch, type RecordWithPath } from "../db/records.ts";

export interface RecordStatusView {
  id: string;
  status: "pending" | "anchored";
  digest: Hex;
  leafHash: Hex;
  receivedAt: string;
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

export function recordStatusView(row: RecordWithBatch): RecordStatusView {
  return {
    id: row.id,
    status: statusOf(row),
    digest: toHex(row.digest),
    leafHash: toHex(row.leaf),
    receivedAt: row.receivedAt.toISOString(),
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
  | { status: "shredded"; row: RecordWithBatch }
  | { status: "anchored"; row: RecordWithBatch; bundle: Bundle };

/** The record's evidence bundle once anchored: one database round trip. */
export async function readRecordEvidence(q: Queryable, id: string): Promise<RecordEvidence> {
  const row = await getRecordWithPath(q, id);
  if (row === null) return { status: "unknown" };
  if (statusOf(row) !== "anchored") return { status: "pending", row };
  if (row.salt === null) return { status: "shredded", row };
  return { status: "anchored", row, bundle: bundleOf(row) };
}

function bundleOf(row: RecordWithPath): Bundle {
  const { seq, leafIndex, size, root, chainId, contract, txHash, blockNumber, blockHash, blockTimestamp } =
    row;
  if (
    seq === null ||
    leafIndex === null ||
    size === null ||
    root === null ||
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
  const expected = auditPathPositions(leafIndex, size).length;
  const path = row.path ?? new Uint8Array(0);
  if (path.length !== expected * HASH_BYTES) {
    throw new InvariantError(
      `batch ${seq} has no stored node at some position of the audit path of leaf ${leafIndex}`,
      { seq, leafIndex, expectedNodes: expected, pathBytes: path.length },
    );
  }
  const proof = Array.from({ length: expected }, (_, i) =>
    path.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES),
  );
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
