// The Batcher loop when sealing fails (the database away, or a bug): it backs off instead of
// retrying every interval, new records do not cut the backoff short, it says so once (not
// once per attempt), and it recovers by itself, saying that too. Counts, not timings: the
// bound on attempts holds on a slow machine as on a fast one.
import { afterEach, beforeAll, expect, it } from "vitest";
import { Batcher, MAX_BACKOFF_MS } from "../../service/batcher/batcher.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries, countPending } from "../../service/db/log.ts";
import type { Logger } from "../../service/logger.ts";
import { newRecord } from "../db/bytes.ts";
import { forEachDatabase, truncateAll } from "../helpers/databases.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps every line as [level, message]. */
function capturingLogger(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  const keep = (level: string) => (_obj: object, msg?: string) => void lines.push([level, msg ?? ""]);
  return { lines, info: keep("info"), warn: keep("warn"), error: keep("error"), debug: keep("debug") };
}

/** `db`, whose transactions (every seal) fail while `failing` says so. */
function flakyDatabase(db: Database, failing: () => boolean): Database {
  return new Proxy(db, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (name === "transaction") {
        return (fn: Parameters<Database["transaction"]>[0]) =>
          failing()
            ? Promise.reject(
                Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
              )
            : target.transaction(fn);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

forEachDatabase((target) => {
  let db: Database;
  let batcher: Batcher | undefined;
  beforeAll(async () => {
    ({ db } = await target.create());
  });
  afterEach(async () => {
    await batcher?.stop();
    await truncateAll(db);
  });

  it("backs off while sealing fails, logs it once, ignores pokes meanwhile, and recovers by itself", async () => {
    await appendEntries(db, [newRecord("waiting-1"), newRecord("waiting-2")]);
    let failing = true;
    let attempts = 0;
    const log = capturingLogger();
    batcher = new Batcher({
      db: flakyDatabase(db, () => failing),
      maxBatch: 100,
      intervalMs: 50,
      log,
      onError: () => attempts++,
    });
    batcher.start();
    // 2.5 s of failures, with a new record announced every 20 ms. Retrying every interval
    // (or on every poke) would make 50 to 125 attempts; doubling from 50 ms makes 6.
    const until = Date.now() + 2_500;
    while (Date.now() < until) {
      batcher.poke();
      await sleep(20);
    }
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(10);
    expect(log.lines.filter(([level]) => level === "error")).toEqual([
      ["error", `sealing failed; retrying, at most every ${MAX_BACKOFF_MS / 1000} s`],
    ]);
    expect(await countPending(db)).toBe(2);

    failing = false;
    const deadline = Date.now() + 3 * MAX_BACKOFF_MS;
    while ((await countPending(db)) > 0 && Date.now() < deadline) await sleep(50);
    expect(await countPending(db)).toBe(0);
    expect(log.lines).toContainEqual(["info", "sealing recovered"]);
  });
});
