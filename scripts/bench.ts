// `npm run bench -- [part …] [--size N] [--quick] [--markdown FILE] [--database-url URL]`
//
// Benchmarks, never a test: nothing here runs in `npm test` or CI as a gate. Each part
// (scripts/bench/*.ts) measures ours and its comparison in the same run, on the same data,
// and can run alone: `npm run bench -- merkle --size 100000`. Results go to
// bench-results/<part>.json (gitignored) and a markdown table on stdout; `--markdown
// BENCHMARKS.md` also rewrites the generated section of that file. `--quick` takes the small
// presets (the whole run in about a minute). The service parts start `node service/main.ts`
// as a child process on a scratch PostgreSQL schema, so load and service never share a loop.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openPostgres } from "../service/db/postgres.ts";
import { anchoringPart } from "./bench/anchoring.ts";
import { apiPart } from "./bench/api.ts";
import { auditPart } from "./bench/audit.ts";
import { chainCostPart } from "./bench/chain-cost.ts";
import { hashingPart } from "./bench/hashing.ts";
import { ingestPart } from "./bench/ingest.ts";
import { merklePart } from "./bench/merkle.ts";
import type { BenchPart, PartResult } from "./bench/part.ts";
import { proofsPart } from "./bench/proofs.ts";
import { describeMachine, renderPart, renderRun, writeMarkdownSection } from "./bench/report.ts";
import { steadyPart } from "./bench/steady.ts";
import { walPart } from "./bench/wal.ts";

const PARTS: BenchPart[] = [
  merklePart,
  hashingPart,
  ingestPart,
  apiPart,
  anchoringPart,
  proofsPart,
  auditPart,
  chainCostPart,
  walPart,
  steadyPart,
];
const RESULTS_DIR = "bench-results";

function usage(): string {
  const lines = PARTS.map(
    (p) =>
      `  ${p.name.padEnd(10)} ${p.title} (--size: ${p.size.meaning}; full ${p.size.full}, quick ${p.size.quick})`,
  );
  return [
    "usage: npm run bench -- [part …] [--size N] [--quick] [--profile] [--markdown FILE] [--database-url URL]",
    "  --profile: run the service of the api part under --cpu-prof and report where its CPU went",
    "parts (all when none is named):",
    ...lines,
  ].join("\n");
}

async function postgresVersion(url: string): Promise<string | null> {
  const db = openPostgres(url, { max: 1, onError: () => {} });
  try {
    const [row] = await db.query<{ v: string }>("SHOW server_version");
    return row ? `PostgreSQL ${row.v.split(" ")[0]}` : null;
  } catch {
    return null;
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      size: { type: "string" },
      quick: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      markdown: { type: "string" },
      "database-url": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(usage());
    return 0;
  }
  const unknown = positionals.filter((name) => !PARTS.some((p) => p.name === name));
  if (unknown.length > 0) {
    console.error(`unknown part(s): ${unknown.join(", ")}\n${usage()}`);
    return 2;
  }
  const size = values.size === undefined ? undefined : Number(values.size);
  if (size !== undefined && (!Number.isSafeInteger(size) || size < 1)) {
    console.error("--size must be a positive integer");
    return 2;
  }
  const selected = positionals.length === 0 ? PARTS : PARTS.filter((p) => positionals.includes(p.name));
  if (values.markdown !== undefined && selected.length !== PARTS.length) {
    console.error(
      "--markdown rewrites the whole generated section, so it runs every part: name no parts with it",
    );
    return 2;
  }
  const databaseUrl =
    values["database-url"] ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const machine = await describeMachine(await postgresVersion(databaseUrl));
  const log = (line: string) => console.error(line);
  await mkdir(RESULTS_DIR, { recursive: true });

  const results: PartResult[] = [];
  let failed = false;
  for (const part of selected) {
    const partSize = size ?? (values.quick ? part.size.quick : part.size.full);
    const command = `npm run bench -- ${part.name} --size ${partSize}`;
    log(`\n▶ ${part.name}: ${part.title} (${partSize} ${part.size.meaning})`);
    const started = Date.now();
    try {
      const measured = await part.run({
        quick: values.quick,
        size: partSize,
        databaseUrl,
        profile: values.profile,
        log,
      });
      const result: PartResult = { part: part.name, title: part.title, command, ...measured };
      results.push(result);
      await writeFile(
        join(RESULTS_DIR, `${part.name}.json`),
        `${JSON.stringify({ machine, size: partSize, ...result }, null, 2)}\n`,
      );
      log(renderPart(result, results.length));
    } catch (error) {
      failed = true;
      log(`✘ ${part.name} failed: ${(error as Error).stack ?? error}`);
    }
    log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  const markdown = renderRun(machine, results, values.quick);
  console.log(markdown);
  if (values.markdown !== undefined) {
    await writeMarkdownSection(values.markdown, markdown);
    log(`\nwrote the generated section of ${values.markdown}`);
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
