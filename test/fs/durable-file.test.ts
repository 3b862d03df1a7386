import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeFileDurably } from "../../service/fs/durable-file.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function freshDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "en-durable-"));
  dirs.push(d);
  return d;
}

describe("writeFileDurably", () => {
  it("writes the whole file, creating folders, with the mode asked for, leaving no temporary file", async () => {
    const dir = await freshDir();
    const path = join(dir, "a", "b", "secret.key");
    expect(await writeFileDurably(path, "s3cret\n", { mode: 0o600 })).toBe(true);
    expect(await readFile(path, "utf8")).toBe("s3cret\n");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, "a", "b"))).toEqual(["secret.key"]);
  });

  it("replaces an existing file by default", async () => {
    const path = join(await freshDir(), "deployment.json");
    await writeFileDurably(path, "one");
    await writeFileDurably(path, "two");
    expect(await readFile(path, "utf8")).toBe("two");
  });

  it("exclusive: the first writer wins, later ones leave it and learn so", async () => {
    const dir = await freshDir();
    const path = join(dir, "anchorer.key");
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => writeFileDurably(path, `key ${i}`, { exclusive: true })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await readFile(path, "utf8")).toBe(`key ${winner}`);
    expect(await readdir(dir)).toEqual(["anchorer.key"]);
  });
});
