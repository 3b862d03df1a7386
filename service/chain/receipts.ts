// Waiting for a transaction to be mined and confirmed, by polling: the receipt (status 1 or
// 0), and the chain head asked fresh each time (ethers' getBlockNumber() may answer from a
// cache). Polled often at first (the local chain mines at once), then less often, so a chain
// with slow blocks is not asked dozens of times a second. Unlike ethers' tx.wait(), it leaves
// no block subscription behind that could outlive the provider.
import type { JsonRpcProvider, TransactionReceipt } from "ethers";

const POLL_FIRST_MS = 50;
const POLL_MAX_MS = 500;

/** The chain head, asked fresh. */
export async function headBlock(provider: JsonRpcProvider): Promise<number> {
  return Number(await provider.send("eth_blockNumber", []));
}

/**
 * The receipt (successful or reverted) once it has `confirmations` confirmations (1 = just
 * mined), or null if that did not happen within `timeoutMs`.
 */
export async function waitForReceipt(
  provider: JsonRpcProvider,
  txHash: string,
  confirmations: number,
  timeoutMs: number,
): Promise<TransactionReceipt | null> {
  const deadline = Date.now() + timeoutMs;
  for (let pause = POLL_FIRST_MS; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
    const receipt = await provider.getTransactionReceipt(txHash);
    if (receipt !== null && (await headBlock(provider)) - receipt.blockNumber + 1 >= confirmations) {
      return receipt;
    }
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await new Promise((r) => setTimeout(r, Math.min(pause, left)));
  }
}
