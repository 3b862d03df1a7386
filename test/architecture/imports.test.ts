// The import graph, read as text: what the running service loads, and which way imports run
// between layers (STYLE.md, "the shape of the house"). Every relative import, static or
// dynamic, of every file reachable from service/main.ts is followed; the layer rule is
// checked on every file under service/.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/processes.ts";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every project file reachable from `entry`, with the bare (package) imports each makes. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [resolve(REPO_ROOT, entry)];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    const bare: string[] = [];
    seen.set(file, bare);
    if (!file.endsWith(".ts")) continue;
    for (const spec of importsOf(file)) {
      if (spec.startsWith(".")) todo.push(resolve(dirname(file), spec));
      else bare.push(spec);
    }
  }
  return seen;
}

const fromMain = reachable("service/main.ts");
const rel = (file: string) => relative(REPO_ROOT, file);

describe("what the running service imports", () => {
  it("follows the graph (a sanity check of this test)", () => {
    const files = [...fromMain.keys()].map(rel);
    expect(files).toContain("service/http/routes/verify-page.ts");
    expect(files).toContain("service/verify-page/page.ts");
  });

  it("never loads esbuild: the verification page's script is bundled at build time", () => {
    const users = [...fromMain].filter(([, bare]) =>
      bare.some((s) => s === "esbuild" || s.startsWith("esbuild/")),
    );
    expect(users.map(([file]) => rel(file))).toEqual([]);
  });

  it("never loads a build script", () => {
    expect([...fromMain.keys()].map(rel).filter((f) => f.startsWith("scripts/"))).toEqual([]);
  });
});

describe("layers", () => {
  it("only main.ts imports the HTTP layer from outside it (HTML helpers live in service/html)", () => {
    const upward: string[] = [];
    const files = readdirSync(join(REPO_ROOT, "service"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(REPO_ROOT, "service", f));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const from = rel(file);
      if (from.startsWith("service/http/") || from === "service/main.ts") continue;
      for (const spec of importsOf(file)) {
        const target = rel(resolve(dirname(file), spec));
        if (spec.startsWith(".") && target.startsWith("service/http/")) upward.push(`${from} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
