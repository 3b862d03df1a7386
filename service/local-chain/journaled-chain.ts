// Serialises every state change of the local chain and journals it durably.
// See journal.ts for why replaying the journal reproduces the same chain.
import { keccak256 } from "ethers";
import type { Hex } from "../core/hex.ts";
import type { JournalEntry, JournalWriter } from "./journal.ts";
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

export class JournalReplayError extends Error {
  override name = "JournalReplayError";
}

export class JournaledChain {
  readonly provider: Eip1193Provider;
  private readonly writer: JournalWriter;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(provider: Eip1193Provider, writer: JournalWriter) {
    this.provider = provider;
    this.writer = writer;
  }

  /**
   * Mines one signed transaction in its own block, journals it (fsync) when it was mined,
   * and only then returns its hash. A transaction the node rejects without mining it
   * (bad nonce, no funds) leaves no trace and its error is passed on. A mined transaction
   * that reverted is journaled like any other and its hash returned, as a real chain does:
   * the sender learns of the revert from the receipt's status.
   */
  sendRawTransaction(raw: Hex): Promise<Hex> {
    return this.exclusive(async () => {
      const latest = (await this.provider.request({
        method: "eth_getBlockByNumber",
        params: ["latest", false],
      })) as RpcBlock;
      const timestamp = Math.max(Math.floor(Date.now() / 1000), Number(latest.timestamp));
      await this.provider.request({ method: "evm_setNextBlockTimestamp", params: [timestamp] });
      const txHash = keccak256(raw) as Hex;
      let sendError: unknown;
      try {
        await this.provider.request({ method: "eth_sendRawTransaction", params: [raw] });
      } catch (error) {
        sendError = error;
      }
      const receipt = await this.receipt(txHash);
      if (receipt === null || Number(receipt.blockNumber) <= Number(latest.number)) {
        throw sendError ?? new Error(`transaction ${txHash} was not mined`);
      }
      await this.writer.append({
        raw,
        timestamp,
        txHash,
        blockNumber: Number(receipt.blockNumber),
        blockHash: receipt.blockHash,
      });
      return txHash;
    });
  }

  /** Runs `work` after every earlier state change has finished. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
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
