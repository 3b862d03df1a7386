// Long polls (GET /v1/records/:id/proof?wait=N) are woken when a batch is anchored: by an
// in-process event in the process that anchored it, and by PostgreSQL LISTEN/NOTIFY in every
// other process on the same schema. While nothing happens they send no query at all, which
// is what is asserted (statements counted, not time). If nothing woke them, a poll would
// answer 202 at its deadline; these answer 200 with the bundle.
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseConfig } from "../../service/config.ts";
import { type RunningService, startService } from "../../service/main.ts";
import { type CountingDatabase, countingDatabase } from "../helpers/counting-database.ts";
import { type DatabaseTarget, forEachDatabase, forPostgres } from "../helpers/databases.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { httpCaller } from "../helpers/service.ts";

const DIGEST = `0x${"5a".repeat(32)}`;
/** How long the poll is watched while nothing happens: 100 ms polling made a read every 100 ms. */
const QUIET_MS = 1500;
const WAIT_S = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sealing only when MAX_BATCH (2) records are pending: the first record stays pending until
 * the test submits a second one, whenever it chooses.
 */
const ENV = { PORT: "0", BATCH_INTERVAL_MS: "3600000", MAX_BATCH: "2", LOG_LEVEL: "silent" };

interface Instance {
  service: RunningService;
  counted: CountingDatabase;
  call: ReturnType<typeof httpCaller>;
}

async function startInstance(
  target: DatabaseTarget,
  db: Parameters<typeof countingDatabase>[0],
  env: Record<string, string>,
  cleanups: Array<() => Promise<void>>,
): Promise<Instance> {
  const dataDir = await makeDataDir("en-long-poll-");
  const counted = countingDatabase(db);
  const service = await startService(parseConfig({ ...ENV, DATA_DIR: dataDir, ...env }), {
    logger: false,
    database: counted.db,
  });
  cleanups.push(async () => {
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  void target;
  return { service, counted, call: httpCaller(service.url) };
}

/**
 * Submits records to `leader` until one stays pending: the leader's first seal, right after
 * it took the lead, may take the first one. Returns its id; one more record seals it.
 */
async function pendingRecord(leader: Instance, key: string, prefix: string): Promise<string> {
  for (let i = 0; i < 200 && !leader.service.leader.isLeader; i++) await sleep(10);
  for (let i = 0; i < 5; i++) {
    const id = `${prefix}-${i}`;
    const ack = await leader.call("POST", "/v1/records", { key, body: { id, digest: DIGEST } });
    expect(ack.status).toBe(202);
    await sleep(300);
    const status = await leader.call("GET", `/v1/records/${id}`, { key });
    if (status.json.batch === null) return id;
  }
  throw new Error("every record was sealed at once: the leader is not waiting for MAX_BATCH");
}

/**
 * Starts a long poll for `id` on `poller`, waits until its first read is done, and asserts
 * that it sends nothing for QUIET_MS; then `anchor()` and expect a prompt 200.
 */
async function expectWokenPoll(poller: Instance, key: string, id: string, anchor: () => Promise<void>) {
  // Pending, as the poller sees it; and its key is now cached, so the poll's first statement is its read.
  expect((await poller.call("GET", `/v1/records/${id}`, { key })).json.status).toBe("pending");
  const before = poller.counted.count();
  let answered = false;
  const poll = poller.call("GET", `/v1/records/${id}/proof?wait=${WAIT_S}`, { key }).finally(() => {
    answered = true;
  });
  for (let i = 0; i < 200 && poller.counted.count() === before; i++) await sleep(10);
  const afterFirstRead = poller.counted.count();
  expect(afterFirstRead).toBeGreaterThan(before);
  await sleep(QUIET_MS);
  expect(answered).toBe(false);
  expect(poller.counted.count() - afterFirstRead, "statements while nothing happened").toBe(0);
  const started = performance.now();
  await anchor();
  const res = await poll;
  expect(res.status, res.text).toBe(200);
  expect(res.json).toMatchObject({ recordId: id });
  // Woken, not timed out: well before the poll's own deadline.
  expect(performance.now() - started).toBeLessThan((WAIT_S * 1000) / 2);
}

async function submit(to: Instance, key: string, id: string): Promise<void> {
  const ack = await to.call("POST", "/v1/records", { key, body: { id, digest: DIGEST } });
  expect(ack.status).toBe(202);
}

forEachDatabase((target) => {
  const cleanups: Array<() => Promise<void>> = [];
  let one: Instance;
  let admin: string;
  beforeAll(async () => {
    const { db } = await target.create();
    one = await startInstance(target, db, { CHAIN_PORT: "0" }, cleanups);
    admin = one.service.adminKey as string;
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("one process: a long poll sends no query while waiting, and answers as soon as its batch is anchored", async () => {
    const id = await pendingRecord(one, admin, "one");
    await expectWokenPoll(one, admin, id, () => submit(one, admin, "one-last"));
  });
});

forPostgres((target) => {
  const cleanups: Array<() => Promise<void>> = [];
  let chain: TestChain;
  let leader: Instance;
  let follower: Instance;
  let admin: string;
  beforeAll(async () => {
    chain = await startTestChain();
    cleanups.push(() => chain.stop());
    const { db, url } = await target.create();
    const env = {
      CHAIN_RPC_URL: chain.chain.url,
      ANCHOR_CONTRACT: chain.chain.deployment.contract,
      ANCHOR_KEY_FILE: `${chain.dataDir}/anchorer.key`,
      NOTARY_PROFILE: `${chain.dataDir}/notary.json`,
    };
    leader = await startInstance(target, db, env, cleanups);
    for (let i = 0; i < 500 && !leader.service.leader.isLeader; i++) await sleep(10);
    expect(leader.service.leader.isLeader).toBe(true);
    // Another pool on the same schema: a second service process as far as PostgreSQL can tell.
    follower = await startInstance(target, target.connect(url as string), env, cleanups);
    expect(follower.service.leader.isLeader).toBe(false);
    admin = leader.service.adminKey as string;
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("two processes: a long poll on one is woken by the batch the other anchors (LISTEN/NOTIFY)", async () => {
    const id = await pendingRecord(leader, admin, "two");
    await expectWokenPoll(follower, admin, id, () => submit(leader, admin, "two-last"));
    expect(follower.service.leader.isLeader).toBe(false);
  });
});
