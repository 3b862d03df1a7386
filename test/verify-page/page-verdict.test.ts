// What the verification page runs and says, without a browser: verifyTexts (the page's
// inputs to a report, a chain that cannot be reached included) and pageVerdict (green only
// when every chain check, `notary` included, passed). test/http/verify-page.test.ts shows
// the same in Chromium against real chains.
import { describe, expect, it } from "vitest";
import type { Bundle } from "../../service/core/bundle.ts";
import { ChainUnavailableError } from "../../service/core/errors.ts";
import type { Hex } from "../../service/core/hex.ts";
import type { ChainReader } from "../../service/core/verify.ts";
import { pageVerdict, verdictText } from "../../service/verify-page/page-verdict.ts";
import { type PageInputs, verifyTexts } from "../../service/verify-page/verify-texts.ts";
import { fakeChain, fakeNotary, makeBatch } from "../core/fixtures.ts";

const RECORDS = [0, 1, 2].map((i) => ({ id: `p-${i}`, n: i }));
const BUNDLE = makeBatch(RECORDS)[1] as Bundle;
const NOTARY = fakeNotary();
const OTHER_CONTRACT = `0x${"77".repeat(20)}` as Hex;

/** Runs the page's verification with `chain` behind whatever URL is given. */
async function run(
  inputs: Partial<PageInputs> & { bundle?: unknown },
  chain: ChainReader = fakeChain(BUNDLE),
) {
  const connected: Array<{ url: string; chainId: number; destroyed: boolean }> = [];
  const report = await verifyTexts(
    {
      bundleText: JSON.stringify(inputs.bundle ?? BUNDLE),
      recordText: JSON.stringify(RECORDS[1]),
      rpcUrl: "http://chain.example",
      trustedNotary: NOTARY,
      ...inputs,
    },
    (url, chainId) => {
      const entry = { url, chainId, destroyed: false };
      connected.push(entry);
      const destroy = () => {
        entry.destroyed = true;
      };
      return { ...chain, getNextSeq: async () => 0, destroy };
    },
  );
  const statuses = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
  return { report, statuses, verdict: pageVerdict(report), connected };
}

const unreachable = (): ChainReader =>
  new Proxy(fakeChain(BUNDLE), {
    get: (target, key) =>
      typeof Reflect.get(target, key) === "function"
        ? async () =>
            Promise.reject(new ChainUnavailableError("could not read the chain id: connection refused"))
        : Reflect.get(target, key),
  }) as ChainReader;

describe("the verification page's verdict", () => {
  it("refuses a bundle or record that is not I-JSON (a duplicate member name), as the CLI does", async () => {
    const duplicate = JSON.stringify(BUNDLE).replace('{"format"', `{"root":"${BUNDLE.root}","format"`);
    await expect(run({ bundleText: duplicate })).rejects.toThrow(/the evidence bundle is not I-JSON/);
    await expect(run({ recordText: '{"id":"p-1","id":"p-2","n":1}' })).rejects.toThrow(
      /the record is not I-JSON/,
    );
  });

  it("is valid (green) when every check passes, and asks the notary's chain id, then lets the reader go", async () => {
    const { report, verdict, connected } = await run({});
    expect(verdict).toBe("valid");
    expect(verdictText(report, verdict)).toBe(
      "VALID: every check passed, including the notary and the anchoring on its chain.",
    );
    expect(connected).toEqual([{ url: "http://chain.example", chainId: NOTARY.chainId, destroyed: true }]);
  });

  it("is still valid without a record, and says the record was not compared", async () => {
    const { report, verdict } = await run({ recordText: "  " });
    expect(verdict).toBe("valid");
    expect(verdictText(report, verdict)).toMatch(
      /no record was given, so the record itself was not compared/,
    );
  });

  it("is never valid without an RPC URL: unchecked (amber), no chain asked", async () => {
    const { report, statuses, verdict, connected } = await run({ rpcUrl: " " });
    expect(connected).toEqual([]);
    expect(statuses).toMatchObject({ root: "pass", notary: "skip", anchor_tx: "skip" });
    expect(report.verdict).toBe("valid"); // the core: no check failed…
    expect(verdict).toBe("unchecked"); // …the page: no verdict on anchoring
    expect(verdictText(report, verdict)).toMatch(/^NOT CHECKED AGAINST THE CHAIN: no verdict on anchoring\./);
  });

  it("is unchecked when the chain cannot be reached, naming why on every chain check", async () => {
    const { report, verdict, connected } = await run({}, unreachable());
    expect(verdict).toBe("unchecked");
    expect(connected[0]?.destroyed).toBe(true);
    for (const name of ["notary", "anchor_tx", "anchor_root", "anchor_block", "onchain_inclusion"]) {
      expect(report.checks.find((c) => c.name === name)).toMatchObject({
        status: "skip",
        message: "not run: could not read the chain id: connection refused",
      });
    }
    expect(verdictText(report, verdict)).toContain("(could not read the chain id: connection refused)");
  });

  it.each([
    ["another contract", { ...BUNDLE, anchor: { ...BUNDLE.anchor, contract: OTHER_CONTRACT } }],
    ["another chain id", { ...BUNDLE, anchor: { ...BUNDLE.anchor, chainId: 1 } }],
  ])(
    "is invalid (red) for a bundle naming %s: with a chain, without one, and when it is down",
    async (_, bundle) => {
      for (const inputs of [{}, { rpcUrl: "" }]) {
        const { statuses, verdict } = await run({ ...inputs, bundle });
        expect(verdict).toBe("invalid");
        expect(statuses).toMatchObject({ notary: "fail", anchor_tx: "skip" });
      }
      const down = await run({ bundle }, unreachable());
      expect(down.verdict).toBe("invalid");
      expect(down.statuses.notary).toBe("fail");
    },
  );

  it("is invalid when the endpoint serves another chain with the same id (another genesis)", async () => {
    const lookAlike = fakeChain(BUNDLE);
    lookAlike.genesis = { ...lookAlike.genesis, hash: `0x${"99".repeat(32)}` as Hex };
    const { statuses, verdict } = await run({}, lookAlike);
    expect(verdict).toBe("invalid");
    expect(statuses).toMatchObject({ notary: "fail", anchor_root: "skip" });
  });

  it("is invalid when an offline check fails, even with no chain", async () => {
    const { report, verdict } = await run({ rpcUrl: "", recordText: JSON.stringify({ id: "p-1", n: 99 }) });
    expect(verdict).toBe("invalid");
    expect(verdictText(report, verdict)).toBe("INVALID: failed checks: digest.");
  });

  it("cannot judge (neutral, not red) a bundle of an unknown format", async () => {
    const { report, verdict } = await run({ bundle: { ...BUNDLE, format: "evidence-bundle/v2" } });
    expect(verdict).toBe("unsupported");
    expect(verdictText(report, verdict)).toMatch(
      /^CANNOT JUDGE: this verifier knows only evidence-bundle\/v1/,
    );
  });

  it("says so when the bundle or record is not JSON", async () => {
    await expect(run({ bundleText: "{nope" })).rejects.toThrow(
      /^the evidence bundle is not JSON: .*, so nothing is decided$/,
    );
    await expect(run({ recordText: "[1," })).rejects.toThrow(/^the record is not JSON: /);
  });
});
