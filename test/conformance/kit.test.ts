// The conformance kit (conformance/, scripts/gen-conformance.ts) as a third party uses it:
// both recorded chains replayed by `npm run chain -- --read-only` (scripts/chain.ts, as
// child processes), and `npm run verify -- --json` (scripts/verify.ts) run on every case,
// its exit code, verdict and each check's status compared with the case's expected.json (for
// a file it must refuse to read, "unreadable": exit 2, the reason on stderr, no report).
// The replay must leave every file of the kit as it was, and the generator must write the
// same bytes again.
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKit, KIT_DIR, type KitExpectation } from "../../scripts/gen-conformance.ts";
import { runScript, startScript, stopProcess } from "../helpers/processes.ts";

const READY = /local chain ready at (http:\/\/[^\s]+) \(chain id (\d+)\)/;
const CASES = readdirSync(join(KIT_DIR, "cases")).sort();

/** Every file under `dir`, by relative path, with the SHA-256 of its bytes. */
async function fileHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  }
  return out;
}

describe("the conformance kit, replayed by npm run chain -- --read-only", () => {
  const children: ChildProcess[] = [];
  const urls: Record<string, string> = {};
  let before: Record<string, string>;
  let emptyDataDir: string;

  beforeAll(async () => {
    before = await fileHashes(KIT_DIR);
    emptyDataDir = await mkdtemp(join(tmpdir(), "en-kit-verify-"));
    for (const name of ["notary", "impostor"]) {
      const dataDir = join(KIT_DIR, "chains", name);
      const started = await startScript(
        ["scripts/chain.ts", "--read-only"],
        { DATA_DIR: dataDir, CHAIN_PORT: "0" },
        READY,
        60_000,
      );
      children.push(started.child);
      urls[`chains/${name}`] = started.match[1] as string;
      expect(started.output()).toMatch(/journaled transactions from .* \(read-only\)/);
    }
  });

  afterAll(async () => {
    for (const child of children) await stopProcess(child);
    if (emptyDataDir) await rm(emptyDataDir, { recursive: true, force: true });
  });

  it("has the cases the README lists, valid and forged", () => {
    const readme = readFileSync(join(KIT_DIR, "README.md"), "utf8");
    for (const name of CASES) expect(readme).toContain(`| \`${name}\` |`);
    expect(CASES).toEqual(
      expect.arrayContaining(["valid", "look-alike", "wrong-genesis", "reverted-tx", "tampered-root"]),
    );
  });

  it.each(CASES)("%s: npm run verify agrees with expected.json", async (name) => {
    const dir = join(KIT_DIR, "cases", name);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as KitExpectation;
    const record = join(dir, "record.json");
    const args = [
      join(dir, "bundle.json"),
      ...(existsSync(record) ? ["--record", record] : []),
      "--rpc",
      urls[expected.rpc] as string,
      "--notary",
      join(KIT_DIR, expected.notary),
      "--json",
    ];
    // An empty DATA_DIR: only the --notary given may be pinned.
    const run = await runScript("scripts/verify.ts", args, {
      DATA_DIR: emptyDataDir,
      CHAIN_RPC_URL: undefined,
    });
    expect(run.code).toBe(expected.exitCode);
    if (expected.verdict === "unreadable") {
      // Section 2, "Reading a file": no report, the reason on stderr.
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^the (bundle|record) file .* Nothing was decided\.\n$/);
      return;
    }
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout) as {
      verdict: string;
      checks: Array<{ name: string; status: string }>;
    };
    expect(report.verdict).toBe(expected.verdict);
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.name)).toEqual(expected.failed);
    expect(Object.fromEntries(report.checks.map((c) => [c.name, c.status]))).toEqual(expected.checks);
  });

  it("left every file of the kit as it was", async () => {
    expect(await fileHashes(KIT_DIR)).toEqual(before);
  });
});

describe("scripts/gen-conformance.ts", () => {
  it("records the committed kit again, byte for byte (regenerate and review the diff if not)", async () => {
    const out = await mkdtemp(join(tmpdir(), "en-kit-gen-"));
    try {
      await generateKit(out);
      expect(await fileHashes(out)).toEqual(await fileHashes(KIT_DIR));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
