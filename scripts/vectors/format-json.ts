// Generated JSON is committed as the repository's formatter (biome) writes it, so that
// `npm test` (biome check) passes and a regeneration shows only real changes in a diff.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const BIOME = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "biome");

/** Formats every JSON file under `dir` in place. */
export function formatJson(dir: string): void {
  execFileSync(BIOME, ["format", "--write", dir], { stdio: "ignore" });
}
