// The fees an anchor transaction offers, from what the chain quotes (service/chain/fee-policy.ts).
import { expect, it } from "vitest";
import { chooseFees, DEFAULT_PRIORITY_FEE, maxCost, withHeadroom } from "../../service/chain/fee-policy.ts";

const GWEI = 1_000_000_000n;

it("a free-gas chain (gas price 0) gets a legacy transaction at gas price 0, costing nothing", () => {
  // Besu with min-gas-price=0 and zeroBaseFee: blocks carry a base fee of 0.
  const withBaseFee = chooseFees({ gasPrice: 0n, baseFeePerGas: 0n, maxPriorityFeePerGas: 0n });
  // Besu with min-gas-price=0 and no London fork: no base fee at all.
  const withoutBaseFee = chooseFees({ gasPrice: 0n, baseFeePerGas: null, maxPriorityFeePerGas: null });
  for (const fees of [withBaseFee, withoutBaseFee]) {
    expect(fees).toEqual({ type: 0, gasPrice: 0n });
    expect(maxCost(fees, 200_000n)).toBe(0n);
  }
});

it("a chain without EIP-1559 gets a legacy transaction at the quoted price", () => {
  const fees = chooseFees({ gasPrice: 3n * GWEI, baseFeePerGas: null, maxPriorityFeePerGas: null });
  expect(fees).toEqual({ type: 0, gasPrice: 3n * GWEI });
  expect(maxCost(fees, 100_000n)).toBe(300_000n * GWEI);
});

it("an EIP-1559 chain gets the suggested tip and a cap of twice the base fee plus the tip", () => {
  expect(chooseFees({ gasPrice: 2n * GWEI, baseFeePerGas: GWEI, maxPriorityFeePerGas: 2n * GWEI })).toEqual({
    type: 2,
    maxFeePerGas: 4n * GWEI,
    maxPriorityFeePerGas: 2n * GWEI,
  });
  // A node without eth_maxPriorityFeePerGas: 1 gwei, as ethers assumes.
  const fees = chooseFees({ gasPrice: 2n * GWEI, baseFeePerGas: GWEI, maxPriorityFeePerGas: null });
  expect(fees).toEqual({
    type: 2,
    maxFeePerGas: 2n * GWEI + DEFAULT_PRIORITY_FEE,
    maxPriorityFeePerGas: DEFAULT_PRIORITY_FEE,
  });
  expect(maxCost(fees, 10n)).toBe(30n * GWEI);
});

it("adds headroom to a gas estimate, rounding up", () => {
  expect(withHeadroom(80_000n, 125)).toBe(100_000n);
  expect(withHeadroom(93_737n, 125)).toBe(117_172n); // 117,171.25 rounded up
  expect(withHeadroom(100n, 40)).toBe(40n);
});
