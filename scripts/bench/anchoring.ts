// Part 5: time from acknowledgement to anchored under sustained load. A steady stream of
// batch calls (RATE records/s in 10 calls a second) for `size` seconds, then, once all are
// anchored, each record's anchored_at − received_at from the database. received_at is set in
// the inserting transaction, before its commit and the 202, so this slightly overstates the
// time from the acknowledgement.
import type { Database } from "../../service/db/database.ts";
import { batchBodies, postBatch, waitAnchored } from "./load.ts";
import { type BenchPart, fmtInt, target } from "./part.ts";
import { startProgress } from "./progress.ts";
import { startBenchService } from "./service-process.ts";

/** The bank's average: hundreds of millions a day, about 6,650 records a second. */
export const SUSTAINED_RATE = 6_650;
const CALLS_PER_SECOND = 10;
const MAX_IN_FLIGHT = 20;

async function latencyPercentiles(
  db: Database,
  prefix: string,
): Promise<{ p50: number; p99: number; max: number; batches: number }> {
  const [row] = await db.query<{ p50: number; p99: number; max: number; batches: string }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
            max(ms) AS max, count(DISTINCT seq) AS batches
     FROM (SELECT b.seq, extract(epoch FROM b.anchored_at - e.received_at) * 1000 AS ms
           FROM entries e JOIN batches b ON e.idx >= b.first_index AND e.idx < b.first_index + b.size
           WHERE e.id LIKE $1 AND b.state = 'anchored') t`,
    [`${prefix}-%`],
  );
  if (row === undefined) throw new Error("no anchored records to measure");
  return { p50: Number(row.p50), p99: Number(row.p99), max: Number(row.max), batches: Number(row.batches) };
}

export const anchoringPart: BenchPart = {
  name: "anchoring",
  title: "Time from acknowledgement to anchored under sustained load",
  size: { meaning: "seconds of load", full: 30, quick: 5 },
  async run({ size, databaseUrl, log }) {
    const perCall = Math.ceil(SUSTAINED_RATE / CALLS_PER_SECOND);
    const calls = size * CALLS_PER_SECOND;
    const total = perCall * calls;
    const bodies = batchBodies("anchoring", total, perCall);
    const service = await startBenchService(databaseUrl);
    try {
      log(`  ${fmtInt(SUSTAINED_RATE)} records/s for ${size} s (${CALLS_PER_SECOND} calls/s of ${perCall})`);
      const progress = startProgress("submitted", total, log);
      const started = performance.now();
      let inFlight = 0;
      let acked = 0;
      let lagging = 0;
      const pending: Array<Promise<void>> = [];
      for (let i = 0; i < calls; i++) {
        const due = started + (i * 1000) / CALLS_PER_SECOND;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        while (inFlight >= MAX_IN_FLIGHT) await new Promise((r) => setTimeout(r, 5));
        if (performance.now() - due > 1000 / CALLS_PER_SECOND) lagging++;
        inFlight++;
        pending.push(
          postBatch(service.url, service.key, bodies[i] as string).then((r) => {
            inFlight--;
            acked += r.created;
            progress.update(acked);
          }),
        );
      }
      await Promise.all(pending);
      const sendSeconds = (performance.now() - started) / 1000;
      progress.stop();
      const anchoring = startProgress("anchored", total, log);
      await waitAnchored(service.db, "anchoring", total, 120_000, anchoring);
      anchoring.stop();
      const latency = await latencyPercentiles(service.db, "anchoring");
      const offered = total / sendSeconds;
      return {
        columns: ["load", "records", "batches", "p50", "p99", "max"],
        rows: [
          [
            `${fmtInt(offered)} records/s for ${sendSeconds.toFixed(1)} s`,
            fmtInt(total),
            fmtInt(latency.batches),
            `${fmtInt(latency.p50)} ms`,
            `${fmtInt(latency.p99)} ms`,
            `${fmtInt(latency.max)} ms`,
          ],
        ],
        targets: [
          target(
            "acknowledged → anchored p99 ≤ 2 s",
            "p99 ≤ 2,000 ms",
            `${fmtInt(latency.p99)} ms`,
            latency.p99 <= 2000,
          ),
        ],
        notes: [
          "Default service settings: BATCH_INTERVAL_MS 1000, MAX_BATCH 10000, CONFIRMATIONS 1, local chain in the service process (a block per transaction). A record waits up to one interval to be sealed, then for one transaction and its receipt.",
          `Measured from the database: anchored_at − received_at per record (received_at is taken before the commit, so slightly before the 202). Calls that left more than one tick late: ${lagging} of ${calls}.`,
        ],
        data: { rate: SUSTAINED_RATE, offeredRate: offered, seconds: size, records: total, ...latency },
      };
    } finally {
      await service.stop();
    }
  },
};
