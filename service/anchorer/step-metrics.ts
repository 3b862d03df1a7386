// What each anchoring outcome adds to /metrics: attempts by outcome (and cause), errors by
// cause, and for an anchored batch its latency from sealing.
import type { ServiceMetrics } from "../metrics.ts";
import type { StepOutcome } from "./anchor-step.ts";

export function countStep(metrics: ServiceMetrics, outcome: StepOutcome, now = Date.now()): void {
  switch (outcome.kind) {
    case "idle":
      return;
    case "failed":
      metrics.anchorAttempts.inc({ outcome: "failed", cause: outcome.failure.cause });
      metrics.errors.inc({ component: "anchorer", code: outcome.failure.cause });
      return;
    case "unconfirmed":
      metrics.anchorAttempts.inc({ outcome: "unconfirmed", cause: "" });
      return;
    case "anchored":
      metrics.anchorAttempts.inc({ outcome: outcome.reconciled ? "reconciled" : "anchored", cause: "" });
      metrics.anchorLatency.observe((now - outcome.sealedAt.getTime()) / 1000);
      metrics.batchesAnchored.inc({ reconciled: String(outcome.reconciled) });
  }
}
