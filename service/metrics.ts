// Prometheus metrics (prom-client), in a registry of our own rather than the global default,
// so several service instances can live in one process (tests) without colliding.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { AnchoringStatus } from "./anchorer/anchoring-status.ts";

export interface ServiceMetrics {
  registry: Registry;
  recordsIngested: Counter;
  ingestRequests: Counter<"outcome">;
  erasures: Counter<"outcome">;
  ingestQueueDepth: Gauge;
  pendingRecords: Gauge;
  batchSize: Histogram;
  batchesSealed: Counter;
  anchorLatency: Histogram;
  batchesAnchored: Counter<"reconciled">;
  anchorAttempts: Counter<"outcome" | "cause">;
  oldestUnanchoredBatch: Gauge;
  anchoringState: Gauge<"state">;
  anchoringFailing: Gauge<"cause" | "needs_operator">;
  errors: Counter<"component" | "code">;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
}

export interface MetricSources {
  ingestQueueDepth: () => number;
  pendingRecords: () => Promise<number>;
  /** The anchoring state, as /readyz reports it (anchorer/anchoring-status.ts); none: no anchoring gauges. */
  anchoringStatus?: () => Promise<AnchoringStatus>;
}

const ANCHORING_STATES = ["ok", "failing", "stalled"] as const;

/** One status per scrape, shared by the gauges that show parts of it. */
function sharedFor<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = performance.now();
    if (cached === undefined || now - cached.at > ms) cached = { at: now, value: read() };
    return cached.value;
  };
}

export function createMetrics(sources: MetricSources): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "en_process_" });
  const registers = [registry];
  const anchoring = sharedFor(250, sources.anchoringStatus ?? (async () => undefined));
  return {
    registry,
    recordsIngested: new Counter({
      name: "en_records_ingested_total",
      help: "Records durably stored (new ones; retries not counted)",
      registers,
    }),
    ingestRequests: new Counter({
      name: "en_ingest_records_total",
      help: "Submitted records by outcome: created, duplicate (a safe retry), conflict (same id, other content)",
      labelNames: ["outcome"],
      registers,
    }),
    erasures: new Counter({
      name: "en_erasures_total",
      help: "Records asked to be erased, by outcome: erased, already_erased, not_found, legal_hold",
      labelNames: ["outcome"],
      registers,
    }),
    ingestQueueDepth: new Gauge({
      name: "en_ingest_queue_depth",
      help: "Records accepted into memory and waiting for their group commit",
      registers,
      collect() {
        this.set(sources.ingestQueueDepth());
      },
    }),
    pendingRecords: new Gauge({
      name: "en_pending_records",
      help: "Records stored but not yet sealed into a batch",
      registers,
      async collect() {
        try {
          this.set(await sources.pendingRecords());
        } catch {
          // The database is down; /readyz says so. Keep the last value.
        }
      },
    }),
    batchSize: new Histogram({
      name: "en_batch_size",
      help: "Records per sealed batch",
      buckets: [1, 10, 100, 1000, 5000, 10000, 50000, 100000],
      registers,
    }),
    batchesSealed: new Counter({ name: "en_batches_sealed_total", help: "Batches sealed", registers }),
    anchorLatency: new Histogram({
      name: "en_anchor_latency_seconds",
      help: "Time from sealing a batch to its anchor being confirmed",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    }),
    batchesAnchored: new Counter({
      name: "en_batches_anchored_total",
      help: "Batches anchored on chain (reconciled=true when found on chain after a timeout or crash)",
      labelNames: ["reconciled"],
      registers,
    }),
    anchorAttempts: new Counter({
      name: "en_anchor_attempts_total",
      help:
        "Anchoring attempts by outcome (anchored, reconciled, unconfirmed: not yet confirmed in time, " +
        "failed) and, for failed ones, their cause",
      labelNames: ["outcome", "cause"],
      registers,
    }),
    oldestUnanchoredBatch: new Gauge({
      name: "en_oldest_unanchored_batch_seconds",
      help: "Age of the oldest sealed batch not yet anchored (0 when every batch is anchored)",
      registers,
      async collect() {
        const status = await anchoring();
        if (status === undefined || status.noProgressSeconds === null) return; // the database is down; keep the last value
        this.set(status.oldestUnanchoredBatch?.ageSeconds ?? 0);
      },
    }),
    anchoringState: new Gauge({
      name: "en_anchoring_state",
      help: "1 for the anchoring state /readyz reports (ok, failing, stalled), 0 for the others",
      labelNames: ["state"],
      registers,
      async collect() {
        const status = await anchoring();
        if (status === undefined) return;
        for (const state of ANCHORING_STATES) this.set({ state }, status.state === state ? 1 : 0);
      },
    }),
    anchoringFailing: new Gauge({
      name: "en_anchoring_failing",
      help:
        "1 while the leader's anchoring fails for this cause (needs_operator=true: a person must act); " +
        "no series when anchoring works",
      labelNames: ["cause", "needs_operator"],
      registers,
      async collect() {
        const status = await anchoring();
        this.reset();
        const reason = status?.leader ? status.reason : null;
        if (reason != null && reason.needsOperator !== null) {
          this.set({ cause: reason.cause, needs_operator: String(reason.needsOperator) }, 1);
        }
      },
    }),
    errors: new Counter({
      name: "en_errors_total",
      help: "Errors by component and code",
      labelNames: ["component", "code"],
      registers,
    }),
    httpRequests: new Counter({
      name: "en_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "method", "status"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "en_http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["route", "method"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
  };
}
