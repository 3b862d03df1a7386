// Part 7: the audit, in records re-verified per second against the stored trees and the
// chain. Uses the service's audit (service/audit/run-audit.ts, `npm run audit`) when this
// checkout has it; otherwise it measures the same re-verification done with core code here
// (every leaf recomputed from salt and digest, the tree rebuilt, its root compared with the
// stored root and the root anchored on chain), and says which one ran.
import { createChainReader, type JsonRpcChainReader } from "../../service/chain/chain-reader.ts";
import { fromHex, type Hex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, bytesEqual, HASH_BYTES, treeRoot } from "../../service/core/merkle.ts";
import type { Database } from "../../service/db/database.ts";
import { type BenchPart, fmtInt, fmtMs, perSecond, target, timed } from "./part.ts";
import { startSeededService } from "./seed.ts";

interface AuditOutcome {
  ok: boolean;
  batches: number;
  records: number;
  ms: number;
  how: string;
}

type RunAudit = (options: Record<string, unknown>) => Promise<{
  ok: boolean;
  durationMs: number;
  totals: { batches: number; records: number };
}>;

/** The service's audit runner, when this checkout has one. */
async function loadRunAudit(): Promise<RunAudit | null> {
  const module = "../../service/audit/run-audit.ts";
  try {
    return ((await import(module)) as { runAudit: RunAudit }).runAudit;
  } catch {
    return null;
  }
}

/** Re-verifies every anchored batch with core code: leaves, tree, stored root, chain root. */
async function coreAudit(
  db: Database,
  chain: JsonRpcChainReader,
  contract: Hex,
): Promise<Omit<AuditOutcome, "ms" | "how">> {
  const batches = await db.query<{ seq: number; root: Uint8Array }>(
    "SELECT seq, root FROM batches WHERE state = 'anchored' ORDER BY seq",
  );
  let records = 0;
  let ok = true;
  for (const batch of batches) {
    const rows = await db.query<{ salt: Uint8Array; digest: Uint8Array }>(
      "SELECT salt, digest FROM records WHERE seq = $1 ORDER BY leaf_index",
      [batch.seq],
    );
    const leaves = new Uint8Array(rows.length * HASH_BYTES);
    for (const [i, r] of rows.entries()) leaves.set(hashLeaf(r.salt, r.digest), i * HASH_BYTES);
    const root = treeRoot(buildTree(leaves));
    const anchor = await chain.getAnchor(contract, Number(batch.seq));
    ok &&= bytesEqual(root, batch.root) && anchor !== null && bytesEqual(fromHex(anchor.root), root);
    records += rows.length;
  }
  return { ok, batches: batches.length, records };
}

export const auditPart: BenchPart = {
  name: "audit",
  title: "Audit: records re-verified per second",
  size: { meaning: "anchored records to re-verify", full: 200_000, quick: 10_000 },
  async run({ size, databaseUrl, log }) {
    const service = await startSeededService(databaseUrl, size, log);
    const chain = createChainReader(service.chainUrl, service.chainId, { timeoutMs: 15_000 });
    try {
      const runAudit = await loadRunAudit();
      let outcome: AuditOutcome;
      if (runAudit !== null) {
        log("  service/audit/run-audit.ts (npm run audit)");
        const report = await runAudit({
          db: service.db,
          chain,
          chainId: service.chainId,
          contract: service.contract,
          seed: 1,
          pendingOlderThanSeconds: 3600,
        });
        outcome = {
          ok: report.ok,
          batches: report.totals.batches,
          records: report.totals.records,
          ms: report.durationMs,
          how: "service/audit/run-audit.ts, the code behind `npm run audit`",
        };
      } else {
        log("  no service/audit in this checkout: re-verifying with core code");
        const r = await timed(() => coreAudit(service.db, chain, service.contract));
        outcome = {
          ...r.value,
          ms: r.ms,
          how: "core code in scripts/bench/audit.ts (no service/audit in this checkout)",
        };
      }
      if (!outcome.ok || outcome.records !== size) {
        throw new Error(`the audit did not come out clean over ${size} records: ${JSON.stringify(outcome)}`);
      }
      const rate = perSecond(outcome.records, outcome.ms);
      return {
        columns: ["audit", "batches", "records", "time", "records/s"],
        rows: [
          [outcome.how, fmtInt(outcome.batches), fmtInt(outcome.records), fmtMs(outcome.ms), fmtInt(rate)],
        ],
        targets: [
          target(
            "records re-verified per second (reported, no fixed bar)",
            "report",
            `${fmtInt(rate)}/s`,
            null,
          ),
        ],
        notes: [
          "Every record's leaf is recomputed from its salt and digest, each batch's tree is rebuilt and its root compared with the stored root and with the root anchored on chain (one getAnchor call per batch). The audit came out clean.",
        ],
        data: { ...outcome, recordsPerSecond: rate },
      };
    } finally {
      chain.destroy();
      await service.stop();
    }
  },
};
