// `npm run verify -- <bundle.json> [--record <record.json>] [--rpc <url>] --notary <notary.json> [--json]`
//
// Checks an evidence bundle with nothing but the files, the chain and a pinned notary
// profile (never the service's database or API). The notary profile is the trust root: the
// bundle's own chain id and contract are compared with it, never trusted. Without --notary,
// DATA_DIR/notary.json (the local service's own profile) is used when it exists, and the
// output says so; with neither, nothing is decided. The checks live in
// service/core/verify.ts; this file only reads arguments and files, and prints.
//
// Exit codes: 0 every check passed; 1 the evidence is invalid (each failed check is named);
// 2 nothing was decided: usage or I/O error (missing or unreadable file, a file that is not
// UTF-8 JSON text without a byte-order mark, or not I-JSON: with a duplicate member name),
// no trusted notary profile, unreachable RPC, or a bundle format this verifier does not know.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { createChainReader } from "../service/chain/chain-reader.ts";
import { notaryProfilePath, type PinnedNotary, readPinnedNotary } from "../service/chain/notary-file.ts";
import { ChainUnavailableError } from "../service/core/errors.ts";
import { parseJsonBytes } from "../service/core/json-text.ts";
import { formatFingerprint } from "../service/core/notary-profile.ts";
import { type CheckResult, type VerifyReport, verifyBundle } from "../service/core/verify.ts";
import { isUsageError, UsageError } from "./cli/usage-error.ts";

const USAGE =
  "usage: npm run verify -- <bundle.json> [--record <record.json>] [--rpc <url>] --notary <notary.json> [--json]";
const NO_NOTARY = `no trusted notary profile given: pass --notary <notary.json>, the profile of the notary whose evidence this is (its service serves it at GET /v1/notary), after comparing its fingerprint with the one the notary publishes. Nothing was decided.
${USAGE}`;
const SYMBOL = { pass: "✔", fail: "✘", skip: "–" } as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      record: { type: "string" },
      rpc: { type: "string" },
      notary: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [bundlePath, ...extra] = positionals;
  if (bundlePath === undefined || extra.length > 0) throw new UsageError(USAGE);
  const rpcUrl =
    values.rpc || process.env.CHAIN_RPC_URL || `http://127.0.0.1:${process.env.CHAIN_PORT || 8545}`;
  if (!URL.canParse(rpcUrl)) throw new UsageError(`--rpc is not a URL: ${rpcUrl}`);

  const pinned = await trustedNotary(values.notary);
  const bundle = await readJson(bundlePath, "bundle");
  const record = values.record === undefined ? undefined : await readJson(values.record, "record");
  // The chain to expect is the notary's, never the one the bundle names.
  const chain = createChainReader(rpcUrl, pinned.profile.chainId);
  try {
    const report = await verifyBundle(bundle, { record, chain, trustedNotary: pinned.profile });
    console.log(
      values.json
        ? JSON.stringify({ bundle: bundlePath, rpc: rpcUrl, notaryProfile: pinned.path, ...report }, null, 2)
        : checklist(report, pinned),
    );
    if (report.verdict === "unsupported_format") return 2;
    return report.ok ? 0 : 1;
  } finally {
    chain.destroy();
  }
}

/** --notary, else DATA_DIR/notary.json when it exists; else a UsageError (exit 2). */
async function trustedNotary(given: string | undefined): Promise<PinnedNotary> {
  let pinned: PinnedNotary | undefined;
  try {
    pinned = await readPinnedNotary(given, notaryProfilePath(resolve(process.env.DATA_DIR || "./data")));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (pinned === undefined) throw new UsageError(NO_NOTARY);
  return pinned;
}

async function readJson(path: string, what: string): Promise<unknown> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
  // UTF-8 JSON text that is I-JSON, never repaired (core/json-text.ts): otherwise two readers
  // could see two different documents in one file, so nothing is decided.
  try {
    return parseJsonBytes(bytes);
  } catch (error) {
    throw new UsageError(`the ${what} file ${path} ${(error as Error).message}. Nothing was decided.`);
  }
}

function checklist(report: VerifyReport, pinned: PinnedNotary): string {
  const fingerprint = report.notary === undefined ? "" : formatFingerprint(report.notary.fingerprint);
  const lines = [
    `Notary: ${pinned.profile.name}`,
    `  profile ${pinned.path}${pinned.fromDefault ? " (DATA_DIR's own, since no --notary was given)" : ""}`,
    `  fingerprint ${fingerprint}`,
    "  compare this fingerprint with the one the notary publishes: it is what makes the check independent",
    "",
    ...report.checks.map(line),
  ];
  const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  lines.push(
    "",
    report.verdict === "unsupported_format"
      ? "NO VERDICT: this verifier does not know the bundle's format (see schema above)."
      : failed.length === 0
        ? `VERDICT: VALID. Every check that was run passed${skipped > 0 ? ` (${skipped} not run, see –)` : ""}.`
        : `VERDICT: INVALID. Failed checks: ${failed.join(", ")}.`,
  );
  return lines.join("\n");
}

function line(check: CheckResult): string {
  let text = `${SYMBOL[check.status]} ${check.name.padEnd(17)} ${check.message}`;
  if (check.expected !== undefined) text += `\n    bundle says: ${check.expected}`;
  if (check.actual !== undefined) text += `\n    found:       ${check.actual}`;
  return text;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (isUsageError(error)) {
    console.error((error as Error).message);
  } else if (error instanceof ChainUnavailableError) {
    console.error(`could not check the bundle against the chain (nothing was decided): ${error.message}`);
  } else {
    console.error(`verify failed unexpectedly: ${(error as Error).stack ?? error}`);
  }
  process.exitCode = 2;
}
