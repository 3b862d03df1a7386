// `npm run export -- (--ids a,b,c | --from <ISO time> --to <ISO time> | --records <file>)
//     [--records <dir or .jsonl>] [--out <path>] [--archive] [--wait <s>] [--url <url>] [--key <key>]`
//
// Writes a case folder (or, with --archive, one .tar.gz) for a court or an auditor: every
// record's evidence bundle, the record itself when supplied, its certificate, a README.txt on
// verifying everything independently, the evidence-format rules, and manifest.json plus
// SHA256SUMS with the SHA-256 of every file.
//
// The evidence is read over the HTTP API with a reader key (--key or EVIDENCE_API_KEY), never
// from the database: an embedded PGlite database can be open in one process only.
//
// Exit codes: 0 everything asked for was exported; 1 the case was written but some records
// or files are missing (each is named, in README.txt and manifest.json too), or nothing
// matched; 2 usage or I/O error (bad arguments, unreadable --records, service unreachable,
// key refused, output path taken): nothing was decided.
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { create as createTar } from "tar";
import { isUsageError } from "./cli/usage-error.ts";
import { ExportIoError, ExportUsageError } from "./export/export-errors.ts";
import { createNotaryClient, type NotaryClient } from "./export/notary-client.ts";
import { loadSuppliedRecords } from "./export/supplied-records.ts";
import { type CaseResult, writeCase } from "./export/write-case.ts";

const USAGE = `usage: npm run export -- (--ids a,b,c | --from <ISO time> --to <ISO time> | --records <file>)
         [--records <dir or .jsonl>] [--out <path>] [--archive] [--wait <seconds>]
         [--url <service url>] [--key <reader key>]   (or EVIDENCE_API_KEY)`;
const DEFAULT_URL = "http://127.0.0.1:8080";

interface Selection {
  ids: string[];
  words: string;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ids: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      records: { type: "string" },
      out: { type: "string" },
      archive: { type: "boolean", default: false },
      wait: { type: "string", default: "0" },
      url: { type: "string", default: DEFAULT_URL },
      key: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const key = values.key ?? process.env.EVIDENCE_API_KEY;
  if (!key) throw new ExportUsageError(`a reader API key is needed: --key or EVIDENCE_API_KEY\n${USAGE}`);
  if (!URL.canParse(values.url)) throw new ExportUsageError(`--url is not a URL: ${values.url}`);
  const waitSeconds = Number(values.wait);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 60) {
    throw new ExportUsageError("--wait takes whole seconds from 0 to 60");
  }
  const records = values.records === undefined ? new Map() : await loadSuppliedRecords(values.records);
  const client = createNotaryClient(values.url, key);
  const selection = await select(values, records, client);
  if (selection.ids.length === 0) {
    console.error(`nothing to export: no records for ${selection.words}`);
    return 1;
  }

  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
  const out = resolve(values.out ?? `case-export-${stamp}${values.archive ? ".tar.gz" : ""}`);
  const progress = progressLine(selection.ids.length);
  const run = (dir: string) =>
    writeCase({
      client,
      ids: selection.ids,
      records,
      dir,
      waitSeconds,
      source: values.url,
      selection: selection.words,
      onProgress: progress.update,
    });
  const result = await writeStaged(out, values.archive, run);
  progress.done();
  printSummary(result, out);
  return result.problems.length === 0 ? 0 : 1;
}

async function select(
  values: { ids?: string; from?: string; to?: string },
  records: Map<string, unknown>,
  client: NotaryClient,
): Promise<Selection> {
  const byTime = values.from !== undefined || values.to !== undefined;
  if (values.ids !== undefined && byTime)
    throw new ExportUsageError(`give --ids or --from/--to, not both\n${USAGE}`);
  if (values.ids !== undefined) {
    const ids = [
      ...new Set(
        values.ids
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id !== ""),
      ),
    ];
    return { ids, words: `records ${ids.join(", ")}` };
  }
  if (byTime) {
    const from = parseTime("--from", values.from);
    const to = parseTime("--to", values.to);
    if (from >= to) throw new ExportUsageError("--from must be before --to");
    const ids: string[] = [];
    for await (const listed of client.listReceived(from, to)) ids.push(listed.id);
    return {
      ids,
      words: `records received from ${from.toISOString()} (inclusive) to ${to.toISOString()} (exclusive)`,
    };
  }
  if (records.size > 0) return { ids: [...records.keys()], words: "the records supplied with --records" };
  throw new ExportUsageError(`say what to export: --ids, --from/--to, or --records\n${USAGE}`);
}

function parseTime(flag: string, value: string | undefined): Date {
  if (value === undefined) throw new ExportUsageError(`--from and --to go together\n${USAGE}`);
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new ExportUsageError(`${flag} is not an ISO 8601 time: ${value}`);
  }
  return time;
}

/**
 * Writes the case into a staging folder next to `out`, then moves it to `out` (which must not
 * exist, or be an empty folder) or packs it as one folder in the .tar.gz `out`. Nothing is
 * left at `out` when the export fails half-way.
 */
async function writeStaged(
  out: string,
  archive: boolean,
  run: (dir: string) => Promise<CaseResult>,
): Promise<CaseResult> {
  await assertFree(out, archive);
  let staging: string;
  try {
    staging = await mkdtemp(join(dirname(out), ".case-export-"));
  } catch (error) {
    throw new ExportIoError(`cannot write next to ${out}: ${(error as Error).message}`);
  }
  try {
    const name = archive ? basename(out).replace(/\.tar\.gz$|\.tgz$/, "") || "case-export" : "case";
    const folder = join(staging, name);
    await mkdir(folder);
    const result = await run(folder);
    if (archive) {
      const packed = join(staging, "case.tar.gz");
      await createTar({ gzip: true, file: packed, cwd: staging, portable: true }, [name]);
      await rename(packed, out);
    } else {
      await rename(folder, out);
    }
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A case is never mixed with other files: `out` must be new (or, for a folder, empty). */
async function assertFree(out: string, archive: boolean): Promise<void> {
  let entry: Awaited<ReturnType<typeof stat>>;
  try {
    entry = await stat(out);
  } catch {
    return;
  }
  if (archive || !entry.isDirectory() || (await readdir(out)).length > 0) {
    throw new ExportIoError(`${out} already exists${entry.isDirectory() ? " and is not empty" : ""}`);
  }
}

/** A progress line on a terminal (stderr); silent otherwise, so logs and pipes stay clean. */
function progressLine(total: number) {
  const tty = process.stderr.isTTY === true;
  return {
    update(done: number, _total: number, id: string) {
      if (tty) process.stderr.write(`\r\x1b[2Kexporting ${done}/${total}  ${id}`);
    },
    done() {
      if (tty) process.stderr.write("\r\x1b[2K");
    },
  };
}

function printSummary(result: CaseResult, out: string): void {
  console.log(`wrote ${out}`);
  console.log(`  ${result.records.length} records exported, ${result.files.length} files (see README.txt)`);
  if (result.problems.length > 0) {
    console.log(`  ${result.problems.length} problems:`);
    for (const p of result.problems) console.log(`    ${p.id}: ${p.problem}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (isUsageError(error) || error instanceof ExportIoError) {
    console.error((error as Error).message);
  } else {
    console.error(`export failed unexpectedly: ${(error as Error).stack ?? error}`);
  }
  process.exitCode = 2;
}
