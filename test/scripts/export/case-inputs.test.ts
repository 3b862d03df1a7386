// The pure parts of the case export: file names from record ids, and the --records loader.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileStem, recordFiles } from "../../../scripts/export/case-files.ts";
import { ExportUsageError } from "../../../scripts/export/export-errors.ts";
import { loadSuppliedRecords } from "../../../scripts/export/supplied-records.ts";

describe("fileStem", () => {
  it("keeps plain ids and escapes what file systems refuse, one to one", () => {
    expect(fileStem("tx-2026_01.a")).toBe("tx-2026_01.a");
    expect(recordFiles("a/b").bundle).toBe("a%2Fb.bundle.json");
    expect(fileStem('..\\:*?"<>|%')).toBe("%2E.%5C%3A%2A%3F%22%3C%3E%7C%25");
    const ids = ["a%2Fb", "a/b", "A/b", ".x", "%2Ex", "x."];
    expect(new Set(ids.map(fileStem)).size).toBe(ids.length);
    for (const id of ids) expect(fileStem(id)).toMatch(/^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/);
  });
});

describe("loadSuppliedRecords", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "en-export-inputs-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a folder of <id>.json files, ignoring other files", async () => {
    const folder = await mkdtemp(join(dir, "folder-"));
    await writeFile(join(folder, "tx-1.json"), '{"amount":"1.00"}');
    await writeFile(join(folder, "notes.txt"), "not a record");
    expect([...(await loadSuppliedRecords(folder))]).toEqual([["tx-1", { amount: "1.00" }]]);
  });

  it("reads JSON Lines of {id, record}, skipping blank lines", async () => {
    const file = join(dir, "records.jsonl");
    await writeFile(file, '{"id":"a","record":{"n":1}}\n\n{"id":"b","record":{"n":2}}\n');
    expect(Object.fromEntries(await loadSuppliedRecords(file))).toEqual({ a: { n: 1 }, b: { n: 2 } });
  });

  it("refuses a malformed line, a repeated id and a missing path with the place named", async () => {
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, '{"id":"a","record":{}}\n{"id":"b"}\n');
    await expect(loadSuppliedRecords(bad)).rejects.toThrow(/bad\.jsonl line 2: expected/);
    const twice = join(dir, "twice.jsonl");
    await writeFile(twice, '{"id":"a","record":{}}\n{"id":"a","record":{}}\n');
    await expect(loadSuppliedRecords(twice)).rejects.toThrow(/line 2: record a appears twice/);
    const notJson = join(dir, "broken.jsonl");
    await writeFile(notJson, "{nope");
    await expect(loadSuppliedRecords(notJson)).rejects.toBeInstanceOf(ExportUsageError);
    await expect(loadSuppliedRecords(join(dir, "missing"))).rejects.toThrow(/cannot read --records/);
  });
});
