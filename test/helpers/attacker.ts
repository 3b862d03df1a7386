// What the attacker of issue #10 has: Hardhat's publicly known development keys, and raw
// JSON-RPC to any endpoint.
import type { Wallet } from "ethers";

// Hardhat's development accounts #0 and #1: the mnemonic "test test … junk" at
// m/44'/60'/0'/0/0 and m/44'/60'/0'/0/1. Their keys are printed by every `hardhat node`.
export const HARDHAT_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
export const HARDHAT_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** One JSON-RPC call over HTTP; the whole answer (result or error). */
export async function rpcCall(
  url: string,
  method: string,
  params: unknown[],
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON-RPC answers are checked field by field
  return (await res.json()) as any;
}

/** A signed transaction that needs no node to build: fixed nonce, gas and fees. */
export function signRaw(
  wallet: Pick<Wallet, "signTransaction">,
  chainId: number,
  tx: { to?: string; data?: string; value?: bigint; nonce?: number },
): Promise<string> {
  return wallet.signTransaction({
    type: 2,
    chainId,
    nonce: tx.nonce ?? 0,
    to: tx.to ?? null,
    data: tx.data ?? "0x",
    value: tx.value ?? 0n,
    gasLimit: tx.to === undefined ? 3_000_000n : 21_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 1n,
  });
}
