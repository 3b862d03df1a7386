// Serialises every state change of the local chain and journals it durably.
// See journal.ts for why replaying the journal reproduces the same chain.
//
// Nothing is visible before it is durable: the node mines a transaction in memory before
// its journal line is fsynced, so a read running in that window could see a receipt, a log,
// a nonce or contract state that a crash then erases. So a transaction holds a write lock
// from before it reaches the node until its line is fsynced, and reads take the read lock:
// they run together, but never while a transaction is between mining and fsync (nor while
// one is waiting for them to finish). Serialising reads too would be simpler, but cost
// about half the read throughput (measured in docs/reliability.md).
//
// Fail-stop: when an append or its fsync fails, the node's memory is ahead of the disk, and
// nothing it says can be trusted to survive. The chain stops serving: every later request
// gets RPC_CHAIN_STOPPED, and `stopped` resolves so that its owner can log it and exit or
// report itself unavailable. A restart replays what is durable.
import { keccak256 } from "ethers";
import type { Hex } from "../core/hex.ts";
import type { JournalEntry, JournalWriter } from "./journal.ts";
import { ReadWriteLock } from "./read-write-lock.ts";
import { RPC_CHAIN_STOPPED, RPC_TRANSACTION_REJECTED, RpcError } from "./rpc-error.ts";
import type { SenderAllowlist } from "./sender-allowlist.ts";
import type { Eip1193Provider } from "./simulated-node.ts";

interface RpcBlock {
  number: Hex;
  hash: Hex;
  timestamp: Hex;
}

interface RpcReceipt {
  blockNumber: Hex;
  blockHash: Hex;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class JournalReplayError extends Error {
  override name = "JournalReplayError";
}

/** What a JournaledChain writes to; without one it is a read-only replay that sends nothing. */
export interface ChainWriting {
  writer: JournalWriter;
  allowlist: SenderAllowlist;
  /** The clock that stamps blocks, in milliseconds (Date.now unless a test fixes it). */
  now?: () => number;
}

export class JournaledChain {
  private readonly provider: Eip1193Provider;
  private readonly writing: ChainWriting | undefined;
  private readonly lock = new ReadWriteLock();
  private failure: RpcError | undefined;
  private onStop: (error: RpcError) => void = () => {};
  /** Resolves, with the reason, when the chain stops serving because its journal failed. */
  readonly stopped: Promise<RpcError> = new Promise((resolve) => {
    this.onStop = resolve;
  });

  constructor(provider: Eip1193Provider, writing: ChainWriting | undefined) {
    this.provider = provider;
    this.writing = writing;
  }

  /** A read-only request, answered once every earlier transaction is durable. */
  read(method: string, params: unknown[]): Promise<unknown> {
    return this.lock.read(() => {
      if (this.failure !== undefined) throw this.failure;
      return this.provider.request({ method, params });
    });
  }

  /**
   * Mines one signed transaction in its own block, journals it (fsync) when it was mined,
   * and only then returns its hash. A transaction the node rejects without mining it
   * (bad nonce, no funds) leaves no trace and its error is passed on. A mined transaction
   * that reverted is journaled like any other and its hash returned, as a real chain does:
   * the sender learns of the revert from the receipt's status. A sender that is not on the
   * allowlist gets an error, and nothing reaches the node; so does every transaction sent to
   * a read-only replay.
   */
  sendRawTransaction(raw: unknown): Promise<Hex> {
    const writing = this.writing;
    if (writing === undefined) {
      return Promise.reject(
        new RpcError(
          RPC_TRANSACTION_REJECTED,
          "transaction rejected: this chain is a read-only replay of a recorded journal, it accepts no transaction",
        ),
      );
    }
    let sender: Hex;
    try {
      sender = writing.allowlist.senderOf(raw);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.lock.write(async () => {
      if (this.failure !== undefined) throw this.failure;
      const latest = (await this.provider.request({
        method: "eth_getBlockByNumber",
        params: ["latest", false],
      })) as RpcBlock;
      const now = writing.now?.() ?? Date.now();
      const timestamp = Math.max(Math.floor(now / 1000), Number(latest.timestamp));
      await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [timestamp] });
      const txHash = keccak256(raw as Hex) as Hex;
      let sendError: unknown;
      try {
        await this.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
      } catch (error) {
        sendError = error;
      }
      let receipt: RpcReceipt | null;
      try {
        receipt = await this.receipt(txHash);
      } catch (error) {
        throw this.stop(
          error,
          `the node could not say whether transaction ${txHash} was mined (${messageOf(error)}), so it is not acknowledged`,
        );
      }
      if (receipt === null || Number(receipt.blockNumber) <= Number(latest.number)) {
        throw sendError ?? new Error(`transaction ${txHash} was not mined`);
      }
      try {
        await writing.writer.append({
          raw: raw as Hex,
          timestamp,
          txHash,
          blockNumber: Number(receipt.blockNumber),
          blockHash: receipt.blockHash,
        });
      } catch (error) {
        throw this.stop(
          error,
          `its journal could not be written (${messageOf(error)}); transaction ${txHash} from ${sender} ` +
            "was mined but not journaled, so it is not acknowledged",
        );
      }
      return txHash;
    });
  }

  /** Fail-stop: from now on every request gets this error. */
  private stop(cause: unknown, what: string): RpcError {
    this.failure = new RpcError(
      RPC_CHAIN_STOPPED,
      `local chain stopped: ${what}. The chain serves nothing more; ` +
        "free the disk or fix the I/O error, then restart it to replay what is durable",
      { cause },
    );
    this.onStop(this.failure);
    return this.failure;
  }

  private async receipt(txHash: Hex): Promise<RpcReceipt | null> {
    return (await this.provider.request({
      method: "eth_getTransactionReceipt",
      params: [txHash],
    })) as RpcReceipt | null;
  }

  /** Replays journal entries on a fresh node and checks each block hash against the journal. */
  static async replay(
    provider: Eip1193Provider,
    entries: readonly JournalEntry[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    for (const [i, entry] of entries.entries()) {
      await provider.request({ method: "evm_setNextBlockTimestamp", params: [entry.timestamp] });
      try {
        await provider.request({ method: "eth_sendRawTransaction", params: [entry.raw] });
      } catch {
        // A transaction that reverted the first time reverts again; the receipt check decides.
      }
      const receipt = (await provider.request({
        method: "eth_getTransactionReceipt",
        params: [entry.txHash],
      })) as RpcReceipt | null;
      if (receipt === null || receipt.blockHash !== entry.blockHash) {
        throw new JournalReplayError(
          `chain journal entry ${i + 1} (tx ${entry.txHash}) did not reproduce block ${entry.blockNumber}: ` +
            `expected hash ${entry.blockHash}, got ${receipt?.blockHash ?? "no receipt"}`,
        );
      }
      onProgress?.(i + 1, entries.length);
    }
  }
}
