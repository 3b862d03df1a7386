// `npm run export` end to end: a real service (real chain, PGlite and PostgreSQL, HTTP), the
// CLI as an async child process, then every written file checked: bundles verified against
// the chain, records and certificates present, manifest.json and SHA256SUMS hashes matching.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extract } from "tar";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { digestRecord } from "../../service/core/canonical.ts";
import { toHex } from "../../service/core/hex.ts";
import { formatFingerprint, notaryFingerprint } from "../../service/core/notary-profile.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { closedPort, REPO_ROOT, runScript } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const CLI = join(REPO_ROOT, "scripts", "export.ts");

const run = (script: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runScript(script, args, { EVIDENCE_API_KEY: undefined, ...env }, 30_000);

const RECORDS: Record<string, object> = {
  "tx-a": { amount: "12.50", currency: "EUR", note: "first" },
  "tx-b": { amount: "99.00", currency: "USD", note: "second" },
  "case/7:x": { amount: "1.00", currency: "CHF", note: "an id with / and :" },
};
const HASH_ONLY = { id: "tx-hash-only", digest: toHex(digestRecord({ kept: "elsewhere" })) };

async function sha256File(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

/** manifest.json lists every other file with its SHA-256, and SHA256SUMS covers all files. */
async function expectHashesMatch(dir: string) {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
  const onDisk = (await readdir(dir)).sort();
  expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(
    onDisk.filter((f) => f !== "manifest.json" && f !== "SHA256SUMS"),
  );
  for (const f of manifest.files) expect(await sha256File(join(dir, f.path)), f.path).toBe(f.sha256);
  const sums = (await readFile(join(dir, "SHA256SUMS"), "utf8")).trim().split("\n");
  expect(sums.map((l) => l.split("  ")[1]).sort()).toEqual(onDisk.filter((f) => f !== "SHA256SUMS"));
  for (const line of sums) {
    const [hash, name] = line.split("  ") as [string, string];
    expect(await sha256File(join(dir, name)), name).toBe(hash);
  }
  return manifest;
}

forEachDatabase((target) => {
  let s: TestService;
  let work: string;
  let startedAt: Date;
  const env = () => ({ EVIDENCE_API_KEY: s.keys.reader });

  beforeAll(async () => {
    startedAt = new Date(Date.now() - 1000);
    s = await startTestService(target);
    work = await mkdtemp(join(tmpdir(), "en-export-"));
    const body = {
      records: [...Object.entries(RECORDS).map(([id, record]) => ({ id, record })), HASH_ONLY],
    };
    const ack = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body });
    expect(ack.status).toBe(202);
    for (const id of [...Object.keys(RECORDS), HASH_ONLY.id]) {
      const proof = await s.call("GET", `/v1/records/${encodeURIComponent(id)}/proof?wait=30`, {
        key: s.keys.reader,
      });
      expect(proof.status, id).toBe(200);
    }
  });
  afterAll(async () => {
    await s?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("GET /v1/records lists records by time received, paged, for readers only", async () => {
    const window = `receivedFrom=${startedAt.toISOString()}&receivedTo=${new Date(Date.now() + 60_000).toISOString()}`;
    const first = await s.call("GET", `/v1/records?${window}&limit=3`, { key: s.keys.reader });
    expect(first.status).toBe(200);
    expect(first.json.records).toHaveLength(3);
    expect(first.json.records[0]).toMatchObject({ id: "tx-a", status: "anchored" });
    expect(first.json.next).toEqual(expect.any(Number));
    const second = await s.call("GET", `/v1/records?${window}&limit=3&after=${first.json.next}`, {
      key: s.keys.reader,
    });
    expect(second.json.records.map((r: { id: string }) => r.id)).toEqual([HASH_ONLY.id]);
    expect(second.json.next).toBeNull();
    const before = await s.call(
      "GET",
      `/v1/records?receivedFrom=2000-01-01T00:00:00Z&receivedTo=${startedAt.toISOString()}`,
      { key: s.keys.reader },
    );
    expect(before.json).toEqual({ records: [], next: null });
    const bad = await s.call("GET", "/v1/records?receivedFrom=yesterday&receivedTo=2030-01-01T00:00:00Z", {
      key: s.keys.reader,
    });
    expect(bad.status).toBe(400);
    expect((await s.call("GET", `/v1/records?${window}`)).status).toBe(401);
  });

  it("--ids with --records writes verified bundles, records, certificates, README and hashes; names what it left out", async () => {
    const supplied = join(work, "records.jsonl");
    const lines = [
      { id: "tx-a", record: RECORDS["tx-a"] },
      { id: "tx-b", record: RECORDS["tx-b"] },
      { id: "case/7:x", record: { ...RECORDS["case/7:x"], note: "altered" } },
    ];
    await writeFile(supplied, lines.map((l) => JSON.stringify(l)).join("\n"));
    const out = join(work, "by-ids");
    const ids = ["tx-a", "tx-b", "case/7:x", HASH_ONLY.id, "no-such-record"].join(",");
    const result = await run(CLI, ["--ids", ids, "--records", supplied, "--out", out, "--url", s.url], env());
    expect(result.stderr).toBe("");
    expect(result.code, result.stdout).toBe(1);
    expect(result.stdout).toMatch(/no-such-record: no record with id no-such-record/);
    expect(result.stdout).toMatch(/case\/7:x: the supplied record does not match/);

    const files = (await readdir(out)).sort();
    expect(files).toEqual(
      [
        "README.txt",
        "SHA256SUMS",
        "case%2F7%3Ax.bundle.json",
        "case%2F7%3Ax.certificate.html",
        "evidence-bundle.schema.json",
        "evidence-format.md",
        "manifest.json",
        "notary.json",
        "notary-profile.schema.json",
        "tx-a.bundle.json",
        "tx-a.certificate.html",
        "tx-a.record.json",
        "tx-b.bundle.json",
        "tx-b.certificate.html",
        "tx-b.record.json",
        "tx-hash-only.bundle.json",
        "tx-hash-only.certificate.html",
      ].sort(),
    );
    const chain = createChainReader(s.service.chainUrl, s.service.chainId);
    try {
      for (const id of ["tx-a", "tx-b"]) {
        const bundle = JSON.parse(await readFile(join(out, `${id}.bundle.json`), "utf8"));
        const record = JSON.parse(await readFile(join(out, `${id}.record.json`), "utf8"));
        const report = await verifyBundle(bundle, { record, chain, trustedNotary: s.service.notary });
        expect(
          report.checks.filter((c) => c.status !== "pass"),
          id,
        ).toEqual([]);
      }
      const hashOnly = JSON.parse(await readFile(join(out, "tx-hash-only.bundle.json"), "utf8"));
      expect((await verifyBundle(hashOnly, { chain, trustedNotary: s.service.notary })).ok).toBe(true);
      expect(hashOnly.digest).toBe(HASH_ONLY.digest);
    } finally {
      chain.destroy();
    }
    expect(await readFile(join(out, "tx-a.certificate.html"), "utf8")).toMatch(/^<!doctype html>/i);

    const manifest = await expectHashesMatch(out);
    expect(manifest.records.map((r: { id: string }) => r.id)).toEqual([
      "tx-a",
      "tx-b",
      "case/7:x",
      HASH_ONLY.id,
    ]);
    expect(manifest.problems.map((p: { id: string }) => p.id).sort()).toEqual(["case/7:x", "no-such-record"]);
    const readme = await readFile(join(out, "README.txt"), "utf8");
    expect(readme).toContain(
      'npm run verify -- "$CASE/tx-a.bundle.json" --record "$CASE/tx-a.record.json" --notary "$CASE/notary.json" --rpc "$RPC"',
    );
    // The trust root: the service's own profile, and the instruction to compare its fingerprint out of band.
    expect(JSON.parse(await readFile(join(out, "notary.json"), "utf8"))).toEqual(s.service.notary);
    expect(readme).toContain(formatFingerprint(notaryFingerprint(s.service.notary)));
    expect(readme).toContain("Compare it with the fingerprint the notary's operator publishes elsewhere");
    expect(readme).not.toContain("do not need to trust the service");
    expect(readme).toContain(`chain id ${s.service.chainId}, contract ${s.service.contract.toLowerCase()}`);
    expect(readme).toContain("sha256sum -c SHA256SUMS");

    // The auditor's own command, on the exported files, as README.txt says.
    const verify = await run(join(REPO_ROOT, "scripts", "verify.ts"), [
      join(out, "tx-b.bundle.json"),
      "--record",
      join(out, "tx-b.record.json"),
      "--rpc",
      s.service.chainUrl,
      "--notary",
      join(out, "notary.json"),
    ]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain("VERDICT: VALID");
  });

  it("--from/--to --archive writes one .tar.gz of every record received in the window", async () => {
    const file = join(work, "window.tar.gz");
    const args = ["--from", startedAt.toISOString(), "--to", new Date(Date.now() + 60_000).toISOString()];
    const result = await run(CLI, [...args, "--archive", "--out", file, "--url", s.url], env());
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await readdir(work)).not.toContainEqual(expect.stringMatching(/^\.case-export-/));
    const unpacked = join(work, "unpacked");
    await rm(unpacked, { recursive: true, force: true });
    await mkdir(unpacked);
    await extract({ file, cwd: unpacked });
    expect(await readdir(unpacked)).toEqual(["window"]);
    const manifest = await expectHashesMatch(join(unpacked, "window"));
    expect(manifest.records.map((r: { id: string }) => r.id)).toEqual([
      ...Object.keys(RECORDS),
      HASH_ONLY.id,
    ]);
    expect(manifest.problems).toEqual([]);
    expect(manifest.files.filter((f: { path: string }) => f.path.endsWith(".certificate.html"))).toHaveLength(
      4,
    );
  });

  it("exits 2 and leaves nothing behind when the service cannot be reached, the key is refused or the output is taken", async () => {
    const port = await closedPort();
    const out = join(work, "never");
    const down = await run(CLI, ["--ids", "tx-a", "--out", out, "--url", `http://127.0.0.1:${port}`], env());
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach the Evidence Notary/);
    const refused = await run(CLI, ["--ids", "tx-a", "--out", out, "--url", s.url], {
      EVIDENCE_API_KEY: "wrong",
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the API key \(401\)/);
    expect(await readdir(work)).not.toContain("never");
    expect(await readdir(work)).not.toContainEqual(expect.stringMatching(/^\.case-export-/));
    const taken = await run(CLI, ["--ids", "tx-a", "--out", join(work, "by-ids"), "--url", s.url], env());
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/already exists and is not empty/);
  });
});
