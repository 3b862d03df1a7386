// Generated JSON is committed as the repository's formatter (biome) writes it, so that
// `npm test` (biome check) passes and a regeneration shows only real changes in a diff. The
// one exception: a vector whose record is nested too deep to indent (the record-nested-*
// vectors: 256 levels indented take 130 kB) has its record on one line, and biome.json
// leaves those files as written.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const BIOME = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "biome");

/** Formats every JSON file under `dir` in place. */
export function formatJson(dir: string): void {
  execFileSync(BIOME, ["format", "--write", dir], { stdio: "ignore" });
}

/** Records nested deeper than this are written on one line. */
const MAX_INDENTED_RECORD_DEPTH = 16;

/** A vector file's text: indented by two spaces, but a record nested too deep stays on one line. */
export function vectorText(content: object): string {
  const input = (content as { input?: { record?: unknown } }).input;
  if (input === undefined || depthOf(input.record) <= MAX_INDENTED_RECORD_DEPTH) {
    return `${JSON.stringify(content, null, 2)}\n`;
  }
  const marker = "\u0000record\u0000";
  const text = JSON.stringify({ ...content, input: { ...input, record: marker } }, null, 2);
  return `${text.replace(JSON.stringify(marker), JSON.stringify(input.record))}\n`;
}

/** Levels of objects and arrays in `value` (0 for a string, number, boolean or null). */
function depthOf(value: unknown): number {
  let depth = 0;
  let level = [value];
  const isContainer = (v: unknown): v is object => typeof v === "object" && v !== null;
  while (level.some(isContainer)) {
    depth++;
    level = level.filter(isContainer).flatMap((v) => Object.values(v));
  }
  return depth;
}
