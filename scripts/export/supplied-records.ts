// The records a caller hands to the export (`--records`), keyed by record id. The service
// may hold only digests, so the records themselves come from the caller's own system:
//   - a folder of `<id>.json` files, each one record (the file name without .json is the id);
//   - or a JSON Lines file, one `{"id": "…", "record": {…}}` per line (the shape of
//     POST /v1/records), blank lines ignored.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ExportUsageError } from "./export-errors.ts";

export async function loadSuppliedRecords(path: string): Promise<Map<string, unknown>> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new ExportUsageError(`cannot read --records ${path}: ${(error as Error).message}`);
  }
  return isDirectory ? loadFolder(path) : loadJsonLines(path);
}

async function loadFolder(dir: string): Promise<Map<string, unknown>> {
  const records = new Map<string, unknown>();
  const names = (await readdir(dir)).filter((name) => name.endsWith(".json")).sort();
  for (const name of names) {
    records.set(name.slice(0, -".json".length), parseJson(await readFile(join(dir, name), "utf8"), name));
  }
  return records;
}

async function loadJsonLines(file: string): Promise<Map<string, unknown>> {
  const records = new Map<string, unknown>();
  const lines = (await readFile(file, "utf8")).split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const where = `${file} line ${i + 1}`;
    const item = parseJson(line, where) as { id?: unknown; record?: unknown } | null;
    if (typeof item?.id !== "string" || item.record === undefined) {
      throw new ExportUsageError(`${where}: expected {"id": "…", "record": {…}}`);
    }
    if (records.has(item.id)) throw new ExportUsageError(`${where}: record ${item.id} appears twice`);
    records.set(item.id, item.record);
  }
  return records;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ExportUsageError(`${where} is not JSON: ${(error as Error).message}`);
  }
}
