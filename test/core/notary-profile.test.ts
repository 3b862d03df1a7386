import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import {
  formatFingerprint,
  NOTARY_PROFILE_FORMAT,
  type NotaryProfile,
  notaryFingerprint,
  parseNotaryProfile,
} from "../../service/core/notary-profile.ts";

const H = (c: string) => `0x${c.repeat(64)}` as const;
const A = (c: string) => `0x${c.repeat(40)}` as const;

const profile: NotaryProfile = {
  format: NOTARY_PROFILE_FORMAT,
  name: "Bank Notary (production)",
  chainId: 1337,
  genesisHash: H("1"),
  contract: A("2"),
  codeHash: H("3"),
  deployment: { txHash: H("4"), blockNumber: 7, blockHash: H("5") },
  anchorers: [A("6")],
};

describe("parseNotaryProfile", () => {
  it("accepts a well-formed v1 profile and returns it unchanged", () => {
    expect(parseNotaryProfile(structuredClone(profile))).toEqual(profile);
  });

  it.each([
    ["an unknown field", { ...profile, rpcUrl: "http://x" }, "/rpcUrl is not a notary-profile/v1 field"],
    ["a missing field", { ...profile, codeHash: undefined }, "/codeHash is missing"],
    ["uppercase hex", { ...profile, contract: `0x${"A".repeat(40)}` }, "/contract"],
    ["another format", { ...profile, format: "notary-profile/v2" }, "/format"],
    ["a chain id of 0", { ...profile, chainId: 0 }, "/chainId"],
    ["an empty name", { ...profile, name: "" }, "/name"],
    [
      "a deployment without its block hash",
      { ...profile, deployment: { txHash: H("4"), blockNumber: 7 } },
      "/deployment/blockHash is missing",
    ],
    ["not an object", [profile], "(profile)"],
  ])("refuses %s, naming the field", (_what, untrusted, named) => {
    const input = JSON.parse(JSON.stringify(untrusted));
    expect(() => parseNotaryProfile(input)).toThrow(InvalidArgumentError);
    expect(() => parseNotaryProfile(input)).toThrow(named);
  });
});

describe("notaryFingerprint", () => {
  it("is the SHA-256 of the RFC 8785 form, whatever the member order", () => {
    // The JCS form written out by hand: members sorted by key, no whitespace. Checkable with
    //   printf '%s' "$JCS" | sha256sum
    const jcs =
      `{"anchorers":["${A("6")}"],"chainId":1337,"codeHash":"${H("3")}","contract":"${A("2")}",` +
      `"deployment":{"blockHash":"${H("5")}","blockNumber":7,"txHash":"${H("4")}"},` +
      `"format":"notary-profile/v1","genesisHash":"${H("1")}","name":"Bank Notary (production)"}`;
    const expected = createHash("sha256").update(jcs, "utf8").digest("hex");
    expect(notaryFingerprint(profile)).toBe(expected);
    const reordered = JSON.parse(JSON.stringify({ ...profile, format: undefined, name: undefined }));
    expect(notaryFingerprint({ name: profile.name, ...reordered, format: profile.format })).toBe(expected);
  });

  it("changes with any field", () => {
    const base = notaryFingerprint(profile);
    expect(notaryFingerprint({ ...profile, chainId: 1338 })).not.toBe(base);
    expect(notaryFingerprint({ ...profile, deployment: { ...profile.deployment, blockNumber: 8 } })).not.toBe(
      base,
    );
  });

  it("groups for reading aloud", () => {
    expect(formatFingerprint("0123456789abcdef")).toBe("0123 4567 89ab cdef");
  });
});
