// README.md: its walkthrough is what a new user runs first, so it must be true and must not
// break `npm test` afterwards. Its example digest is recomputed from its record, it writes
// nothing into the project folder, and Biome (the first step of `npm test`) checks only the
// project's own files, so a stray file such as a downloaded bundle cannot fail it.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

const run = promisify(execFile);
const README = await readFile(join(REPO_ROOT, "README.md"), "utf8");
const WALKTHROUGH = (() => {
  const section = README.slice(README.indexOf("## Walkthrough"));
  return /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
})();

it("the walkthrough's example digest is what its record hashes to", () => {
  const record = /echo '(\{.*\})' >/.exec(WALKTHROUGH)?.[1];
  expect(record).toBeDefined();
  const shown = /"digest":"(0x[0-9a-f]+)/.exec(WALKTHROUGH)?.[1];
  expect(shown).toBe(toHex(digestRecord(JSON.parse(record as string))));
});

it("the walkthrough writes its files in a folder of its own, not in the project", () => {
  expect(WALKTHROUGH).toMatch(/^(\w+)=\$\(mktemp -d\)$/m);
  const folder = /^(\w+)=\$\(mktemp -d\)$/m.exec(WALKTHROUGH)?.[1];
  const commands = WALKTHROUGH.split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n");
  const written = [...commands.matchAll(/(?:>|-o|--out) +("?)([^\s"]+)\1/g)].map((m) => m[2] as string);
  expect(written.length).toBeGreaterThanOrEqual(2);
  for (const path of written) expect(path.startsWith(`$${folder}/`), path).toBe(true);
});

it("Biome checks the project's own files only: a stray file in the folder cannot fail npm test", async () => {
  // A copy of the project's layout with the real biome.json, in a git repository of its own.
  const dir = await mkdtemp(join(tmpdir(), "en-biome-"));
  try {
    await cp(join(REPO_ROOT, "biome.json"), join(dir, "biome.json"));
    await writeFile(join(dir, ".gitignore"), "data/\n");
    await run("git", ["init", "-q"], { cwd: dir });
    await mkdir(join(dir, "service"));
    await writeFile(join(dir, "service", "ok.ts"), 'export const ok = "formatted";\n');
    const biome = join(REPO_ROOT, "node_modules", ".bin", "biome");
    const check = () =>
      run(biome, ["check", "."], { cwd: dir }).then(
        () => ({ code: 0, out: "" }),
        (error: { code: number; stdout: string; stderr: string }) => ({
          code: error.code,
          out: error.stdout + error.stderr,
        }),
      );
    expect((await check()).out).toBe("");
    // What the walkthrough used to leave behind: compact JSON, which Biome would reformat.
    await writeFile(join(dir, "bundle.json"), '{"format":"evidence-bundle/v1","proof":["0x00"]}');
    await writeFile(join(dir, "record.json"), '{"amount":"12.50"}\n');
    const stray = await check();
    expect(stray.code, stray.out).toBe(0);
    // And the project's own files are still checked.
    await writeFile(join(dir, "service", "bad.ts"), "export const bad   =  'unformatted'\n");
    const bad = await check();
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("bad.ts");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
