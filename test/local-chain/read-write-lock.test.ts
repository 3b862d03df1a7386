// Readers share the lock, a writer has it alone, and grants follow arrival order.
import { describe, expect, it } from "vitest";
import { ReadWriteLock } from "../../service/local-chain/read-write-lock.ts";

/** A task that runs until released, recording when it starts and ends. */
function task(log: string[], name: string) {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release,
    work: async () => {
      log.push(`${name}+`);
      await released;
      log.push(`${name}-`);
      return name;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("ReadWriteLock", () => {
  it("runs readers together and a writer alone, in arrival order", async () => {
    const lock = new ReadWriteLock();
    const log: string[] = [];
    const [r1, r2, w, r3] = ["r1", "r2", "w", "r3"].map((name) => task(log, name)) as [
      ReturnType<typeof task>,
      ReturnType<typeof task>,
      ReturnType<typeof task>,
      ReturnType<typeof task>,
    ];
    const done = [lock.read(r1.work), lock.read(r2.work), lock.write(w.work), lock.read(r3.work)];
    await settle();
    expect(log).toEqual(["r1+", "r2+"]); // the writer waits for both; r3 waits behind the writer
    r1.release();
    await settle();
    expect(log).toEqual(["r1+", "r2+", "r1-"]);
    r2.release();
    await settle();
    expect(log).toEqual(["r1+", "r2+", "r1-", "r2-", "w+"]);
    w.release();
    await settle();
    expect(log.slice(-2)).toEqual(["w-", "r3+"]);
    r3.release();
    expect(await Promise.all(done)).toEqual(["r1", "r2", "w", "r3"]);
  });

  it("releases the lock when work fails", async () => {
    const lock = new ReadWriteLock();
    await expect(lock.write(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(lock.read(() => Promise.reject(new Error("bang")))).rejects.toThrow("bang");
    expect(await lock.write(async () => "still usable")).toBe("still usable");
  });
});
