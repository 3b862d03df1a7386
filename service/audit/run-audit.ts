// The audit's I/O: reads each selected batch from the database and its anchor from the chain,
// hands them to the pure checks (audit-batch.ts, audit-ledger.ts) and gathers one report.
// Read-only on both sides. A few batches are read at once (`concurrency`, default 4), so
// database and RPC round trips overlap with hashing, and the RPC calls in flight stay
// bounded however many batches are audited: per batch getAnchor(seq) and, for a batch
// recorded as anchored, the receipt of its stored transaction (audit-anchor.ts). A chain that
// cannot answer throws ChainUnavailableError out of runAudit: no report, no finding.
//
// Trust: the audit pins a notary profile (STYLE.md, "trust inputs are named and pinned").
// Before anything else, the endpoint must serve the profile's chain (chain id, genesis
// block), the block where its contract was deployed, and the contract's code
// (checkNotaryChain, the chain half of the verifier's `notary` check); otherwise nothing is
// decided. Then every anchor is read from the profile's contract, and a batch whose stored
// chain id or contract is not the profile's is a finding (anchor_elsewhere).
import { type ChainReader, checkNotaryChain } from "../core/chain-checks.ts";
import type { Hex } from "../core/hex.ts";
import { type NotaryProfile, notaryFingerprint } from "../core/notary-profile.ts";
import type { ChainAnchor } from "../core/verify.ts";
import {
  batchErasureRows,
  batchLeafRows,
  databaseNow,
  entriesPastEnd,
  misplacedBatches,
  missingBatchSeqs,
  stalePendingRecords,
} from "../db/audit-reads.ts";
import { batchesToAnchor, getBatch, nextSeq, storedLevels } from "../db/batches.ts";
import type { Queryable } from "../db/database.ts";
import { anchorTxToCheck } from "./audit-anchor.ts";
import { auditBatch } from "./audit-batch.ts";
import { batchErasures, type ErasedRecord } from "./audit-erasures.ts";
import { auditLedger } from "./audit-ledger.ts";
import { capFindings, type Finding, uniqueFindings } from "./findings.ts";
import { selectSeqs } from "./select-batches.ts";

/** The chain reads an audit needs (JsonRpcChainReader has them). */
export interface AuditChain
  extends Pick<ChainReader, "getChainId" | "getBlock" | "getCode" | "getTransactionReceipt"> {
  getAnchor(contract: Hex, seq: number): Promise<ChainAnchor | null>;
  getNextSeq(contract: Hex): Promise<number | null>;
}

export interface AuditProgress {
  batchesDone: number;
  batchesTotal: number;
  records: number;
}

export interface RunAuditOptions {
  db: Queryable;
  chain: AuditChain;
  /** The trust root: the contract, on the chain, whose anchors count. */
  notary: NotaryProfile;
  /** First seq to re-verify; default 0. */
  from?: number | undefined;
  /** Last seq to re-verify; default (and at most) the highest stored. */
  to?: number | undefined;
  /** Re-verify only this many batches of the range, drawn with `seed`. */
  sample?: number | undefined;
  seed: number;
  /** Grace period for pending records and unanchored batches. */
  pendingOlderThanSeconds: number;
  /** Batches read at once; default 4. */
  concurrency?: number;
  onProgress?: (progress: AuditProgress) => void;
}

export interface AuditReport {
  /** True when nothing was found. */
  ok: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** The pinned notary profile. */
  notary: { name: string; fingerprint: string };
  /** The notary's chain and contract, as the profile pins them and the endpoint served them. */
  chain: { chainId: number; contract: Hex; nextSeq: number };
  /** Batches the database holds (1 + the highest seq). */
  databaseBatches: number;
  scope: { from: number; to: number; sample: number | null; seed: number; batches: number };
  pendingOlderThanSeconds: number;
  totals: { batches: number; records: number; erased: number; findings: number; recordsPerSecond: number };
  findings: Finding[];
  /** Records lawfully erased (digest and salt removed under a recorded erasure), each with where its erasure is anchored. */
  erased: ErasedRecord[];
}

/** The audit cannot start: the endpoint does not serve the notary's chain and contract, or no EvidenceAnchor is there. */
export class AuditSetupError extends Error {
  override name = "AuditSetupError";
}

/** Most stale pending records and missing seqs read one by one. */
const LEDGER_LIST_LIMIT = 1000;

export async function runAudit(options: RunAuditOptions): Promise<AuditReport> {
  const started = new Date();
  const { db, chain, notary } = options;
  const { chainId, contract } = notary;
  const pinned = await checkNotaryChain(chain, notary);
  if (pinned.status !== "pass") {
    const seen =
      pinned.expected === undefined ? "" : ` (the profile pins ${pinned.expected}; found ${pinned.actual})`;
    throw new AuditSetupError(
      `the chain endpoint is not the notary "${notary.name}"'s chain and contract as its profile pins them: ${pinned.message}${seen}`,
    );
  }
  const chainNextSeq = await chain.getNextSeq(contract);
  if (chainNextSeq === null) {
    throw new AuditSetupError(`${contract} on chain ${chainId} is not an EvidenceAnchor contract`);
  }
  const sources: BatchSources = { ...options, chainId, contract };
  const dbNextSeq = await nextSeq(db);
  const from = options.from ?? 0;
  const to = Math.min(options.to ?? dbNextSeq - 1, dbNextSeq - 1);
  const seqs = selectSeqs({ from, to, sample: options.sample, seed: options.seed });

  const batchFindings: Finding[][] = new Array(seqs.length);
  const erased: ErasedRecord[] = [];
  const grace = { now: await databaseNow(db), seconds: options.pendingOlderThanSeconds };
  let records = 0;
  let done = 0;
  let next = 0;
  // Once one batch's read fails (the chain or the database cannot answer), the audit has
  // failed: the other workers finish the batch in hand and start no other.
  let failed = false;
  const worker = async () => {
    while (next < seqs.length && !failed) {
      const slot = next++;
      const seq = seqs[slot] as number;
      const audit = await auditStoredBatch(sources, seq, grace).catch((error: unknown) => {
        failed = true;
        throw error;
      });
      batchFindings[slot] = audit.findings;
      erased.push(...audit.erased);
      records += audit.records;
      done++;
      options.onProgress?.({ batchesDone: done, batchesTotal: seqs.length, records });
    }
  };
  options.onProgress?.({ batchesDone: 0, batchesTotal: seqs.length, records: 0 });
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));

  const now = await databaseNow(db);
  const stale = await stalePendingRecords(db, options.pendingOlderThanSeconds, LEDGER_LIST_LIMIT);
  const ledgerFindings = auditLedger({
    dbNextSeq,
    missingSeqs: await missingBatchSeqs(db, LEDGER_LIST_LIMIT),
    misplacedBatches: await misplacedBatches(db, LEDGER_LIST_LIMIT),
    entriesPastEnd: await entriesPastEnd(db, LEDGER_LIST_LIMIT),
    chainNextSeq,
    unanchored: await batchesToAnchor(db),
    stalePending: stale.records,
    stalePendingCount: stale.total,
    now,
    thresholdSeconds: options.pendingOlderThanSeconds,
  });
  const findings = capFindings(uniqueFindings([...batchFindings.flat(), ...ledgerFindings]));
  erased.sort((a, b) => a.seq - b.seq || a.leafIndex - b.leafIndex);

  const finished = new Date();
  const durationMs = finished.getTime() - started.getTime();
  return {
    ok: findings.length === 0,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs,
    notary: { name: notary.name, fingerprint: notaryFingerprint(notary) },
    chain: { chainId, contract, nextSeq: chainNextSeq },
    databaseBatches: dbNextSeq,
    scope: { from, to, sample: options.sample ?? null, seed: options.seed, batches: seqs.length },
    pendingOlderThanSeconds: options.pendingOlderThanSeconds,
    totals: {
      batches: seqs.length,
      records,
      erased: erased.length,
      findings: findings.length,
      recordsPerSecond: Math.round(records / Math.max(durationMs / 1000, 0.001)),
    },
    findings,
    erased,
  };
}

/** What one batch's audit reads: the options, and the notary's chain id and contract. */
type BatchSources = RunAuditOptions & { chainId: number; contract: Hex };

async function auditStoredBatch(
  options: BatchSources,
  seq: number,
  grace: { now: Date; seconds: number },
): Promise<{ findings: Finding[]; erased: ErasedRecord[]; records: number }> {
  const [batch, anchor] = await Promise.all([
    getBatch(options.db, seq),
    options.chain.getAnchor(options.contract, seq),
  ]);
  if (batch === null) {
    const message = `the database has no batch with seq ${seq}`;
    return { findings: [{ kind: "batch_missing", seq, recordId: null, message }], erased: [], records: 0 };
  }
  const txHash = anchorTxToCheck(batch, anchor);
  const [rows, levels, erasureRows, receipt] = await Promise.all([
    batchLeafRows(options.db, batch),
    storedLevels(options.db, batch.firstIndex),
    batchErasureRows(options.db, batch),
    txHash === undefined ? undefined : options.chain.getTransactionReceipt(txHash),
  ]);
  return auditBatch({
    batch,
    rows,
    levels,
    anchor,
    receipt,
    chain: { chainId: options.chainId, contract: options.contract },
    erasures: batchErasures(erasureRows),
    grace,
  });
}
