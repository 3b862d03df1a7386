// Database.notify / listen (service/db/notifications.ts): delivered at once in this process,
// and on PostgreSQL to every other pool on the same schema (LISTEN/NOTIFY), never to another
// schema; a lost listening session is reopened by itself, and its listeners are told that
// they may have missed something.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import type { Database } from "../../service/db/database.ts";
import { openPostgres } from "../../service/db/postgres.ts";
import { forEachDatabase, forPostgres } from "../helpers/databases.ts";

/** Everything `db` hears on `channel`, and a way to wait for the next thing. */
async function recorder(db: Database, channel: string) {
  const heard: Array<string | undefined> = [];
  let wake: () => void = () => {};
  const stop = await db.listen(channel, (payload) => {
    heard.push(payload);
    wake();
  });
  return {
    heard,
    stop,
    /** Resolves once `heard` has `n` entries; rejects after `ms` (a generous bound). */
    async until(n: number, ms = 10_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (heard.length < n) {
        if (Date.now() > deadline) throw new Error(`heard ${JSON.stringify(heard)}, waiting for ${n}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

forEachDatabase((target) => {
  it("a notification reaches this process's listeners at once, once, and only on its channel", async () => {
    const { db } = await target.create();
    const a = await recorder(db, "test_a");
    const b = await recorder(db, "test_b");
    await db.notify("test_a", "1");
    // Delivered by notify itself, before it resolves.
    expect(a.heard).toEqual(["1"]);
    await settle(); // a PostgreSQL echo of our own NOTIFY would arrive by now; it is dropped
    expect(a.heard).toEqual(["1"]);
    expect(b.heard).toEqual([]);
    a.stop();
    await db.notify("test_a", "2");
    expect(a.heard).toEqual(["1"]);
    await expect(db.listen("Not A Channel", () => {})).rejects.toThrow(/channel/);
  });
});

forPostgres((target) => {
  it("reaches another pool on the same schema, never another schema", async () => {
    const { db, url } = await target.create();
    const other = target.connect(url as string);
    const elsewhere = (await target.create()).db;
    const here = await recorder(other, "test_wake");
    const there = await recorder(elsewhere, "test_wake");
    await db.notify("test_wake", "17");
    await here.until(1);
    expect(here.heard).toEqual(["17"]);
    await settle();
    expect(there.heard).toEqual([]);
  });

  it("a lost listening session comes back by itself, telling its listeners they may have missed something", async () => {
    const { db, url } = await target.create();
    // Named, so that exactly its sessions can be found and killed.
    const name = `en-listen-${randomBytes(6).toString("hex")}`;
    const named = new URL(url as string);
    named.searchParams.set("application_name", name);
    const listening = openPostgres(named.toString(), { max: 2, lockHeartbeatMs: 500, onError: () => {} });
    try {
      const heard = await recorder(listening, "test_lost");
      await db.notify("test_lost", "before");
      await heard.until(1);
      // Kill the listening session from outside, as a restarted server or a proxy would.
      const killed = await db.query<{ n: number }>(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1",
        [name],
      );
      expect(killed[0]?.n).toBeGreaterThanOrEqual(1);
      // undefined when it is lost, undefined again once it is back.
      await heard.until(3);
      expect(heard.heard).toEqual(["before", undefined, undefined]);
      await db.notify("test_lost", "after");
      await heard.until(4);
      expect(heard.heard[3]).toBe("after");
    } finally {
      await listening.close();
    }
  });
});
