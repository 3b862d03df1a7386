// The verify CLI end to end: a batch built with the core, its root anchored on a real local
// chain (Hardhat EDR behind the journaled JSON-RPC endpoint), the bundle assembled from the
// receipt and block, then `node scripts/verify.ts` run as a child process.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContractTransactionResponse } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, buildBundle } from "../../service/core/bundle.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath, treeRoot } from "../../service/core/merkle.ts";
import { formatFingerprint, notaryFingerprint } from "../../service/core/notary-profile.ts";
import { CHECK_NAMES } from "../../service/core/verify.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";
import { closedPort } from "../helpers/processes.ts";

const CLI = join(import.meta.dirname, "..", "..", "scripts", "verify.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with DATA_DIR set to an empty folder unless `env` says otherwise, so no stray DATA_DIR/notary.json is pinned. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { CHAIN_RPC_URL: _url, CHAIN_PORT: _port, ...baseEnv } = process.env;
  baseEnv.DATA_DIR = emptyDataDir;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...baseEnv, ...env } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let emptyDataDir = "";

describe("npm run verify (scripts/verify.ts) against a real chain", () => {
  let chain: TestChain;
  let dir: string;
  let notary: string[];
  let bundle: Bundle;
  let files: { bundle: string; record: string; tamperedRecord: string; tamperedSalt: string };
  const records = [
    { caseId: "C-1", exhibit: 1, note: "photo of the seal" },
    { caseId: "C-1", exhibit: 2, note: "lab report" },
    { caseId: "C-2", exhibit: 1, note: "witness statement" },
  ];

  beforeAll(async () => {
    chain = await startTestChain();
    dir = await mkdtemp(join(tmpdir(), "en-verify-cli-"));
    emptyDataDir = await mkdtemp(join(tmpdir(), "en-verify-cli-data-"));
    notary = ["--notary", join(chain.dataDir, "notary.json")];
    const salts = records.map(() => newSalt());
    const digests = records.map(digestRecord);
    const tree = buildTree(digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d)));
    const root = treeRoot(tree);

    const seq = Number(await chain.anchor.getFunction("nextSeq")());
    const tx = (await chain.anchor.getFunction("anchor")(
      seq,
      toHex(root),
      tree.size,
    )) as ContractTransactionResponse;
    const receipt = await tx.wait();
    if (receipt === null || receipt.status !== 1) throw new Error("anchoring failed");
    const block = await chain.provider.getBlock(receipt.blockNumber);
    if (block === null || block.hash === null) throw new Error("anchor block not found");

    const i = 1;
    bundle = buildBundle({
      recordId: "exhibit-C-1-2",
      digest: digests[i] as Uint8Array,
      salt: salts[i] as Uint8Array,
      leafIndex: i,
      treeSize: tree.size,
      proof: inclusionPath(tree, i),
      root,
      batch: seq,
      anchor: {
        chainId: chain.chain.deployment.chainId,
        contract: chain.chain.deployment.contract,
        txHash: receipt.hash,
        blockNumber: receipt.blockNumber,
        blockHash: block.hash,
        timestamp: block.timestamp,
      },
      record: records[i],
    });
    files = {
      bundle: join(dir, "bundle.json"),
      record: join(dir, "record.json"),
      tamperedRecord: join(dir, "record-tampered.json"),
      tamperedSalt: join(dir, "bundle-tampered-salt.json"),
    };
    const saltFlipped = `${bundle.salt.slice(0, -1)}${bundle.salt.endsWith("0") ? "1" : "0"}`;
    await writeFile(files.bundle, JSON.stringify(bundle, null, 2));
    await writeFile(files.record, JSON.stringify(records[i]));
    await writeFile(files.tamperedRecord, JSON.stringify({ ...records[i], note: "lab report (edited)" }));
    await writeFile(files.tamperedSalt, JSON.stringify({ ...bundle, salt: saltFlipped }));
  });

  afterAll(async () => {
    await chain?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (emptyDataDir) await rm(emptyDataDir, { recursive: true, force: true });
  });

  it("passes a genuine bundle and record: exit 0 and a full checklist", async () => {
    const run = await runCli([files.bundle, "--record", files.record, "--rpc", chain.chain.url, ...notary]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const name of CHECK_NAMES) expect(run.stdout).toMatch(new RegExp(`^✔ ${name} `, "m"));
    expect(run.stdout).toContain("VERDICT: VALID");
    const fingerprint = formatFingerprint(notaryFingerprint(chain.chain.notary));
    expect(run.stdout).toContain(`Notary: ${chain.chain.notary.name}`);
    expect(run.stdout).toContain(`fingerprint ${fingerprint}`);
  });

  it("without a notary profile, decides nothing: exit 2, never 0", async () => {
    const run = await runCli([files.bundle, "--record", files.record, "--rpc", chain.chain.url]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^no trusted notary profile given: pass --notary/);
  });

  it("without --notary, pins DATA_DIR/notary.json when there is one, and says so", async () => {
    const run = await runCli([files.bundle, "--rpc", chain.chain.url], { DATA_DIR: chain.dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `profile ${join(chain.dataDir, "notary.json")} (DATA_DIR's own, since no --notary was given)`,
    );
  });

  it("exits 1 naming notary when the pinned profile is another notary's", async () => {
    const other = join(dir, "other-notary.json");
    await writeFile(other, JSON.stringify({ ...chain.chain.notary, contract: `0x${"42".repeat(20)}` }));
    const run = await runCli([
      files.bundle,
      "--record",
      files.record,
      "--rpc",
      chain.chain.url,
      "--notary",
      other,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✘ notary .*not anchored by the notary/m);
    expect(run.stdout).toMatch(/^– anchor_tx .*not run: the notary check failed/m);
    expect(run.stdout).toContain("VERDICT: INVALID. Failed checks: notary.");
  });

  it("gives no verdict (exit 2) on a bundle format it does not know", async () => {
    const future = join(dir, "future.json");
    await writeFile(future, JSON.stringify({ ...bundle, format: "evidence-bundle/v2" }));
    const run = await runCli([future, "--rpc", chain.chain.url, ...notary]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("NO VERDICT: this verifier does not know the bundle's format");
    expect(run.stdout).not.toMatch(/VERDICT: (IN)?VALID/);
  });

  it("uses CHAIN_RPC_URL, then CHAIN_PORT, when --rpc is absent", async () => {
    const viaUrl = await runCli([files.bundle, ...notary], { CHAIN_RPC_URL: chain.chain.url });
    expect(viaUrl.code).toBe(0);
    expect(viaUrl.stdout).toMatch(/^– digest .*no record was given/m);
    const port = new URL(chain.chain.url).port;
    const viaPort = await runCli([files.bundle, "--record", files.record, ...notary], { CHAIN_PORT: port });
    expect(viaPort.code).toBe(0);
  });

  it("prints a machine-readable report with --json", async () => {
    const run = await runCli([
      files.bundle,
      "--record",
      files.record,
      "--rpc",
      chain.chain.url,
      "--json",
      ...notary,
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual(CHECK_NAMES.map((n) => [n, "pass"]));
  });

  it("exits 1 naming digest for a tampered record", async () => {
    const run = await runCli([
      files.bundle,
      "--record",
      files.tamperedRecord,
      "--rpc",
      chain.chain.url,
      ...notary,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✘ digest /m);
    expect(run.stdout).toContain(`bundle says: ${bundle.digest}`);
    expect(run.stdout).toContain("VERDICT: INVALID. Failed checks: digest.");
  });

  it("exits 1 naming leaf for a tampered salt, and --json says so too", async () => {
    const run = await runCli([
      files.tamperedSalt,
      "--record",
      files.record,
      "--rpc",
      chain.chain.url,
      ...notary,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^✘ leaf /m);
    expect(run.stdout).toContain("VERDICT: INVALID. Failed checks: leaf.");
    const json = await runCli([files.tamperedSalt, "--rpc", chain.chain.url, "--json", ...notary]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      ok: boolean;
      checks: Array<{ name: string; status: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === "fail").map((c) => c.name)).toEqual(["leaf"]);
  });

  it("exits 2, not 1, when the RPC endpoint is unreachable", async () => {
    const run = await runCli([
      files.bundle,
      "--record",
      files.record,
      "--rpc",
      `http://127.0.0.1:${await closedPort()}`,
      ...notary,
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/could not check the bundle against the chain/);
    expect(run.stderr).not.toMatch(/INVALID/);
  });

  it("reads only UTF-8 files: no verdict (exit 2) for bytes that are not UTF-8 or a byte-order mark, never a repair", async () => {
    const latin1 = (text: string) => Buffer.from(text, "latin1");
    const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const cases: Array<{ file: "bundle" | "record"; content: Buffer; message: RegExp }> = [
      // Repaired to U+FFFD, this honest record would hash to something else: "INVALID" (exit 1).
      {
        file: "record",
        content: latin1(JSON.stringify({ ...records[1], note: "lab report ø" })),
        message:
          /^the record file .* is not UTF-8: the bytes f8 at offset \d+ \(line 1\) are not a UTF-8 sequence/,
      },
      // Repaired, this bundle would pass as the genuine one (its recordId is only a label): exit 0.
      {
        file: "bundle",
        content: latin1(JSON.stringify({ ...bundle, recordId: "exhibit-C-1-2 (Ødegård)" })),
        message: /^the bundle file .* is not UTF-8: the bytes d8 64 at offset/,
      },
      {
        file: "bundle",
        content: bom(JSON.stringify(bundle)),
        message: /^the bundle file .* starts with a byte-order mark \(U\+FEFF/,
      },
      {
        file: "record",
        content: bom(JSON.stringify(records[1])),
        message: /^the record file .* starts with a byte-order mark/,
      },
    ];
    for (const [i, c] of cases.entries()) {
      const path = join(dir, `unreadable-${i}-${c.file}.json`);
      await writeFile(path, c.content);
      const run = await runCli([
        c.file === "bundle" ? path : files.bundle,
        "--record",
        c.file === "record" ? path : files.record,
        "--rpc",
        chain.chain.url,
        ...notary,
      ]);
      expect(run.code, path).toBe(2);
      expect(run.stdout, path).toBe("");
      expect(run.stderr, path).toMatch(c.message);
      expect(run.stderr, path).toMatch(/Nothing was decided\.$/m);
    }
    const profile = join(dir, "notary-with-bom.json");
    await writeFile(profile, bom(JSON.stringify(chain.chain.notary)));
    const run = await runCli([files.bundle, "--rpc", chain.chain.url, "--notary", profile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^the notary profile .* starts with a byte-order mark/);
  });

  it("exits 2 for usage and file errors", async () => {
    const notJson = join(dir, "not.json");
    await writeFile(notJson, "{ this is not json");
    // Two readers could take either root: JSON.parse keeps the last, another parser the first.
    const duplicate = join(dir, "duplicate-name.json");
    const text = JSON.stringify(bundle);
    await writeFile(duplicate, text.replace('"root":', `"root":"0x${"00".repeat(32)}","root":`));
    const duplicateProfile = join(dir, "duplicate-name-notary.json");
    const profile = JSON.stringify(chain.chain.notary);
    await writeFile(
      duplicateProfile,
      profile.replace('"contract":', `"contract":"0x${"42".repeat(20)}","contract":`),
    );
    const cases = [
      [],
      [join(dir, "missing.json")],
      [notJson],
      [files.bundle, "--record", notJson, "--rpc", chain.chain.url, ...notary],
      [duplicate, "--rpc", chain.chain.url, ...notary],
      [files.bundle, "--rpc", chain.chain.url, "--notary", duplicateProfile],
      [files.bundle, "--no-such-option"],
      [files.bundle, "--rpc", "not a url"],
    ];
    for (const args of cases) {
      const run = await runCli(args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).not.toBe("");
    }
    expect((await runCli([duplicate, "--rpc", chain.chain.url, ...notary])).stderr).toMatch(
      /is not I-JSON: duplicate member name/,
    );
  });
});
