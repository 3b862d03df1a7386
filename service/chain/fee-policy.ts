// Which fees an anchor transaction offers, from what the chain quotes. Pure.
//
//   gas price 0           a free-gas chain (Besu with min-gas-price=0, and zeroBaseFee or no
//                         London fork): a legacy transaction at gas price 0. The account
//                         needs no balance at all.
//   no base fee in blocks a chain without EIP-1559: a legacy transaction at the quoted price.
//   otherwise             EIP-1559: the tip the node suggests, and a fee cap of twice the
//                         current base fee plus the tip, which stays valid while the base fee
//                         doubles (six full blocks in a row).
export interface FeeQuote {
  /** eth_gasPrice. */
  gasPrice: bigint;
  /** The latest block's baseFeePerGas; null on a chain without EIP-1559. */
  baseFeePerGas: bigint | null;
  /** eth_maxPriorityFeePerGas; null when the node does not offer it. */
  maxPriorityFeePerGas: bigint | null;
}

export type TxFees =
  | { type: 0; gasPrice: bigint }
  | { type: 2; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** The tip when the node suggests none: 1 gwei, what ethers assumes too. */
export const DEFAULT_PRIORITY_FEE = 1_000_000_000n;

export function chooseFees(quote: FeeQuote): TxFees {
  if (quote.gasPrice === 0n) return { type: 0, gasPrice: 0n };
  if (quote.baseFeePerGas === null) return { type: 0, gasPrice: quote.gasPrice };
  const tip = quote.maxPriorityFeePerGas ?? DEFAULT_PRIORITY_FEE;
  return { type: 2, maxFeePerGas: quote.baseFeePerGas * 2n + tip, maxPriorityFeePerGas: tip };
}

/** The most a transaction with these fees and gas limit can cost: what the account must hold. */
export function maxCost(fees: TxFees, gasLimit: bigint): bigint {
  return gasLimit * (fees.type === 0 ? fees.gasPrice : fees.maxFeePerGas);
}

/** `estimate` raised by `percent` per cent (125 = 25% headroom), rounded up. */
export function withHeadroom(estimate: bigint, percent: number): bigint {
  return (estimate * BigInt(Math.round(percent)) + 99n) / 100n;
}
