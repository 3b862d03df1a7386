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
