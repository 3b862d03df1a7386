// What a chain charges now, as fee-policy.ts needs it: eth_gasPrice, the latest block's base
// fee (none on a chain without EIP-1559), and the suggested tip (when the node offers one).
// Asked fresh each time: a free-gas chain answers 0 to the first question.
import type { JsonRpcProvider } from "ethers";
import type { FeeQuote } from "./fee-policy.ts";

export async function readFeeQuote(provider: JsonRpcProvider): Promise<FeeQuote> {
  const [gasPrice, block, tip] = await Promise.all([
    provider.send("eth_gasPrice", []) as Promise<string>,
    provider.send("eth_getBlockByNumber", ["latest", false]) as Promise<{ baseFeePerGas?: string } | null>,
    (provider.send("eth_maxPriorityFeePerGas", []) as Promise<string>).catch(() => null),
  ]);
  return {
    gasPrice: BigInt(gasPrice),
    baseFeePerGas: block?.baseFeePerGas == null ? null : BigInt(block.baseFeePerGas),
    maxPriorityFeePerGas: tip === null ? null : BigInt(tip),
  };
}
