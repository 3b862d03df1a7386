// The draining shutdown of a real `node service/main.ts` on a real PostgreSQL schema: SIGTERM
// while a burst of submissions is in flight. The process must exit 0 after "stopped cleanly",
// every submission it acknowledged with 202 must be in the database, and no request sent
// after the drain began may be acknowledged. PostgreSQL only: the child needs a database it
// can share with this test, and PGlite is one process's.
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../service/db/database.ts";
import { forPostgres } from "../helpers/databases.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { type Started, startScript, stopProcess } from "../helpers/processes.ts";

const WORKERS = 16;
/** Submissions per worker at most: bounds the test if the service never stops. */
const MAX_PER_WORKER = 400;
/** SIGTERM goes out once this many submissions were acknowledged. */
const ACKS_BEFORE_SIGTERM = 60;
/** The drain must finish within this after SIGTERM. */
const EXIT_WITHIN_MS = 15_000;

interface Attempt {
  id: string;
  /** HTTP status, or "refused" when the connection failed. */
  outcome: number | "refused";
  body?: string;
  retryAfter?: string | null;
  startedAfterSigterm: boolean;
  startedAfterDrainLine: boolean;
  endedAfterSigterm: boolean;
}

forPostgres((target) => {
  let db: Database;
  let dataDir: string;
  let started: Started | undefined;

  beforeAll(async () => {
    let url: string | undefined;
    ({ db, url } = await target.create());
    dataDir = await makeDataDir("en-shutdown-");
    started = await startScript(
      "service/main.ts",
      {
        DATA_DIR: dataDir,
        PORT: "0",
        CHAIN_PORT: "0",
        DATABASE_URL: url as string,
        LOG_LEVEL: "warn",
        BATCH_INTERVAL_MS: "200",
      },
      /Evidence Notary listening on (http:\/\/\S+)/,
    );
  });
  afterAll(async () => {
    if (started !== undefined) await stopProcess(started.child, "SIGKILL");
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("SIGTERM under load: exits 0, keeps every acknowledged record, refuses what comes after", async () => {
    const { child, match, output } = started as Started;
    const baseUrl = match[1] as string;
    const adminKey = (await readFile(join(dataDir, "admin.key"), "utf8")).trim();
    const draining = () => output().includes("SIGTERM: draining");

    let sigtermSent = false;
    let exited: Promise<number | string> | undefined;
    let acks = 0;
    const attempts: Attempt[] = [];

    const submit = async (id: string): Promise<Attempt> => {
      const startedAfterSigterm = sigtermSent;
      const startedAfterDrainLine = draining();
      let outcome: Attempt["outcome"];
      let body: string | undefined;
      let retryAfter: string | null | undefined;
      try {
        const res = await fetch(`${baseUrl}/v1/records`, {
          method: "POST",
          headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ id, record: { id, amount: "1.00" } }),
          signal: AbortSignal.timeout(15_000),
        });
        body = await res.text();
        outcome = res.status;
        retryAfter = res.headers.get("retry-after");
      } catch {
        outcome = "refused";
      }
      return {
        id,
        outcome,
        body,
        retryAfter,
        startedAfterSigterm,
        startedAfterDrainLine,
        endedAfterSigterm: sigtermSent,
      };
    };

    const worker = async (w: number) => {
      for (let i = 0; i < MAX_PER_WORKER; i++) {
        const attempt = await submit(`sd-${w}-${i}`);
        attempts.push(attempt);
        if (attempt.outcome === 202) acks++;
        if (acks >= ACKS_BEFORE_SIGTERM && !sigtermSent) {
          sigtermSent = true;
          exited = stopProcess(child, "SIGTERM");
        }
        // Keep knocking until the service refuses a request sent after the drain began.
        if (attempt.startedAfterDrainLine && attempt.outcome !== 202) break;
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

    expect(sigtermSent).toBe(true);
    const tally = (o: Attempt["outcome"]) => attempts.filter((a) => a.outcome === o).length;
    console.log(
      `shutdown burst: ${tally(202)} acknowledged, ${tally(503)} refused with 503, ${tally("refused")} connections refused`,
    );
    // A drain that waits out idle keep-alive connections would take 72 s: far beyond this bound.
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve("still running"), EXIT_WITHIN_MS)),
    ]);
    expect(code, output()).toBe(0);
    expect(output()).toContain("stopped cleanly");
    started = undefined;

    // Only 202 (acknowledged), 503 (refused while closing) or a refused connection.
    const outcomes = new Set(attempts.map((a) => a.outcome));
    for (const outcome of outcomes) expect([202, 503, "refused"]).toContain(outcome);
    for (const refused of attempts.filter((a) => a.outcome === 503)) {
      expect(JSON.parse(refused.body as string)).toEqual({
        error: { code: "overloaded", message: "the service is shutting down; retry shortly" },
      });
      expect(refused.retryAfter).toBe("5");
    }

    // Requests in flight when SIGTERM arrived were finished, not dropped.
    expect(attempts.some((a) => !a.startedAfterSigterm && a.endedAfterSigterm && a.outcome === 202)).toBe(
      true,
    );
    // Nothing sent after the drain began was acknowledged, and each worker saw a refusal.
    const afterDrain = attempts.filter((a) => a.startedAfterDrainLine);
    expect(afterDrain.length).toBeGreaterThanOrEqual(WORKERS);
    expect(afterDrain.filter((a) => a.outcome === 202)).toEqual([]);

    // Nothing acknowledged was lost.
    const acknowledged = attempts.filter((a) => a.outcome === 202).map((a) => a.id);
    expect(acknowledged.length).toBeGreaterThanOrEqual(ACKS_BEFORE_SIGTERM);
    const stored = await db.query<{ id: string }>("SELECT id FROM entries WHERE id = ANY($1::text[])", [
      acknowledged,
    ]);
    expect(stored.length).toBe(acknowledged.length);

    // And the port is closed for good.
    const late = await submit("sd-late");
    expect(late.outcome).toBe("refused");
  });
});
