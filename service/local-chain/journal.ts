// The local chain's durability mechanism: an append-only journal of every mined transaction.
//
// A Hardhat (EDR) node keeps its state only in memory. Its genesis is fully determined by
// its config (chain id, hardfork, initial date, default accounts), and so is every block
// after it: a block's hash depends only on its parent, its transactions and its timestamp.
// So the history survives a restart if we record, for every mined transaction, the signed
// raw bytes and the block timestamp, then replay them in order on a fresh node with the
// same config. Each entry also records the tx hash, block number and block hash the
// original run produced, and replay checks them: a journal that does not reproduce the
// same chain is an error, never a silently different history.
//
// Entries are JSON lines, fsynced before the client is told the transaction hash.
import { type FileHandle, mkdir, open, readFile, truncate } from "node:fs/promises";
import { dirname } from "node:path";
import type { Hex } from "../core/hex.ts";

export const JOURNAL_FORMAT = "evidence-notary-chain-journal/v1";

export interface JournalHeader {
  format: typeof JOURNAL_FORMAT;
  chainId: number;
  hardfork: string;
  initialDate: string;
}

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
 * Reads a journal. A missing file is an empty journal. A torn final line (a crash during
 * append, before the fsync that acknowledges it) is cut off: that transaction was never
 * acknowledged to anyone.
 */
export async function readJournal(path: string): Promise<JournalContents> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { header: undefined, entries: [] };
    throw error;
  }
  const lines = text.split("\n");
  const entries: JournalEntry[] = [];
  let header: JournalHeader | undefined;
  let validBytes = 0;
  for (const [i, line] of lines.entries()) {
    if (line === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) {
        await truncate(path, validBytes);
        break;
      }
      throw new Error(`chain journal ${path} is corrupt at line ${i + 1}`);
    }
    if (header === undefined) header = parsed as JournalHeader;
    else entries.push(parsed as JournalEntry);
    validBytes += Buffer.byteLength(line, "utf8") + 1;
  }
  if (header !== undefined && header.format !== JOURNAL_FORMAT) {
    throw new Error(`chain journal ${path} has unknown format ${String(header.format)}`);
  }
  return { header, entries };
}

/** An open journal that appends durably. */
export class JournalWriter {
  private readonly file: FileHandle;

  private constructor(file: FileHandle) {
    this.file = file;
  }

  static async open(path: string, header: JournalHeader, isNew: boolean): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true });
    const writer = new JournalWriter(await open(path, "a"));
    if (isNew) await writer.appendLine(header);
    return writer;
  }

  /** Appends one entry and fsyncs it. */
  async append(entry: JournalEntry): Promise<void> {
    await this.appendLine(entry);
  }

  private async appendLine(value: unknown): Promise<void> {
    await this.file.appendFile(`${JSON.stringify(value)}\n`, "utf8");
    await this.file.datasync();
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
