// Prometheus metrics (prom-client), in a registry of our own rather than the global default,
// so several service instances can live in one process (tests) without colliding.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

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
  errors: Counter<"component" | "code">;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
}

export interface MetricSources {
  ingestQueueDepth: () => number;
  pendingRecords: () => Promise<number>;
}

export function createMetrics(sources: MetricSources): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "en_process_" });
  const registers = [registry];
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
