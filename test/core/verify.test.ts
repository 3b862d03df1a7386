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
import { failedChecks, fakeChain, makeBatch } from "./fixtures.ts";

const RECORDS = [0, 1, 2, 3, 4].map((i) => ({ id: `ev-${i}`, n: i, note: `note ${i}` }));
const BUNDLES = makeBatch(RECORDS);
const at = (i: number) => structuredClone(BUNDLES[i] as Bundle);

function flipHex(hex: Hex, bit: number): Hex {
  const nibble = 2 + Math.floor(bit / 4);
  const flipped = (Number.parseInt(hex[nibble] as string, 16) ^ (1 << (bit % 4))).toString(16);
  return `${hex.slice(0, nibble)}${flipped}${hex.slice(nibble + 1)}` as Hex;
}

describe("verifyBundle", () => {
  it("passes every check for a good bundle, record and chain, in a fixed order", async () => {
    const b = at(2);
    const report = await verifyBundle(b, { record: RECORDS[2], chain: fakeChain(b) });
    expect(report.checks.map((c) => [c.name, c.status])).toEqual(CHECK_NAMES.map((n) => [n, "pass"]));
    expect(report.ok).toBe(true);
  });

  it("skips digest without a record and the chain checks without a chain, and is still ok", async () => {
    const report = await verifyBundle(at(0));
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.status === "skip").map((c) => c.name)).toEqual([
      "digest",
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
    const report = await verifyBundle(b, { record: RECORDS[3], chain: fakeChain(at(3)) });
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toEqual({
      schema: "fail",
      digest: "pass",
      leaf: "skip",
      root: "pass",
      anchor_tx: "pass",
      anchor_root: "pass",
      anchor_block: "pass",
      onchain_inclusion: "pass",
    });
    expect(report.checks.find((c) => c.name === "leaf")?.message).toMatch(/\/salt/);
  });

  it("treats an unknown format as malformed everywhere", async () => {
    const report = await verifyBundle(
      { ...at(0), format: "evidence-bundle/v2" },
      { chain: fakeChain(at(0)) },
    );
    expect(failedChecks(report)).toEqual(["schema"]);
    expect(report.checks.filter((c) => c.status === "pass")).toEqual([]);
  });

  it("still runs the chain checks when the offline checks fail", async () => {
    const b = at(1);
    const report = await verifyBundle({ ...b, salt: flipHex(b.salt, 0) }, { chain: fakeChain(b) });
    expect(failedChecks(report)).toEqual(["leaf"]);
    expect(report.checks.find((c) => c.name === "onchain_inclusion")?.status).toBe("pass");
  });

  it("notes that a same-shape treeSize change is caught by anchor_root, not root", async () => {
    // Leaf 2 of 5 and leaf 2 of 6 have the same path shape, and an RFC 6962 root does not commit to the size.
    const b = at(2);
    const report = await verifyBundle({ ...b, treeSize: 6 }, { chain: fakeChain(b) });
    expect(failedChecks(report)).toEqual(["anchor_root"]);
  });

  describe("chain checks", () => {
    it("anchor_block fails and the other chain checks are skipped on another chain", async () => {
      const b = at(0);
      const chain = fakeChain(b);
      chain.chainId = 1;
      const report = await verifyBundle(b, { chain });
      expect(failedChecks(report)).toEqual(["anchor_block"]);
      expect(report.checks.find((c) => c.name === "anchor_block")).toMatchObject({
        expected: "31337",
        actual: "1",
      });
      expect(report.checks.filter((c) => c.status === "skip").map((c) => c.name)).toEqual(
        expect.arrayContaining(["anchor_tx", "anchor_root", "onchain_inclusion"]),
      );
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
      expect(failedChecks(await verifyBundle(b, { chain }))).toEqual(expected);
    });

    it("lets ChainUnavailableError through instead of failing a check", async () => {
      const b = at(0);
      const down = new Proxy(fakeChain(b), {
        get: (target, key) =>
          key === "getChainId"
            ? async () => Promise.reject(new ChainUnavailableError("connection refused"))
            : Reflect.get(target, key),
      }) as ChainReader;
      await expect(verifyBundle(b, { chain: down })).rejects.toBeInstanceOf(ChainUnavailableError);
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
          const report = await verifyBundle(b, { record, chain: fakeChain(truth) });
          expect(report.ok).toBe(false);
          want(failedChecks(report));
        },
      ),
      { numRuns: 300 },
    );
  });
});
