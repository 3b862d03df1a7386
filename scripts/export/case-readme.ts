// README.txt of a case export: for a court, an arbitrator or an auditor who received the
// folder and trusts none of us. It says what is in the folder, how to check that nothing was
// altered in transit, and how to verify every record against the blockchain alone.
import type { Hex } from "../../service/core/hex.ts";
import { formatFingerprint } from "../../service/core/notary-profile.ts";
import { CHECK_NAMES } from "../../service/core/verify.ts";
import { CHECK_LABELS } from "../../service/evidence/check-labels.ts";
import { CASE_FILES } from "./case-files.ts";

export interface ExportedRecord {
  id: string;
  files: { bundle: string; record?: string; certificate?: string };
  batch: number;
  chainId: number;
  contract: Hex;
  /** Block timestamp of the anchor, unix seconds. */
  anchoredAt: number;
}

export interface ExportProblem {
  id: string;
  problem: string;
}

export interface CaseSummary {
  createdAt: string;
  /** The service the evidence was read from. */
  source: string;
  /** What was asked for, in words. */
  selection: string;
  /** The notary profile in the folder (notary.json): its name and fingerprint. */
  notary: { name: string; fingerprint: string };
  records: ExportedRecord[];
  problems: ExportProblem[];
}

export function renderCaseReadme(c: CaseSummary): string {
  const chains = [...new Set(c.records.map((r) => `chain id ${r.chainId}, contract ${r.contract}`))];
  const out: string[] = [
    "EVIDENCE CASE EXPORT",
    "====================",
    "",
    `Created:   ${c.createdAt}`,
    `Source:    ${c.source}`,
    `Selection: ${c.selection}`,
    `Records:   ${c.records.length} exported${c.problems.length > 0 ? `, ${c.problems.length} not (see NOT INCLUDED)` : ""}`,
    `Notary:    ${c.notary.name}`,
    `           fingerprint ${formatFingerprint(c.notary.fingerprint)}`,
    "",
    "Each record below was notarized by Evidence Notary: its SHA-256 fingerprint, mixed with a",
    "random salt, was put in a Merkle tree (a batch) whose root was written to a smart contract",
    "on a blockchain. Everything needed to check this is in this folder and on that chain,",
    `except one thing that no folder can carry: which notary to trust. ${CASE_FILES.notary} names`,
    "the notary's chain and contract; the verifier accepts only evidence anchored there. But",
    "whoever made this folder could also have made a look-alike notary, so the folder alone",
    "proves nothing about who notarized what. Before anything else, do step 1.",
    "",
    "WHAT IS IN THIS FOLDER",
    "----------------------",
    "",
    "  <id>.bundle.json             the evidence bundle of one record (evidence-bundle/v1)",
    "  <id>.record.json             the record itself, when the exporter supplied it",
    "  <id>.certificate.html        a printable certificate of the record, for reading;",
    "                               the bundle, not the certificate, is the evidence",
    `  ${CASE_FILES.format.padEnd(28)} the exact rules of the bundle and of every check,`,
    "                               enough to write an independent verifier in any language",
    `  ${CASE_FILES.schema.padEnd(28)} the JSON Schema of a bundle`,
    `  ${CASE_FILES.notary.padEnd(28)} the notary profile: the chain and contract whose anchors`,
    "                               count as this notary's evidence (the trust root)",
    `  ${CASE_FILES.notarySchema.padEnd(28)} the JSON Schema of a notary profile`,
    `  ${CASE_FILES.manifest.padEnd(28)} every record with its files, and every file's SHA-256`,
    `  ${CASE_FILES.sums.padEnd(28)} the same hashes in the format of sha256sum`,
    "",
    "File names are the record id, with characters that file systems refuse written as %XX.",
    "",
    "Records:",
    "",
    ...c.records.flatMap((r) => [
      `  ${r.id}  (batch ${r.batch}, anchored ${new Date(r.anchoredAt * 1000).toISOString()})`,
      ...Object.values(r.files).map((f) => `      ${f}`),
    ]),
    "",
    "STEP 1: CHECK THE NOTARY'S FINGERPRINT WITH THE NOTARY, NOT WITH THIS FOLDER",
    "----------------------------------------------------------------------------",
    "",
    `The fingerprint of ${CASE_FILES.notary} (the SHA-256 of its RFC 8785 canonical form) is:`,
    "",
    `  ${formatFingerprint(c.notary.fingerprint)}`,
    "",
    "Compare it with the fingerprint the notary's operator publishes elsewhere: on its",
    "website, in a court filing, in a contract with you. That comparison, not this folder, is",
    "what makes the evidence independent of whoever handed it over. If they differ, or the",
    "operator publishes none, the checks below show only that the records were anchored by",
    `whatever notary ${CASE_FILES.notary} describes. Do not take the fingerprint above on trust`,
    "either: the verifier of step 3 computes it from the file and prints it first (the",
    '"Notary:" lines), and any RFC 8785 library with SHA-256 gives the same value.',
    "",
    "STEP 2: CHECK THAT THE FOLDER IS COMPLETE AND UNALTERED",
    "-------------------------------------------------------",
    "",
    "In this folder run:",
    "",
    `  sha256sum -c ${CASE_FILES.sums}`,
    "",
    `Every line must say OK. (${CASE_FILES.manifest} lists the same hashes.) This only shows that`,
    "the files are the ones that were exported; step 3 shows that the evidence is genuine.",
    "",
    "STEP 3: VERIFY EACH RECORD AGAINST THE BLOCKCHAIN",
    "-------------------------------------------------",
    "",
    "The anchors are on:",
    "",
    ...chains.map((chain) => `  ${chain}`),
    "",
    "You need a JSON-RPC endpoint of that chain: one you run or trust, since a lying endpoint",
    "can answer anything (see the RPC section of the rules). With the Evidence Notary source",
    "code (Node.js and `npm install`), from its folder, run for each record:",
    "",
    "  CASE=/path/to/this/folder",
    "  RPC=http://node-of-the-chain:8545",
    "",
    ...c.records.map((r) => `  ${verifyCommand(r)}`),
    "",
    "Each command prints a checklist and a verdict, and exits with:",
    "",
    "  0  VALID: every check passed",
    "  1  INVALID: the evidence does not hold; the failed checks are named",
    "  2  nothing was decided: a file could not be read, the chain could not be reached, or",
    "     the bundle's format is one this verifier does not know",
    "",
    "Add --json for a machine-readable report. Without a record file the `digest` check is not",
    "run: the bundle then proves that the digest was notarized, not what it is the digest of.",
    "",
    "What each check establishes:",
    "",
    ...CHECK_NAMES.flatMap((name) => [
      `  ${name}: ${CHECK_LABELS[name].title}.`,
      ...wrap(CHECK_LABELS[name].explains, 84).map((line) => `      ${line}`),
    ]),
    "",
    "WITHOUT OUR SOFTWARE",
    "--------------------",
    "",
    `${CASE_FILES.format} states every rule: the record digest (SHA-256 of the RFC 8785`,
    "canonical JSON), the leaf (SHA-256 of 0x00, salt and digest), the RFC 6962 Merkle tree and",
    "audit-path algorithm, and exactly what each check reads from the chain, with a worked",
    "example. An auditor can verify the bundles with their own code from that text alone.",
    "",
  ];
  if (c.problems.length > 0) {
    out.push(
      "NOT INCLUDED",
      "------------",
      "",
      "These records were asked for but are missing from this folder, or missing a file:",
      "",
      ...c.problems.map((p) => `  ${p.id}: ${p.problem}`),
      "",
    );
  }
  return out.join("\n");
}

function verifyCommand(r: ExportedRecord): string {
  const record = r.files.record === undefined ? "" : ` --record "$CASE/${r.files.record}"`;
  return `npm run verify -- "$CASE/${r.files.bundle}"${record} --notary "$CASE/${CASE_FILES.notary}" --rpc "$RPC"`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
