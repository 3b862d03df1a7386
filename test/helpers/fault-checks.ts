// Checks shared by the fault tests (test/reliability/*-outage.test.ts): polling with a
// deadline, the 503 shape a client gets while a dependency is down, and waiting for a
// record's evidence bundle once the service has recovered.
import { expect } from "vitest";
import type { HttpResult, TestService } from "./service.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `attempt` every `everyMs` until it returns a value; throws `what` after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** 503 with Retry-After and the one error shape, nothing internal in it. */
export function expectUnavailable(res: HttpResult): void {
  expect(res.status, res.text).toBe(503);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(Object.keys(res.json)).toEqual(["error"]);
  expect(typeof res.json.error.code).toBe("string");
  expect(res.json.error.message.length).toBeGreaterThan(0);
  expect(res.text).not.toMatch(/stack|\.ts:\d|ECONN|terminated|SQLSTATE/i);
}

/** Long-polls GET /v1/records/:id/proof until the bundle is there; returns it. */
export async function waitForBundle(
  call: TestService["call"],
  key: string,
  id: string,
  timeoutMs: number,
): Promise<HttpResult["json"]> {
  return pollUntil(
    `bundle of ${id}`,
    async () => {
      const res = await call("GET", `/v1/records/${encodeURIComponent(id)}/proof?wait=2`, { key });
      return res.status === 200 ? res.json : undefined;
    },
    timeoutMs,
    50,
  );
}
