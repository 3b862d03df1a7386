// The local chain's durability mechanism: an append-only journal of every mined transaction.
//
// A Hardhat (EDR) node keeps its state only in memory. Its genesis is fully determined by
// its config (chain id, hardfork, initial date, funded accounts), and so is every block
// after it: a block's hash depends only on its parent, its transactions and its timestamp.
// So the history survives a restart if we record, for every mined transaction, the signed
// raw bytes and the block timestamp, then replay them in order on a fresh node with the
// same config. Each entry also records the tx hash, block number and block hash the
// original run produced, and replay checks them: a journal that does not reproduce the
// same chain is an error, never a silently different history.
//
// The first line is a header naming the genesis:
//   v1  {"format":"evidence-notary-chain-journal/v1","chainId","hardfork","initialDate"}
//       Hardhat's default development accounts are the genesis. Written before the chain
//       was permissioned; still replayed, never written for a new chain.
//   v2  {"format":"evidence-notary-chain-journal/v2","chainId","hardfork","initialDate",
//        "genesisAccounts":[{"address":"0x…","balance":"<wei, decimal>"}]}
//       The accounts funded in genesis, by address and balance (never a key): the chain's
//       own genesis account (chain-genesis.ts).
//
// Entries are JSON lines, each fsynced before the client is told the transaction hash. A
// line counts only with its final newline: anything after the last newline was never
// acknowledged, and is cut off when the journal is read.
import { type FileHandle, mkdir, open, readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import type { Hex } from "../core/hex.ts";

export const JOURNAL_FORMAT_V1 = "evidence-notary-chain-journal/v1";
export const JOURNAL_FORMAT = "evidence-notary-chain-journal/v2";

export interface GenesisAccount {
  address: Hex;
  /** Wei, as a decimal string. */
  balance: string;
}

interface ChainParameters {
  chainId: number;
  hardfork: string;
  initialDate: string;
}

export interface JournalHeaderV1 extends ChainParameters {
  format: typeof JOURNAL_FORMAT_V1;
}

export interface JournalHeaderV2 extends ChainParameters {
  format: typeof JOURNAL_FORMAT;
  genesisAccounts: GenesisAccount[];
}

export type JournalHeader = JournalHeaderV1 | JournalHeaderV2;

export interface JournalEntry {
  raw: Hex;
  timestamp: number;
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
}

export interface JournalContents {
  header: JournalHeader | undefined;
  entries: JournalEntry[];
}

/**
 * Reads a journal. A missing file is an empty journal. A torn final line (a crash or a full
 * disk during append, before the fsync that acknowledges it) is cut off: that transaction
 * was never acknowledged to anyone. With `readOnly`, it is only skipped: the file is never
 * written.
 */
export async function readJournal(
  path: string,
  options: { readOnly?: boolean } = {},
): Promise<JournalContents> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { header: undefined, entries: [] };
    throw error;
  }
  const lines = text.split("\n");
  const torn = lines.pop() as string; // after the last newline: "" unless the final line is torn
  const entries: JournalEntry[] = [];
  let header: JournalHeader | undefined;
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`chain journal ${path} is corrupt at line ${i + 1}`);
    }
    if (header === undefined) header = parsed as JournalHeader;
    else entries.push(parsed as JournalEntry);
  }
  if (torn !== "" && options.readOnly !== true) {
    await truncate(path, Buffer.byteLength(text, "utf8") - Buffer.byteLength(torn, "utf8"));
  }
  if (header !== undefined && header.format !== JOURNAL_FORMAT && header.format !== JOURNAL_FORMAT_V1) {
    throw new Error(
      `chain journal ${path} has unknown format ${String((header as { format: unknown }).format)}`,
    );
  }
  return { header, entries };
}

/** A seam for fault-injection tests: runs after a line is written, before its fsync. */
export interface JournalFaults {
  beforeSync?(): Promise<void>;
}

/**
 * An open journal that appends durably. When an append or its fsync fails, the writer cuts
 * the file back to its last durable length (best effort) and rethrows; its owner must stop
 * (journaled-chain.ts), since what it has in memory is no longer what is on disk.
 */
export class JournalWriter {
  private readonly file: FileHandle;
  private readonly faults: JournalFaults;
  private size: number;

  private constructor(file: FileHandle, size: number, faults: JournalFaults) {
    this.file = file;
    this.size = size;
    this.faults = faults;
  }

  static async open(
    path: string,
    header: JournalHeader,
    isNew: boolean,
    faults: JournalFaults = {},
  ): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, "a");
    const writer = new JournalWriter(file, (await file.stat()).size, faults);
    if (isNew) await writer.appendLine(header);
    return writer;
  }

  /** Appends one entry and fsyncs it. */
  async append(entry: JournalEntry): Promise<void> {
    await this.appendLine(entry);
  }

  private async appendLine(value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    try {
      await this.file.appendFile(line, "utf8");
      await this.faults.beforeSync?.();
      await this.file.datasync();
    } catch (error) {
      await this.file.truncate(this.size).catch(() => undefined);
      throw error;
    }
    this.size += Buffer.byteLength(line, "utf8");
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
