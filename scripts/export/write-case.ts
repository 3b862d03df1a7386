// Writes one case folder: the notary profile (the trust root the recipient pins, after
// comparing its fingerprint with the one the operator publishes), per record its bundle, its
// record (when supplied) and its certificate, then the rules, README.txt, manifest.json and
// SHA256SUMS. Every bundle is verified offline against the profile (with the supplied record,
// when there is one) before it is written: a folder for a court must not carry evidence that
// we could have seen was wrong, or that names another notary's chain or contract.
import { createHash } from "node:crypto";
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Bundle } from "../../service/core/bundle.ts";
import { type NotaryProfile, notaryFingerprint } from "../../service/core/notary-profile.ts";
import { verifyBundle, verifyBundleOffline } from "../../service/core/verify.ts";
import { CASE_FILES, recordFiles } from "./case-files.ts";
import {
  type CaseSummary,
  type ExportedRecord,
  type ExportProblem,
  renderCaseReadme,
} from "./case-readme.ts";
import type { NotaryClient } from "./notary-client.ts";

const REPO_ROOT = join(import.meta.dirname, "..", "..");
const RULE_FILES = [
  { from: join(REPO_ROOT, "docs", "evidence-format.md"), to: CASE_FILES.format },
  { from: join(REPO_ROOT, "service", "core", "evidence-bundle.schema.json"), to: CASE_FILES.schema },
  { from: join(REPO_ROOT, "service", "core", "notary-profile.schema.json"), to: CASE_FILES.notarySchema },
];
const CONCURRENCY = 4;

export interface WriteCaseOptions {
  client: NotaryClient;
  ids: readonly string[];
  /** Records supplied by the caller, by id. */
  records: ReadonlyMap<string, unknown>;
  /** An existing, empty folder. */
  dir: string;
  /** Seconds to wait for a pending record to be anchored. */
  waitSeconds: number;
  source: string;
  selection: string;
  onProgress?: (done: number, total: number, id: string) => void;
}

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

export interface CaseResult extends CaseSummary {
  files: ManifestFile[];
}

export async function writeCase(options: WriteCaseOptions): Promise<CaseResult> {
  const { ids, dir } = options;
  const notary = await options.client.fetchNotary();
  await writeJson(join(dir, CASE_FILES.notary), notary);
  const outcomes: Array<{ record?: ExportedRecord; problems: ExportProblem[] }> = new Array(ids.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      const id = ids[i] as string;
      outcomes[i] = await exportRecord(options, notary, id);
      options.onProgress?.(++done, ids.length, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker));

  for (const rule of RULE_FILES) await copyFile(rule.from, join(dir, rule.to));
  const summary: CaseSummary = {
    createdAt: new Date().toISOString(),
    source: options.source,
    selection: options.selection,
    notary: { name: notary.name, fingerprint: notaryFingerprint(notary) },
    records: outcomes.flatMap((o) => (o.record === undefined ? [] : [o.record])),
    problems: outcomes.flatMap((o) => o.problems),
  };
  await writeFile(join(dir, CASE_FILES.readme), renderCaseReadme(summary));
  const files = await hashFiles(dir);
  const manifest = { format: "evidence-case-export/v1", ...summary, files };
  await writeFile(join(dir, CASE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  const all = [...files, await hashFile(dir, CASE_FILES.manifest)];
  await writeFile(join(dir, CASE_FILES.sums), all.map((f) => `${f.sha256}  ${f.path}\n`).join(""));
  return { ...summary, files: all };
}

async function exportRecord(
  options: WriteCaseOptions,
  notary: NotaryProfile,
  id: string,
): Promise<{ record?: ExportedRecord; problems: ExportProblem[] }> {
  const problem = (text: string) => ({ id, problem: text });
  const answer = await options.client.fetchBundle(id, options.waitSeconds);
  if (answer.status === "pending") {
    return { problems: [problem("not anchored yet (pending); export it again once it is anchored")] };
  }
  if (answer.status === "unavailable") return { problems: [problem(answer.reason)] };
  const { bundle } = answer;
  const own = await verifyBundle(bundle, { trustedNotary: notary });
  if (!own.ok || bundle.recordId !== id) {
    const failed = own.checks.filter((c) => c.status === "fail").map((c) => `${c.name}: ${c.message}`);
    return {
      problems: [
        problem(
          `the service returned a bundle that does not verify, so it was left out: ${failed.join("; ") || `it is for record ${bundle.recordId}`}`,
        ),
      ],
    };
  }
  const names = recordFiles(id);
  const problems: ExportProblem[] = [];
  const exported: ExportedRecord = {
    id,
    files: { bundle: names.bundle },
    batch: bundle.batch,
    chainId: bundle.anchor.chainId,
    contract: bundle.anchor.contract,
    anchoredAt: bundle.anchor.timestamp,
  };
  await writeJson(join(options.dir, names.bundle), bundle);

  if (options.records.has(id)) {
    const record = options.records.get(id);
    if (recordMatches(bundle, record)) {
      await writeJson(join(options.dir, names.record), record);
      exported.files.record = names.record;
    } else {
      problems.push(problem("the supplied record does not match the notarized digest, so it was left out"));
    }
  }

  const certificate = await options.client.fetchCertificate(id);
  if (certificate.status === "ok") {
    await writeFile(join(options.dir, names.certificate), certificate.html);
    exported.files.certificate = names.certificate;
  } else {
    problems.push(problem(`no certificate: ${certificate.reason}`));
  }
  return { record: exported, problems };
}

function recordMatches(bundle: Bundle, record: unknown): boolean {
  const digest = verifyBundleOffline(bundle, { record }).checks.find((c) => c.name === "digest");
  return digest?.status === "pass";
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** One file at a time: a case may hold thousands of certificates. */
async function hashFiles(dir: string): Promise<ManifestFile[]> {
  const files: ManifestFile[] = [];
  for (const name of (await readdir(dir)).sort()) files.push(await hashFile(dir, name));
  return files;
}

async function hashFile(dir: string, name: string): Promise<ManifestFile> {
  const bytes = await readFile(join(dir, name));
  return { path: name, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}
