// What every benchmark part returns, and the small measuring helpers they share. A part
// measures; the runner (scripts/bench.ts) writes its JSON and renders its table.

export interface BenchOptions {
  /** The `--quick` preset: sizes small enough for the whole run to fit in about a minute. */
  quick: boolean;
  /** The part's main size (leaves, records, seconds…), from `--size` or the part's preset. */
  size: number;
  /** Server of the scratch schemas (`--database-url`, TEST_DATABASE_URL or the local default). */
  databaseUrl: string;
  /** `--profile`: run the service under --cpu-prof and report where its CPU time went (slower). */
  profile: boolean;
  log: (line: string) => void;
}

export interface Target {
  name: string;
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

export interface PartResult {
  part: string;
  title: string;
  /** The command that reproduces exactly this table. */
  command: string;
  columns: string[];
  rows: string[][];
  targets: Target[];
  notes: string[];
  /** The raw numbers behind the table, for the JSON file. */
  data: Record<string, unknown>;
}

export interface BenchPart {
  name: string;
  title: string;
  /** What `--size` means for this part, and its full and quick presets. */
  size: { meaning: string; full: number; quick: number };
  run(options: BenchOptions): Promise<Omit<PartResult, "part" | "title" | "command">>;
}

/** Runs `fn` and returns its result with the elapsed wall time in milliseconds. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

export function perSecond(count: number, ms: number): number {
  return ms <= 0 ? 0 : (count * 1000) / ms;
}

/** Integer with thousands separators: 1234567 -> "1,234,567". */
export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? `${fmtInt(ms)} ms` : `${ms.toFixed(ms >= 10 ? 1 : 2)} ms`;
}

export function fmtRatio(r: number): string {
  return `${r >= 10 ? fmtInt(r) : r.toFixed(2)}×`;
}

export function fmtMiB(bytes: number): string {
  return `${fmtInt(bytes / (1024 * 1024))} MiB`;
}

export function target(name: string, goal: string, measured: string, met: boolean | null): Target {
  return { name, target: goal, measured, met };
}
