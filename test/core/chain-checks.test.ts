// checkNotaryChain, the chain half of the `notary` check that needs no bundle: the audit runs
// it once before reading anchors (verify.test.ts covers it through verifyBundle).
import { describe, expect, it } from "vitest";
import type { Bundle } from "../../service/core/bundle.ts";
import { checkNotaryChain } from "../../service/core/chain-checks.ts";
import type { Hex } from "../../service/core/hex.ts";
import { CONTRACT, type FakeChain, fakeChain, fakeNotary, makeBatch } from "./fixtures.ts";

const BUNDLE = makeBatch([{ n: 1 }])[0] as Bundle;
const NOTARY = fakeNotary();
const OTHER = `0x${"99".repeat(32)}` as Hex;

describe("checkNotaryChain", () => {
  it("passes on the profile's chain and contract, asking nothing about anchors", async () => {
    const chain = fakeChain(BUNDLE);
    expect(await checkNotaryChain(chain, NOTARY)).toMatchObject({ status: "pass" });
    expect(chain.calls.sort()).toEqual(["getBlock", "getBlock", "getChainId", "getCode"]);
  });

  it.each([
    [
      "another chain id",
      (c: FakeChain) => {
        c.chainId = 1;
      },
      /serves chain 1, not the notary's chain 31337/,
    ],
    [
      "another genesis",
      (c: FakeChain) => {
        c.genesis.hash = OTHER;
      },
      /another chain with the same chain id/,
    ],
    [
      "another deployment block",
      (c: FakeChain) => {
        c.deployedIn.hash = OTHER;
      },
      /where the notary's contract was deployed, is not the one the notary profile pins/,
    ],
    [
      "other code",
      (c: FakeChain) => void c.code.set(CONTRACT, "0x6001"),
      /is not the notary's EvidenceAnchor code/,
    ],
    ["no code", (c: FakeChain) => void c.code.delete(CONTRACT), /there is no contract at/],
  ])("fails on %s, saying what differs", async (_, change, message) => {
    const chain = fakeChain(BUNDLE);
    change(chain);
    const outcome = await checkNotaryChain(chain, NOTARY);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toMatch(message);
  });
});
