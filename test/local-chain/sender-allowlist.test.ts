// The allowlist recovers the sender from the signature and refuses every public key.
import { HDNodeWallet, Mnemonic, Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import {
  PUBLIC_DEV_ADDRESSES,
  publicDevAccountIndex,
} from "../../service/local-chain/public-dev-accounts.ts";
import { SenderAllowlist } from "../../service/local-chain/sender-allowlist.ts";

const sign = (wallet: Pick<Wallet, "address" | "signTransaction">) =>
  wallet.signTransaction({ type: 2, chainId: 31337, nonce: 0, to: wallet.address, gasLimit: 21_000n });

describe("PUBLIC_DEV_ADDRESSES", () => {
  it("are Hardhat's twenty development accounts, derived from the public mnemonic", () => {
    const mnemonic = Mnemonic.fromPhrase("test test test test test test test test test test test junk");
    const derived = Array.from({ length: 20 }, (_, i) =>
      HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).address.toLowerCase(),
    );
    expect(PUBLIC_DEV_ADDRESSES).toEqual(derived);
    expect(publicDevAccountIndex("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")).toBe(1);
    expect(publicDevAccountIndex(Wallet.createRandom().address)).toBe(-1);
  });
});

describe("SenderAllowlist", () => {
  const operator = Wallet.createRandom();
  const allowlist = new SenderAllowlist([operator.address]);

  it("returns the sender recovered from the signature", async () => {
    expect(allowlist.senderOf(await sign(operator))).toBe(operator.address.toLowerCase());
    expect(allowlist.addresses).toEqual([operator.address.toLowerCase()]);
  });

  it("refuses any other signer with Besu's code, naming it", async () => {
    const other = Wallet.createRandom();
    expect(() => allowlist.senderOf(undefined)).toThrow(expect.objectContaining({ code: -32602 }));
    let refused: unknown;
    try {
      allowlist.senderOf(await sign(other));
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      code: -32007,
      message: expect.stringContaining(
        `${other.address.toLowerCase()} is not on this chain's sender allowlist`,
      ),
    });
  });

  it("cannot be made with a public key's account, nor with a malformed address", () => {
    expect(() => new SenderAllowlist([PUBLIC_DEV_ADDRESSES[0] as string])).toThrow(/development account #0/);
    expect(() => new SenderAllowlist(["0x1234"])).toThrow();
  });
});
