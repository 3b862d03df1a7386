// `npm run verify -- <bundle.json> [--record <record.json>] [--rpc <url>] [--json]`
//
// Checks an evidence bundle with nothing but the files and the chain (never the service's
// database or API). The checks live in service/core/verify.ts; this file only reads
// arguments and files, and prints.
//
// Exit codes: 0 every check passed; 1 the evidence is invalid (each failed check is named);
// 2 usage or I/O error: missing or unreadable file, file that is not JSON, unreachable RPC.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createChainReader } from "../service/chain/chain-reader.ts";
import { ChainUnavailableError } from "../service/core/errors.ts";
import { type CheckResult, type VerifyReport, verifyBundle } from "../service/core/verify.ts";

const USAGE = "usage: npm run verify -- <bundle.json> [--record <record.json>] [--rpc <url>] [--json]";
const SYMBOL = { pass: "✔", fail: "✘", skip: "–" } as const;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      record: { type: "string" },
      rpc: { type: "string" },
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

  const bundle = await readJson(bundlePath, "bundle");
  const record = values.record === undefined ? undefined : await readJson(values.record, "record");
  const chainId = (bundle as { anchor?: { chainId?: unknown } } | null)?.anchor?.chainId;
  const chain = createChainReader(rpcUrl, Number.isSafeInteger(chainId) ? (chainId as number) : 1);
  try {
    const report = await verifyBundle(bundle, { record, chain });
    console.log(
      values.json
        ? JSON.stringify({ bundle: bundlePath, rpc: rpcUrl, ...report }, null, 2)
        : checklist(report),
    );
    return report.ok ? 0 : 1;
  } finally {
    chain.destroy();
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the ${what} file ${path} is not JSON: ${(error as Error).message}`);
  }
}

function checklist(report: VerifyReport): string {
  const lines = report.checks.map(line);
  const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  lines.push(
    "",
    failed.length === 0
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
  if (
    error instanceof UsageError ||
    String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")
  ) {
    console.error((error as Error).message);
  } else if (error instanceof ChainUnavailableError) {
    console.error(`could not check the bundle against the chain (nothing was decided): ${error.message}`);
  } else {
    console.error(`verify failed unexpectedly: ${(error as Error).stack ?? error}`);
  }
  process.exitCode = 2;
}
