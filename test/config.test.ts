// Configuration: every wrong value is reported at once, with a clear message.
import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../service/config.ts";

describe("CHAIN_ALLOWED_SENDERS", () => {
  it("is a comma-separated list of addresses, lower-cased", () => {
    const [a, b] = [Wallet.createRandom().address, Wallet.createRandom().address];
    expect(parseConfig({ CHAIN_ALLOWED_SENDERS: ` ${a}, ${b},` }).chainAllowedSenders).toEqual([
      a.toLowerCase(),
      b.toLowerCase(),
    ]);
    expect(parseConfig({}).chainAllowedSenders).toEqual([]);
  });

  it("refuses malformed addresses and Hardhat's development accounts, all at once", () => {
    let error: unknown;
    try {
      parseConfig({ CHAIN_ALLOWED_SENDERS: "0x1234,0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'CHAIN_ALLOWED_SENDERS must be comma-separated 0x-prefixed 20-byte addresses, got "0x1234"',
      "CHAIN_ALLOWED_SENDERS names 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, Hardhat's development account #1: its private key is public",
    ]);
  });
});

describe("ANCHOR_STALL_MS", () => {
  it("defaults to two minutes, and takes whole milliseconds", () => {
    expect(parseConfig({}).anchorStallMs).toBe(120_000);
    expect(parseConfig({ ANCHOR_STALL_MS: "5000", ANCHOR_TIMEOUT_MS: "1000" }).anchorStallMs).toBe(5000);
  });

  it("must be a number of milliseconds above ANCHOR_TIMEOUT_MS", () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ ANCHOR_STALL_MS: "soon" })).toEqual([
      'ANCHOR_STALL_MS must be an integer from 1000 to 86400000, got "soon"',
    ]);
    expect(problems({ ANCHOR_STALL_MS: "20000" })).toEqual([
      "ANCHOR_STALL_MS (20000) must be above ANCHOR_TIMEOUT_MS (30000): an anchor transaction may take that long before it is replaced, and that is no stall",
    ]);
  });
});
