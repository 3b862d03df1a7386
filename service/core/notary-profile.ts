// The notary profile (format "notary-profile/v1"): the trust root a verifier pins. It names
// one chain (by chain id and genesis block hash) and one EvidenceAnchor contract on it (by
// address, deployment block and runtime-code hash). A bundle is evidence of this notary only
// when it was anchored there; the bundle's own claims about chain and contract are attacker
// input and are compared with the profile, never trusted (see verify.ts, check `notary`).
//
// Its fingerprint names it: SHA-256 of its RFC 8785 (JCS) bytes, as 64 lowercase hex digits.
// An operator publishes the fingerprint out of band (website, court filing); a recipient
// compares it with the fingerprint of the profile file they were given. That comparison,
// not any file handed over with the evidence, is what makes verification independent.
//
// Pure: no node: imports; runs in the browser verification page too.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { Ajv } from "ajv";
import { canonicalize } from "./canonical.ts";
import { InvalidArgumentError } from "./errors.ts";
import type { Hex } from "./hex.ts";
import schema from "./notary-profile.schema.json" with { type: "json" };

export const NOTARY_PROFILE_FORMAT = "notary-profile/v1";
export const NOTARY_PROFILE_SCHEMA = schema;

export interface NotaryProfile {
  format: typeof NOTARY_PROFILE_FORMAT;
  name: string;
  chainId: number;
  /** Hash of block 0 of the chain. */
  genesisHash: Hex;
  /** EvidenceAnchor address, lowercase. */
  contract: Hex;
  /** keccak-256 of the contract's runtime code. */
  codeHash: Hex;
  deployment: { txHash: Hex; blockNumber: number; blockHash: Hex };
  /** Accounts holding ANCHORER_ROLE when the profile was written, lowercase. */
  anchorers: Hex[];
}

const validateProfile = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** Validates untrusted input as a v1 profile. Throws InvalidArgumentError naming every bad field. */
export function parseNotaryProfile(untrustedProfile: unknown): NotaryProfile {
  if (validateProfile(untrustedProfile)) return untrustedProfile as unknown as NotaryProfile;
  const problems = (validateProfile.errors ?? []).map((e) => {
    const params = e.params as Record<string, unknown>;
    const path =
      e.keyword === "required"
        ? `${e.instancePath}/${String(params.missingProperty)}`
        : e.keyword === "additionalProperties"
          ? `${e.instancePath}/${String(params.additionalProperty)}`
          : e.instancePath;
    const message =
      e.keyword === "required"
        ? "is missing"
        : e.keyword === "additionalProperties"
          ? "is not a notary-profile/v1 field"
          : (e.message ?? e.keyword);
    return `${path || "(profile)"} ${message}`;
  });
  throw new InvalidArgumentError(
    "invalid_notary_profile",
    `not a valid ${NOTARY_PROFILE_FORMAT} profile: ${problems.join("; ")}`,
    { details: { problems } },
  );
}

/** SHA-256 of the profile's RFC 8785 bytes, 64 lowercase hex digits. Requires a parsed profile. */
export function notaryFingerprint(profile: NotaryProfile): string {
  return bytesToHex(sha256(canonicalize(profile)));
}

/** The fingerprint in groups of four, for people to read aloud and compare. */
export function formatFingerprint(fingerprint: string): string {
  return fingerprint.match(/.{1,4}/g)?.join(" ") ?? fingerprint;
}
