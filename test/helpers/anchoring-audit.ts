// The promises a crash or a failover must keep, checked from the outside once the service
// has drained: the database, the chain and the HTTP API must all agree that
//   - the log holds each id once, at indexes 0..n-1; every acknowledged record is in it, in
//     exactly one anchored batch (batches are consecutive ranges of the log, each with the
//     root of its range's leaves), and GET /v1/records/:id/proof answers 200;
//   - batches are seq 0..n-1, all anchored; the contract's nextSeq is n, it holds each
//     batch's root and size, and it emitted exactly one RootAnchored event per seq;
//   - a sample of bundles verifies against the chain (every check passes).
// Returns the problems found (empty when all is well), so a test asserts on them and the
// soak script prints them.

import { createChainReader } from "../../service/chain/chain-reader.ts";
import { type Hex, toHex } from "../../service/core/hex.ts";
import { buildTree, treeRoot } from "../../service/core/merkle.ts";
import { decodeRootAnchored, ROOT_ANCHORED_TOPIC, verifyBundle } from "../../service/core/verify.ts";
import { rangeLeaves } from "../../service/db/log.ts";
import type { CrashHarness } from "./crash-trials.ts";
import { recordFor } from "./crash-trials.ts";

export interface AuditOptions {
  /** A running service to ask for proofs. */
  url: string;
  /** How many acknowledged ids get GET /proof (all when at least the number acknowledged). */
  proofSample: number;
  /** How many of those bundles are verified against the chain. */
  verifySample: number;
  random: () => number;
}

export interface AuditReport {
  problems: string[];
  records: number;
  batches: number;
  proofsChecked: number;
  bundlesVerified: number;
}

interface RecordRow {
  id: string;
  index: number;
  leaf: Uint8Array;
}

interface BatchRow {
  seq: number;
  firstIndex: number;
  root: Uint8Array;
  size: number;
  state: string;
}

export async function auditAnchoring(harness: CrashHarness, options: AuditOptions): Promise<AuditReport> {
  const problems: string[] = [];
  const note = (problem: string) => {
    if (problems.length < 50) problems.push(problem);
  };
  const { db } = harness;
  const records = await db.query<RecordRow>(`SELECT id, idx AS "index", leaf FROM entries ORDER BY idx`);
  const batches = await db.query<BatchRow>(
    `SELECT seq, first_index AS "firstIndex", root, size, state FROM batches ORDER BY seq`,
  );
  const byId = new Map(records.map((r) => [r.id, r]));

  // The log: one entry per id, at indexes 0..n-1 with no gap.
  for (const [i, r] of records.entries()) {
    if (r.index !== i) note(`the log has a gap: position ${i} holds index ${r.index}`);
  }
  if (byId.size !== records.length) note(`${records.length - byId.size} ids are stored more than once`);
  const sealedEnd = batches.reduce((sum, b) => sum + b.size, 0);
  for (const id of harness.acked) {
    const row = byId.get(id);
    if (row === undefined) note(`acknowledged record ${id} is not in the database (lost)`);
    else if (row.index >= sealedEnd) note(`acknowledged record ${id} was never batched`);
  }

  // Dense seqs, all anchored, and each batch the range of the log right after the previous
  // one, its root the tree of that range's leaves: then every entry is in exactly one batch.
  let next = 0;
  for (const [i, batch] of batches.entries()) {
    if (batch.seq !== i) note(`batch seqs are not dense: position ${i} holds seq ${batch.seq}`);
    if (batch.state !== "anchored") note(`batch ${batch.seq} is ${batch.state}, not anchored`);
    if (batch.firstIndex !== next)
      note(`batch ${batch.seq} starts at index ${batch.firstIndex}, not ${next}`);
    next = batch.firstIndex + batch.size;
    try {
      const root = treeRoot(buildTree(await rangeLeaves(db, batch.firstIndex, batch.size)));
      if (toHex(root) !== toHex(batch.root))
        note(`batch ${batch.seq}: its root is not the tree of its range's leaves`);
    } catch (error) {
      note(`batch ${batch.seq}: ${(error as Error).message}`);
    }
  }
  if (records.length !== sealedEnd) {
    note(`batches hold ${sealedEnd} leaves but the log has ${records.length} entries after the drain`);
  }

  await auditChain(harness, batches, note);
  const { proofsChecked, bundlesVerified } = await auditProofs(harness, options, note);
  return { problems, records: records.length, batches: batches.length, proofsChecked, bundlesVerified };
}

/** nextSeq, the stored roots, and exactly one RootAnchored event per seq. */
async function auditChain(
  harness: CrashHarness,
  batches: BatchRow[],
  note: (problem: string) => void,
): Promise<void> {
  const { anchor, provider, chain } = harness.chain;
  const nextSeq = Number(await anchor.nextSeq());
  if (nextSeq !== batches.length) {
    note(`the contract's nextSeq is ${nextSeq}, the database has ${batches.length} batches`);
  }
  for (const batch of batches) {
    if (batch.seq >= nextSeq) break;
    const onChain = await anchor.getAnchor(batch.seq);
    if (onChain.root.toLowerCase() !== toHex(batch.root) || Number(onChain.treeSize) !== batch.size) {
      note(
        `batch ${batch.seq}: chain holds ${onChain.root} (${onChain.treeSize}), database ${toHex(batch.root)} (${batch.size})`,
      );
    }
  }
  const contract = chain.deployment.contract.toLowerCase() as Hex;
  const logs = await provider.getLogs({ address: contract, topics: [ROOT_ANCHORED_TOPIC], fromBlock: 0 });
  const events = decodeRootAnchored(
    logs.map((l) => ({
      address: l.address.toLowerCase() as Hex,
      topics: l.topics.map((t) => t.toLowerCase() as Hex),
      data: l.data.toLowerCase() as Hex,
    })),
    contract,
  );
  const seqs = events.map((e) => Number(e.seq));
  const expected = Array.from({ length: nextSeq }, (_, i) => i);
  if (seqs.join(",") !== expected.join(",")) {
    note(`RootAnchored events are not seq 0..${nextSeq - 1} once each: ${seqs.length} events`);
  }
}

/** GET /proof for a sample of acknowledged ids (200 each), and verifies some bundles on the chain. */
async function auditProofs(
  harness: CrashHarness,
  options: AuditOptions,
  note: (problem: string) => void,
): Promise<{ proofsChecked: number; bundlesVerified: number }> {
  const ids = [...harness.acked];
  // Partial Fisher-Yates: a seeded sample of the acknowledged ids.
  const take = Math.min(options.proofSample, ids.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(options.random() * (ids.length - i));
    [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  }
  const sample = ids.slice(0, take);
  const reader = createChainReader(harness.chain.chain.url, harness.chain.chain.deployment.chainId);
  let proofsChecked = 0;
  let bundlesVerified = 0;
  try {
    let next = 0;
    const worker = async () => {
      while (next < sample.length) {
        const i = next++;
        const id = sample[i] as string;
        const res = await fetch(`${options.url}/v1/records/${encodeURIComponent(id)}/proof`, {
          headers: { authorization: `Bearer ${harness.keys.reader}` },
        });
        proofsChecked++;
        if (res.status !== 200) {
          note(`GET proof of ${id} answered ${res.status}`);
          continue;
        }
        const bundle: unknown = await res.json();
        if (i >= options.verifySample) continue;
        const report = await verifyBundle(bundle, {
          record: recordFor(id),
          chain: reader,
          trustedNotary: harness.chain.chain.notary,
        });
        bundlesVerified++;
        const failed = report.checks.filter((c) => c.status !== "pass");
        if (failed.length > 0) {
          note(`bundle of ${id} does not verify: ${failed.map((c) => `${c.name} ${c.status}`).join(", ")}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    reader.destroy();
  }
  return { proofsChecked, bundlesVerified };
}
