// Load from the bench process: batch calls with pre-serialized bodies (so the client's JSON
// work is done before the clock starts), and waiting until records are anchored.
import type { Database } from "../../service/db/database.ts";
import type { Progress } from "./progress.ts";

/** A small bank transaction, unique per id; hashed by the service as SHA-256(JCS(record)). */
export function transactionRecord(id: string, n: number): Record<string, string> {
  return {
    type: "transfer",
    amount: `${(n % 100_000) / 100}`,
    currency: "EUR",
    from: `DE89370400440532${String(n % 1_000_000).padStart(6, "0")}`,
    to: "FR1420041010050500013M02606",
    reference: id,
  };
}

/** `count` records as batch-call bodies of `perCall` records each, ids `${prefix}-${n}`. */
export function batchBodies(prefix: string, count: number, perCall: number): string[] {
  const bodies: string[] = [];
  for (let start = 0; start < count; start += perCall) {
    const records = [];
    for (let n = start; n < Math.min(count, start + perCall); n++) {
      const id = `${prefix}-${n}`;
      records.push({ id, record: transactionRecord(id, n) });
    }
    bodies.push(JSON.stringify({ records }));
  }
  return bodies;
}

export async function postBatch(url: string, key: string, body: string): Promise<{ created: number }> {
  const res = await fetch(`${url}/v1/records/batch`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`batch call answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as { created: number };
}

/** Sends every body, `clients` calls at a time; resolves with the records created. */
export async function sendBodies(
  url: string,
  key: string,
  bodies: readonly string[],
  clients: number,
  progress?: Progress,
): Promise<number> {
  let next = 0;
  let created = 0;
  const client = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const answer = await postBatch(url, key, body);
      created += answer.created;
      progress?.update(created);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return created;
}

async function countAnchored(db: Database, idPrefix: string): Promise<number> {
  const [row] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM entries e JOIN batches b ON e.idx >= b.first_index AND e.idx < b.first_index + b.size
     WHERE b.state = 'anchored' AND e.id LIKE $1`,
    [`${idPrefix}-%`],
  );
  return Number(row?.n ?? 0);
}

/** Polls until `count` records with ids `${idPrefix}-…` are anchored; throws after `timeoutMs`. */
export async function waitAnchored(
  db: Database,
  idPrefix: string,
  count: number,
  timeoutMs: number,
  progress?: Progress,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const anchored = await countAnchored(db, idPrefix);
    progress?.update(anchored);
    if (anchored >= count) return;
    if (Date.now() > deadline)
      throw new Error(`only ${anchored} of ${count} records anchored after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
