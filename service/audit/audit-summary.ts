// The audit report in words, for a terminal or a cron mail. The JSON report holds the same.
import type { ErasedRecord } from "./audit-erasures.ts";
import type { Finding } from "./findings.ts";
import type { AuditReport } from "./run-audit.ts";

/** Findings printed one by one; the JSON report always holds them all. */
const MAX_PRINTED = 50;

export function formatSummary(report: AuditReport): string {
  const { scope, totals, chain } = report;
  const range = scope.batches === 0 ? "no batches" : `batches ${scope.from}..${scope.to}`;
  const sample = scope.sample === null ? "" : ` (random sample of ${scope.batches}, seed ${scope.seed})`;
  const lines = [
    `Audited ${range}${sample}: ${totals.batches} batches, ${totals.records} records in ${(report.durationMs / 1000).toFixed(1)} s (${totals.recordsPerSecond} records/s).`,
    `Database: ${report.databaseBatches} batches. Chain ${chain.chainId}, contract ${chain.contract}: ${chain.nextSeq} anchors.`,
  ];
  if (totals.erased > 0) {
    lines.push(
      `Erased records (digest and salt removed under a recorded erasure; leaf kept): ${totals.erased}.`,
      ...report.erased.slice(0, MAX_PRINTED).map(describeErased),
    );
    if (report.erased.length > MAX_PRINTED) {
      lines.push(`  …and ${report.erased.length - MAX_PRINTED} more (see the JSON report, --json <file>)`);
    }
  }
  if (report.ok) {
    lines.push(
      "",
      `RESULT: CLEAN. Every audited root, leaf and anchor matches; no gaps; nothing pending or unanchored for over ${report.pendingOlderThanSeconds} s.`,
    );
    return lines.join("\n");
  }
  lines.push("", `Findings (${report.findings.length}):`);
  for (const finding of report.findings.slice(0, MAX_PRINTED)) lines.push(...describe(finding));
  if (report.findings.length > MAX_PRINTED) {
    lines.push(`  …and ${report.findings.length - MAX_PRINTED} more (see the JSON report, --json <file>)`);
  }
  const batches = new Set(report.findings.flatMap((f) => (f.seq === null ? [] : [f.seq])));
  lines.push(
    "",
    `RESULT: FINDINGS. ${report.findings.length} findings in ${batches.size} batches: ${countByKind(report.findings)}.`,
  );
  return lines.join("\n");
}

function describeErased(record: ErasedRecord): string {
  const { erasure } = record;
  const anchor = erasure.anchored
    ? `erasure anchored in batch ${erasure.seq}, tx ${erasure.txHash}`
    : `erasure not anchored yet (${erasure.seq === null ? "pending" : `batch ${erasure.seq}`})`;
  return `  ✔ record ${record.recordId} [batch ${record.seq}, leaf ${record.leafIndex}] erased ${record.erasedAt} under ${JSON.stringify(record.reference)}; ${anchor}`;
}

function describe(finding: Finding): string[] {
  const where = [
    finding.seq === null ? undefined : `batch ${finding.seq}`,
    finding.recordId === null ? undefined : `record ${finding.recordId}`,
    finding.leafIndex === undefined ? undefined : `leaf ${finding.leafIndex}`,
  ].filter((part) => part !== undefined);
  const lines = [`✘ ${finding.kind} [${where.join(", ")}] ${finding.message}`];
  if (finding.expected !== undefined) lines.push(`    expected: ${finding.expected}`);
  if (finding.actual !== undefined) lines.push(`    stored:   ${finding.actual}`);
  return lines;
}

function countByKind(findings: readonly Finding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${kind} ×${n}`).join(", ");
}
