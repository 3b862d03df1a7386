// Part 7: the audit, in records re-verified per second against the stored trees and the
// chain: runAudit (service/audit/run-audit.ts), the code behind `npm run audit`, over every
// batch of a service seeded with anchored records. Each record's leaf is recomputed from its
// salt and digest, each tree rebuilt and compared with its stored levels and root, and each
// root compared with the one anchored on chain; the audit must come out clean.
import { runAudit } from "../../service/audit/run-audit.ts";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { type BenchPart, fmtInt, fmtMs, perSecond, target } from "./part.ts";
import { startSeededService } from "./seed.ts";

export const auditPart: BenchPart = {
  name: "audit",
  title: "Audit: records re-verified per second",
  size: { meaning: "anchored records to re-verify", full: 200_000, quick: 10_000 },
  async run({ size, databaseUrl, log }) {
    const service = await startSeededService(databaseUrl, size, log);
    const chain = createChainReader(service.chainUrl, service.chainId, { timeoutMs: 15_000 });
    try {
      log("  runAudit over every batch (service/audit/run-audit.ts)");
      const report = await runAudit({
        db: service.db,
        chain,
        notary: service.notary,
        seed: 1,
        pendingOlderThanSeconds: 3600,
      });
      const { batches, records } = report.totals;
      if (!report.ok || records !== size) {
        throw new Error(
          `the audit of ${size} records did not come out clean: ${records} records, ${report.findings.length} findings`,
        );
      }
      const rate = perSecond(records, report.durationMs);
      return {
        columns: ["audit", "batches", "records", "time", "records/s"],
        rows: [
          [
            "runAudit (`npm run audit`), every batch",
            fmtInt(batches),
            fmtInt(records),
            fmtMs(report.durationMs),
            fmtInt(rate),
          ],
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
          "Every record's leaf recomputed from its salt and digest, every batch's tree rebuilt and compared with its stored levels and root, every root compared with the one anchored on chain (a getAnchor call per batch, 4 batches at a time). The audit came out clean.",
          "The audit reads the service's database while the (idle) service is still running; `npm run audit` itself refuses that, runAudit does not.",
        ],
        data: { batches, records, durationMs: report.durationMs, recordsPerSecond: rate },
      };
    } finally {
      chain.destroy();
      await service.stop();
    }
  },
};
