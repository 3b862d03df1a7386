// Walks every file in test/vectors/ (written by scripts/gen-vectors.ts) and checks the core
// against it: a "batch" vector pins JCS text, digests, leaf hashes, root and paths; a
// "notary" vector pins a profile's JCS text and fingerprint; a "bundle" vector pins the
// verdict and every check's status, judged against the pinned profile, and against a chain
// transcript served over real HTTP when it has one (read by the real JSON-RPC ChainReader).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateVectors, VECTORS_DIR } from "../../scripts/gen-vectors.ts";
import { type BundleVector, judgeVector } from "../../scripts/vectors/bundle-vectors.ts";
import { canonicalize, digestRecord } from "../../service/core/canonical.ts";
import { fromHex, type Hex, toHex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath, rootFromPath, treeRoot } from "../../service/core/merkle.ts";
import {
  formatFingerprint,
  notaryFingerprint,
  parseNotaryProfile,
} from "../../service/core/notary-profile.ts";

interface BatchVector {
  kind: "batch";
  input: { records: unknown[]; salts: Hex[] };
  want: { jcs: string[]; digests: Hex[]; leafHashes: Hex[]; root: Hex; proofs: Hex[][] };
}
interface NotaryVector {
  kind: "notary";
  input: { profile: unknown };
  want: { jcs: string; fingerprint: string; grouped: string };
}

const files = readdirSync(VECTORS_DIR).filter((f) => f.endsWith(".json"));
const load = (file: string) =>
  JSON.parse(readFileSync(join(VECTORS_DIR, file), "utf8")) as BatchVector | NotaryVector | BundleVector;

describe("test/vectors", () => {
  it("has vectors, good and broken, offline and on a chain, for every chain check", () => {
    const bundles = files.map(load).filter((v): v is BundleVector => v.kind === "bundle");
    expect(files.map(load).filter((v) => v.kind === "batch")).toHaveLength(1);
    expect(files.map(load).filter((v) => v.kind === "notary")).toHaveLength(1);
    expect(bundles.filter((v) => !v.wantErr && v.input.chain === undefined).length).toBeGreaterThan(0);
    expect(bundles.filter((v) => !v.wantErr && v.input.chain !== undefined).length).toBeGreaterThan(0);
    expect(bundles.filter((v) => v.wantErr).length).toBeGreaterThan(30);
    const failedOnChain = new Set(bundles.filter((v) => v.input.chain).flatMap((v) => v.want.failed));
    for (const check of ["notary", "anchor_tx", "anchor_root", "anchor_block", "onchain_inclusion"]) {
      expect(failedOnChain, check).toContain(check);
    }
    for (const verdict of ["unsupported_format", "chain_unavailable"]) {
      expect(bundles.map((v) => v.want.verdict)).toContain(verdict);
    }
  });

  it.each(files)("%s", async (file) => {
    const v = load(file);
    if (v.kind === "batch") {
      const { records, salts } = v.input;
      expect(records.map((r) => new TextDecoder().decode(canonicalize(r)))).toEqual(v.want.jcs);
      const digests = records.map(digestRecord);
      expect(digests.map(toHex)).toEqual(v.want.digests);
      const leaves = digests.map((d, i) => hashLeaf(fromHex(salts[i] as Hex), d));
      expect(leaves.map(toHex)).toEqual(v.want.leafHashes);
      const tree = buildTree(leaves);
      expect(toHex(treeRoot(tree))).toBe(v.want.root);
      for (const [i, leaf] of leaves.entries()) {
        expect(inclusionPath(tree, i).map(toHex)).toEqual(v.want.proofs[i]);
        const path = (v.want.proofs[i] as Hex[]).map(fromHex);
        expect(toHex(rootFromPath(leaf, i, leaves.length, path))).toBe(v.want.root);
      }
    } else if (v.kind === "notary") {
      const profile = parseNotaryProfile(v.input.profile);
      expect(new TextDecoder().decode(canonicalize(profile))).toBe(v.want.jcs);
      expect(notaryFingerprint(profile)).toBe(v.want.fingerprint);
      expect(formatFingerprint(v.want.fingerprint)).toBe(v.want.grouped);
    } else if (v.kind === "bundle") {
      const got = await judgeVector(v.input);
      expect(got.unanswered, "every question the verifier asked has a recorded answer").toEqual([]);
      expect(got.verdict).toBe(v.want.verdict);
      expect(got.failed).toEqual(v.want.failed);
      expect(got.checks).toEqual(v.want.checks);
      expect(v.wantErr).toBe(v.want.verdict !== "valid");
      expect(v.want.exitCode).toBe({ valid: 0, invalid: 1 }[v.want.verdict as string] ?? 2);
    } else {
      throw new Error(`${file}: unknown vector kind ${(v as { kind: unknown }).kind}`);
    }
  });

  it("are what scripts/gen-vectors.ts generates today (regenerate and review the diff if not)", async () => {
    const generated = await generateVectors();
    expect(Object.keys(generated).sort()).toEqual([...files].sort());
    for (const file of files) expect(load(file), file).toEqual(JSON.parse(JSON.stringify(generated[file])));
  });
});
