// A Sleeper's wake is never lost: a wake while nothing sleeps ends the next sleep at once
// (a seal that lands while the anchorer is busy is anchored next, not a full interval later).
// Fake timers: what is asserted is which sleeps end, never how long anything took.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Sleeper } from "../service/sleeper.ts";

/** Whether `promise` has settled once pending callbacks (not timers) have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe("Sleeper", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a sleep ends after its time, or at once when woken", async () => {
    const sleeper = new Sleeper();
    const timed = sleeper.sleep(1000);
    expect(await settled(timed)).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled(timed)).toBe(true);
    const woken = sleeper.sleep(60_000);
    sleeper.wake();
    expect(await settled(woken)).toBe(true);
  });

  it("a wake while nothing sleeps is remembered: the next sleep ends at once", async () => {
    const sleeper = new Sleeper();
    sleeper.wake();
    expect(await settled(sleeper.sleep(60_000))).toBe(true);
  });

  it("a remembered wake ends one sleep only, however many wakes came before it", async () => {
    const sleeper = new Sleeper();
    sleeper.wake();
    sleeper.wake();
    expect(await settled(sleeper.sleep(60_000))).toBe(true);
    const next = sleeper.sleep(1000);
    expect(await settled(next)).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled(next)).toBe(true);
  });

  it("a wake that ended a sleep is not remembered for the next one", async () => {
    const sleeper = new Sleeper();
    const first = sleeper.sleep(60_000);
    sleeper.wake();
    expect(await settled(first)).toBe(true);
    const second = sleeper.sleep(1000);
    expect(await settled(second)).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled(second)).toBe(true);
  });
});
