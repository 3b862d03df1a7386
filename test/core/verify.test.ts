import { Interface } from "ethers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ANCHOR_ABI } from "../../service/chain/anchor-abi.ts";
import type { Bundle } from "../../service/core/bundle.ts";
import { ChainUnavailableError } from "../../service/core/errors.ts";
import type { Hex } from "../../service/core/hex.ts";
import {
  CHECK_NAMES,
  type ChainLog,
  type ChainReader,
  type ChainReceipt,
  ROOT_ANCHORED_TOPIC,
  verifyBundle,
  verifyBundleOffline,
} from "../../service/core/verify.ts";
import { CONTRACT, failedChecks, fakeChain, fakeNotary, makeBatch } from "./fixtures.ts";

const RECORDS = [0, 1, 2, 3, 4].map((i) => ({ id: `ev-${i}`, n: i, note: `note ${i}` }));
const BUNDLES = makeBatch(RECORDS);
const at = (i: number) => structuredClone(BUNDLES[i] as Bundle);
const NOTARY = fakeNotary();
/** A chain that anchored `truth` but cannot be asked (its chain id read fails). */
const downChain = (truth: Bundle): ChainReader =>
  new Proxy(fakeChain(truth), {
    get: (target, key) =>
      key === "getChainId"
        ? async () => Promise.reject(new ChainUnavailableError("connection refused"))
        : Reflect.get(target, key),
  }) as ChainReader;
/** Options for a chain that anchored `truth`, pinned to the fake notary. */
const on = (chain: ReturnType<typeof fakeChain>) => ({ chain, trustedNotary: NOTARY });

function flipHex(hex: Hex, bit: number): Hex {
  const nibble = 2 + Math.floor(bit / 4);
  const flipped = (Number.parseInt(hex[nibble] as string, 16) ^ (1 << (bit % 4))).toString(16);
  return `${hex.slice(0, nibble)}${flipped}${hex.slice(nibble + 1)}` as Hex;
}

describe("verifyBundle", () => {
  it("passes every check for a good bundle, record and chain, in a fixed order", async () => {
    const b = at(2);
    const report = await verifyBundle(b, { record: RECORDS[2], ...on(fakeChain(b)) });
    expect(report.checks.map((c) => [c.name, c.status])).toEqual(CHECK_NAMES.map((n) => [n, "pass"]));
    expect(report.ok).toBe(true);
  });

  it("skips digest without a record and the chain checks without a chain, and is still ok", async () => {
    const report = await verifyBundle(at(0));
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status === "skip").map((c) => c.name)).toEqual([
      "digest",
      "notary",
      "anchor_tx",
      "anchor_root",
      "anchor_block",
      "onchain_inclusion",
    ]);
    expect(verifyBundleOffline(at(0)).checks.map((c) => c.name)).toEqual([
      "schema",
      "digest",
      "leaf",
      "root",
    ]);
  });

  it("carries both values on a mismatch (compute, then compare)", async () => {
    const b = at(1);
    const report = await verifyBundle(b, { record: { ...RECORDS[1], n: 7 } });
    const digest = report.checks.find((c) => c.name === "digest");
    expect(digest).toMatchObject({ status: "fail", expected: b.digest });
    expect(digest?.actual).toMatch(/^0x[0-9a-f]{64}$/);
    expect(digest?.actual).not.toBe(b.digest);
  });

  it("fails root with a clear message for a path of the wrong length", () => {
    const b = at(2);
    const report = verifyBundleOffline({ ...b, proof: b.proof.slice(1) });
    expect(report.checks.find((c) => c.name === "root")).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/must have 3 nodes, got 2/),
      expected: "3",
      actual: "2",
    });
  });

  it("fails digest (not throws) for a record that cannot be canonicalized", () => {
    const report = verifyBundleOffline(at(0), { record: { n: Number.NaN } });
    expect(failedChecks(report)).toEqual(["digest"]);
  });

  it("skips, rather than guesses, the checks whose fields are malformed, and still runs the others", async () => {
    const b = { ...at(3), salt: "0xnot-hex" };
    const report = await verifyBundle(b, { record: RECORDS[3], ...on(fakeChain(at(3))) });
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toEqual({
      schema: "fail",
      digest: "pass",
      leaf: "skip",
      root: "pass",
      notary: "pass",
      anchor_tx: "pass",
      anchor_root: "pass",
      anchor_block: "pass",
      onchain_inclusion: "pass",
    });
    expect(report.checks.find((c) => c.name === "leaf")?.message).toMatch(/\/salt/);
  });

  it("gives no verdict on a format it does not know (cannot judge), and asks no chain", async () => {
    const chain = fakeChain(at(0));
    const report = await verifyBundle({ ...at(0), format: "evidence-bundle/v2" }, on(chain));
    expect(report).toMatchObject({ ok: false, verdict: "unsupported_format" });
    expect(report.checks.map((c) => c.status)).toEqual(CHECK_NAMES.map(() => "skip"));
    expect(report.checks[0]?.message).toMatch(/knows only evidence-bundle\/v1, not "evidence-bundle\/v2"/);
    expect(chain.calls).toEqual([]);
    // The offline-only verifier (the page's fallback) says the same, never "invalid".
    const offline = verifyBundleOffline({ ...at(0), format: "evidence-bundle/v2" });
    expect(offline).toMatchObject({ ok: false, verdict: "unsupported_format" });
    expect(offline.checks.map((c) => [c.name, c.status])).toEqual(
      ["schema", "digest", "leaf", "root"].map((name) => [name, "skip"]),
    );
  });

  it("calls a bundle without a format string malformed (invalid), not unsupported", async () => {
    for (const format of [undefined, 1, null]) {
      const report = await verifyBundle({ ...at(0), format });
      expect(report.verdict).toBe("invalid");
      expect(failedChecks(report)).toEqual(["schema"]);
    }
  });

  it("still runs the chain checks when the offline checks fail", async () => {
    const b = at(1);
    const report = await verifyBundle({ ...b, salt: flipHex(b.salt, 0) }, { ...on(fakeChain(b)) });
    expect(failedChecks(report)).toEqual(["leaf"]);
    expect(report.checks.find((c) => c.name === "onchain_inclusion")?.status).toBe("pass");
  });

  it("notes that a same-shape treeSize change is caught by anchor_root, not root", async () => {
    // Leaf 2 of 5 and leaf 2 of 6 have the same path shape, and an RFC 6962 root does not commit to the size.
    const b = at(2);
    const report = await verifyBundle({ ...b, treeSize: 6 }, { ...on(fakeChain(b)) });
    expect(failedChecks(report)).toEqual(["anchor_root"]);
  });

  describe("chain checks", () => {
    it("compares getAnchor's block number and timestamp with the bundle's", async () => {
      const b = at(1);
      const report = await verifyBundle(
        { ...b, anchor: { ...b.anchor, timestamp: b.anchor.timestamp + 1 } },
        on(fakeChain(b)),
      );
      expect(failedChecks(report)).toEqual(["anchor_root", "anchor_block"]);
      expect(report.checks.find((c) => c.name === "anchor_root")).toMatchObject({
        expected: expect.stringContaining(`at ${b.anchor.timestamp + 1}`),
        actual: expect.stringContaining(`at ${b.anchor.timestamp}`),
      });
    });

    type Chain = ReturnType<typeof fakeChain>;
    const receipt = (c: Chain) => c.receipt as ChainReceipt;
    const block = (c: Chain) => c.block as NonNullable<Chain["block"]>;
    it.each<[string, (chain: Chain) => void, string[]]>([
      [
        "no such transaction",
        (c) => {
          c.receipt = null;
        },
        ["anchor_tx", "anchor_block"],
      ],
      [
        "a reverted transaction",
        (c) => {
          receipt(c).status = 0;
        },
        ["anchor_tx"],
      ],
      [
        "a transaction to another address",
        (c) => {
          receipt(c).to = `0x${"11".repeat(20)}`;
        },
        ["anchor_tx"],
      ],
      [
        "no RootAnchored event",
        (c) => {
          receipt(c).logs = [];
        },
        ["anchor_tx"],
      ],
      [
        "an event from another contract",
        (c) => {
          (receipt(c).logs[0] as ChainLog).address = `0x${"22".repeat(20)}`;
        },
        ["anchor_tx"],
      ],
      [
        "a different anchored root",
        (c) => {
          c.anchors.set(2, { root: `0x${"33".repeat(32)}`, treeSize: 5 });
        },
        ["anchor_root", "onchain_inclusion"],
      ],
      [
        "no anchor for the batch",
        (c) => {
          c.anchors.clear();
        },
        ["anchor_root", "onchain_inclusion"],
      ],
      [
        "a block with another hash",
        (c) => {
          block(c).hash = `0x${"44".repeat(32)}`;
        },
        ["anchor_block"],
      ],
      [
        "a block with another timestamp",
        (c) => {
          block(c).timestamp += 1;
        },
        ["anchor_block"],
      ],
      [
        "the transaction in another block",
        (c) => {
          receipt(c).blockNumber += 1;
        },
        ["anchor_block"],
      ],
    ])("fails the right check for %s", async (_name, tamper, expected) => {
      const b = at(4);
      const chain = fakeChain(b);
      tamper(chain);
      expect(failedChecks(await verifyBundle(b, on(chain)))).toEqual(expected);
    });

    it("says a receipt without status is not a success, not that the transaction reverted", async () => {
      const b = at(4);
      const check = async (status: number | null) => {
        const chain = fakeChain(b);
        receipt(chain).status = status;
        return (await verifyBundle(b, on(chain))).checks.find((c) => c.name === "anchor_tx");
      };
      expect(await check(null)).toMatchObject({
        status: "fail",
        message: `transaction ${b.anchor.txHash} has no status (a chain before Byzantium does not say whether it succeeded): not a success`,
        expected: "status 1",
        actual: "no status",
      });
      expect(await check(0)).toMatchObject({
        status: "fail",
        message: `transaction ${b.anchor.txHash} failed (reverted)`,
        expected: "status 1",
        actual: "status 0",
      });
      expect(await check(2)).toMatchObject({ status: "fail", message: expect.stringMatching(/status 2/) });
    });

    it("lets ChainUnavailableError through instead of failing a check", async () => {
      const b = at(0);
      const down = downChain(b);
      await expect(verifyBundle(b, { chain: down, trustedNotary: NOTARY })).rejects.toBeInstanceOf(
        ChainUnavailableError,
      );
    });

    it("recognizes RootAnchored by the topic ethers computes from the ABI", () => {
      expect(ROOT_ANCHORED_TOPIC).toBe(new Interface(ANCHOR_ABI).getEvent("RootAnchored")?.topicHash);
    });
  });
});

describe("property: a one-bit change is caught and named", () => {
  type Target = "record" | "salt" | "path" | "index" | "treeSize" | "root";
  const recordArb = fc.record({
    id: fc.string({ minLength: 1 }),
    n: fc.integer(),
    note: fc.string({ minLength: 1 }),
  });

  it("fails exactly the checks that depend on the changed field", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(recordArb, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom<Target>("record", "salt", "path", "index", "treeSize", "root"),
        fc.nat({ max: 255 }),
        async (records, pick, target, bit) => {
          const bundles = makeBatch(records, 5, "prop");
          const i = pick % records.length;
          const truth = bundles[i] as Bundle;
          const b = structuredClone(truth);
          let record: unknown = records[i];
          let want: (failed: string[]) => void;
          switch (target) {
            case "record": {
              const r = { ...(records[i] as (typeof records)[number]) };
              // Flip one of the low 5 bits of a character: stays in the same Unicode block, never a surrogate.
              const pos = bit % r.note.length;
              const code = r.note.charCodeAt(pos);
              if (code >= 0xd800 && code <= 0xdfff) r.n ^= 1 << (bit % 31);
              else
                r.note =
                  r.note.slice(0, pos) + String.fromCharCode(code ^ (1 << (bit % 5))) + r.note.slice(pos + 1);
              record = r;
              want = (f) => expect(f).toEqual(["digest"]);
              break;
            }
            case "salt":
              b.salt = flipHex(b.salt, bit);
              want = (f) => expect(f).toEqual(["leaf"]);
              break;
            case "path":
              if (b.proof.length === 0) return; // a tree of one leaf has no path to change
              b.proof[bit % b.proof.length] = flipHex(b.proof[bit % b.proof.length] as Hex, bit);
              want = (f) => expect(f).toEqual(["root", "onchain_inclusion"]);
              break;
            case "index":
              b.leafIndex ^= 1 << (bit % 6);
              want = (f) => expect(f).toEqual(["root", "onchain_inclusion"]);
              break;
            case "treeSize":
              b.treeSize ^= 1 << (bit % 6);
              want = (f) => {
                if (b.treeSize === 0) expect(f).toEqual(["schema"]);
                else {
                  expect(f).toContain("anchor_root");
                  expect(f.filter((n) => n !== "anchor_root" && n !== "root")).toEqual([]);
                }
              };
              break;
            case "root":
              b.root = flipHex(b.root, bit);
              want = (f) => expect(f).toEqual(["root", "anchor_tx", "anchor_root"]);
              break;
          }
          const report = await verifyBundle(b, { record, ...on(fakeChain(truth)) });
          expect(report.ok).toBe(false);
          want(failedChecks(report));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the notary check (the pinned trust root)", () => {
  const ANCHOR_CHECKS = ["anchor_tx", "anchor_root", "anchor_block", "onchain_inclusion"];
  const statusOf = (report: { checks: Array<{ name: string; status: string }> }) =>
    Object.fromEntries(report.checks.map((c) => [c.name, c.status]));

  it("passes, and names the notary and its fingerprint, when everything is the pinned notary's", async () => {
    const report = await verifyBundle(at(0), on(fakeChain(at(0))));
    expect(report.verdict).toBe("valid");
    expect(report.notary).toEqual({
      name: NOTARY.name,
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const notary = report.checks.find((c) => c.name === "notary");
    expect(notary?.status).toBe("pass");
    expect(notary?.message).toContain(NOTARY.name);
  });

  type Forgery = [string, (b: Bundle, chain: ReturnType<typeof fakeChain>) => void, RegExp];
  it.each<Forgery>([
    [
      "a bundle naming another contract (a look-alike deployed by anyone)",
      (b, chain) => {
        const other = `0x${"66".repeat(20)}` as Hex;
        b.anchor.contract = other;
        // The look-alike really holds the anchor, emits the event, and has the same code.
        chain.code.set(other, chain.code.get(CONTRACT) as Hex);
        (chain.receipt as ChainReceipt).to = other;
        ((chain.receipt as ChainReceipt).logs[0] as ChainLog).address = other;
      },
      /names another contract/,
    ],
    [
      "a bundle naming another chain id",
      (b, chain) => {
        b.anchor.chainId = 1;
        chain.chainId = 1;
      },
      /names another chain/,
    ],
    [
      "an RPC endpoint of another chain id",
      (_b, chain) => {
        chain.chainId = 5;
      },
      /serves chain 5, not the notary's chain 31337/,
    ],
    [
      "another chain with the same chain id (another genesis)",
      (_b, chain) => {
        chain.genesis.hash = `0x${"77".repeat(32)}`;
      },
      /genesis block is not the notary/,
    ],
    [
      "a rewritten chain (another deployment block)",
      (_b, chain) => {
        chain.deployedIn.hash = `0x${"88".repeat(32)}`;
      },
      /is not the one the notary profile pins/,
    ],
    [
      "other code at the notary's address",
      (_b, chain) => {
        chain.code.set(CONTRACT, "0x6080604052");
      },
      /is not the notary's EvidenceAnchor code/,
    ],
    [
      "no code at the notary's address",
      (_b, chain) => {
        chain.code.clear();
      },
      /there is no contract at/,
    ],
  ])("fails for %s, and runs no other chain check", async (_name, forge, message) => {
    const truth = at(3);
    const b = structuredClone(truth);
    const chain = fakeChain(truth);
    forge(b, chain);
    const report = await verifyBundle(b, { record: RECORDS[3], ...on(chain) });
    expect(report.verdict).toBe("invalid");
    expect(failedChecks(report)).toEqual(["notary"]);
    expect(report.checks.find((c) => c.name === "notary")?.message).toMatch(message);
    const status = statusOf(report);
    for (const name of ANCHOR_CHECKS) expect(status[name]).toBe("skip");
    expect(chain.calls.filter((c) => c === "getAnchor" || c === "verifyInclusion")).toEqual([]);
  });

  it("asks the pinned contract, never the address the bundle names", async () => {
    const b = at(2);
    const asked: Hex[] = [];
    const chain = fakeChain(b);
    const spy: ChainReader = {
      ...chain,
      getAnchor: (contract, seq) => {
        asked.push(contract);
        return chain.getAnchor(contract, seq);
      },
      verifyInclusion: (contract, ...rest) => {
        asked.push(contract);
        return chain.verifyInclusion(contract, ...rest);
      },
      getCode: (address) => {
        asked.push(address);
        return chain.getCode(address);
      },
    };
    await verifyBundle(b, { chain: spy, trustedNotary: NOTARY });
    expect(new Set(asked)).toEqual(new Set([NOTARY.contract]));
  });

  it("fails a bundle of another notary with only the profile (no chain), and skips otherwise", async () => {
    const b = at(0);
    const mine = await verifyBundle(b, { trustedNotary: NOTARY });
    expect(statusOf(mine).notary).toBe("skip");
    expect(mine.verdict).toBe("valid");
    const theirs = await verifyBundle(b, { trustedNotary: fakeNotary({ contract: `0x${"99".repeat(20)}` }) });
    expect(theirs.verdict).toBe("invalid");
    expect(failedChecks(theirs)).toEqual(["notary"]);
  });

  it("fails (never skips) when the bundle's chain id or contract is malformed", async () => {
    const b = at(0);
    const report = await verifyBundle({ ...b, anchor: { ...b.anchor, chainId: "31337" } }, on(fakeChain(b)));
    expect(failedChecks(report)).toEqual(["schema", "notary"]);
  });

  it("refuses a chain without a notary to pin (a programming error, not a verdict)", async () => {
    const b = at(0);
    const unpinned = { chain: fakeChain(b) } as unknown as Parameters<typeof verifyBundle>[1];
    await expect(verifyBundle(b, unpinned)).rejects.toThrow(/without a trusted notary profile/);
  });

  it("is invalid, not 'cannot judge', when the chain is down but an offline check already failed", async () => {
    const b = at(1);
    const down = downChain(b);
    const report = await verifyBundle(
      { ...b, salt: flipHex(b.salt, 3) },
      { chain: down, trustedNotary: NOTARY },
    );
    expect(report.verdict).toBe("invalid");
    expect(failedChecks(report)).toEqual(["leaf"]);
    expect(report.checks.find((c) => c.name === "notary")?.message).toMatch(/could not be asked/);
  });
});
