// `node scripts/gen-conformance.ts`: records the conformance kit in conformance/.
//
// Two real chains (the journaled, permissioned local chain of `npm run chain`), recorded
// with fixed keys and a fixed clock, so the output is the same byte for byte every time:
//   chains/notary    the notary's chain: its EvidenceAnchor anchors batches 0 and 1, one
//                    anchor call reverts, and a second allowlisted account deploys a
//                    look-alike EvidenceAnchor (the same code) and anchors a forged record;
//   chains/impostor  another chain with the same chain id 31337 and another genesis, whose
//                    EvidenceAnchor sits at the notary's very address (the same deployer key
//                    and nonce, as on a staging chain or a fork) and anchors a forged record.
// Each case in cases/<name>/ is a bundle (and record) with expected.json: which profile to
// pin, which chain to ask, and the exit code, verdict and every check's status a verifier
// must report. The generator checks every case with our verifier against the live chains
// before it writes anything, and test/conformance/kit.test.ts replays the written kit with
// `npm run chain -- --read-only` and runs `npm run verify` on every case.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainReader } from "../service/chain/chain-reader.ts";
import type { CheckStatus } from "../service/core/check-outcome.ts";
import { parseJsonBytes } from "../service/core/json-text.ts";
import { formatFingerprint, type NotaryProfile, notaryFingerprint } from "../service/core/notary-profile.ts";
import { type CheckName, verifyBundle } from "../service/core/verify.ts";
import { type KitCase, type Recorded, recordKit } from "./conformance/kit-cases.ts";
import { type KitChains, renderKitReadme } from "./conformance/kit-readme.ts";
import { copyRecording } from "./conformance/record-chain.ts";

export const KIT_DIR = join(import.meta.dirname, "..", "conformance");

export interface KitExpectation {
  description: string;
  /** The recorded data directory to replay (`npm run chain -- --read-only`) and point --rpc at. */
  rpc: string;
  /** The notary profile to pin (--notary). */
  notary: string;
  exitCode: 0 | 1 | 2;
  /** "unreadable": a file breaks a rule of "Reading a file"; no check is run (`checks` is empty). */
  verdict: "valid" | "invalid" | "unsupported_format" | "unreadable";
  failed: CheckName[];
  checks: Partial<Record<CheckName, CheckStatus>>;
}

const EXIT_CODES = { valid: 0, invalid: 1, unsupported_format: 2, unreadable: 2 } as const;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The bytes of a case's bundle.json and record.json: indented JSON unless the case gives its own. */
function caseFiles(c: KitCase): { bundle: Uint8Array; record?: Uint8Array } {
  const encode = (value: unknown) => new TextEncoder().encode(json(value));
  const record = c.files?.record ?? (c.record === undefined ? undefined : encode(c.record));
  return { bundle: c.files?.bundle ?? encode(c.bundle), ...(record === undefined ? {} : { record }) };
}

/** Our verifier's report on the files of `c`, against the live recording; throws unless it is what the case says. */
async function expectation(c: KitCase, chains: Recorded["chains"]): Promise<KitExpectation> {
  const where = {
    description: c.description,
    rpc: `chains/${c.rpc}`,
    notary: `chains/${c.notary}/notary.json`,
  };
  const files = caseFiles(c);
  let bundle: unknown;
  let record: unknown;
  try {
    bundle = parseJsonBytes(files.bundle);
    record = files.record === undefined ? undefined : parseJsonBytes(files.record);
  } catch (error) {
    if (c.verdict !== "unreadable") throw new Error(`case ${c.name}: ${(error as Error).message}`);
    return { ...where, exitCode: 2, verdict: "unreadable", failed: [], checks: {} };
  }
  if (c.verdict === "unreadable") throw new Error(`case ${c.name}: expected unreadable, our reader reads it`);
  const trustedNotary = chains[c.notary].chain.notary;
  const reader = createChainReader(chains[c.rpc].chain.url, trustedNotary.chainId);
  try {
    const report = await verifyBundle(bundle, {
      ...(record === undefined ? {} : { record }),
      chain: reader,
      trustedNotary,
    });
    const failed = report.checks.filter((k) => k.status === "fail").map((k) => k.name);
    const verdict = c.verdict ?? (c.failed.length === 0 ? "valid" : "invalid");
    if (report.verdict !== verdict || failed.join() !== c.failed.join()) {
      throw new Error(
        `case ${c.name}: expected ${verdict} failing [${c.failed}], verifier says ${report.verdict} failing [${failed}]`,
      );
    }
    return {
      ...where,
      exitCode: EXIT_CODES[verdict],
      verdict,
      failed,
      checks: Object.fromEntries(report.checks.map((k) => [k.name, k.status])),
    };
  } finally {
    reader.destroy();
  }
}

/** Records the kit into `outDir` (chains/, cases/, README.md). */
export async function generateKit(outDir: string): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), "en-conformance-"));
  try {
    const { chains, cases } = await recordKit(workDir);
    const expected: KitExpectation[] = [];
    try {
      for (const c of cases) expected.push(await expectation(c, chains));
    } finally {
      await chains.notary.close();
      await chains.impostor.close();
    }
    await rm(join(outDir, "chains"), { recursive: true, force: true });
    await rm(join(outDir, "cases"), { recursive: true, force: true });
    for (const name of ["notary", "impostor"] as const) {
      await copyRecording(chains[name].dataDir, join(outDir, "chains", name));
    }
    for (const [i, c] of cases.entries()) {
      const dir = join(outDir, "cases", c.name);
      await mkdir(dir, { recursive: true });
      const files = caseFiles(c);
      await writeFile(join(dir, "bundle.json"), files.bundle);
      if (files.record !== undefined) await writeFile(join(dir, "record.json"), files.record);
      await writeFile(join(dir, "expected.json"), json(expected[i]));
    }
    const describe = (p: NotaryProfile) => ({
      profile: p,
      fingerprint: formatFingerprint(notaryFingerprint(p)),
    });
    const info: KitChains = {
      notary: describe(chains.notary.chain.notary),
      impostor: describe(chains.impostor.chain.notary),
    };
    await writeFile(
      join(outDir, "README.md"),
      renderKitReadme(
        info,
        cases.map((c, i) => ({ name: c.name, ...(expected[i] as KitExpectation) })),
      ),
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  await generateKit(KIT_DIR);
  console.log(`wrote the conformance kit to ${KIT_DIR}`);
}
