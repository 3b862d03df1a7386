// Walks every file in test/vectors/ (written by scripts/gen-vectors.ts) and checks the core
// against it: a "batch" vector pins JCS text, digests, leaf hashes, root and paths; a
// "bundle" vector pins which offline checks fail (wantErr) or that all pass.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateVectors, VECTORS_DIR } from "../../scripts/gen-vectors.ts";
import { canonicalize, digestRecord } from "../../service/core/canonical.ts";
import { fromHex, type Hex, toHex } from "../../service/core/hex.ts";
import { hashLeaf } from "../../service/core/leaf.ts";
import { buildTree, inclusionPath, rootFromPath, treeRoot } from "../../service/core/merkle.ts";
import { verifyBundleOffline } from "../../service/core/verify.ts";
import { failedChecks } from "./fixtures.ts";

interface BatchVector {
  kind: "batch";
  input: { records: unknown[]; salts: Hex[] };
  want: { jcs: string[]; digests: Hex[]; leafHashes: Hex[]; root: Hex; proofs: Hex[][] };
}
interface BundleVector {
  kind: "bundle";
  input: { record: unknown; bundle: unknown };
  want: { ok: boolean; failed: string[] };
  wantErr: boolean;
}

const files = readdirSync(VECTORS_DIR).filter((f) => f.endsWith(".json"));
const load = (file: string) =>
  JSON.parse(readFileSync(join(VECTORS_DIR, file), "utf8")) as BatchVector | BundleVector;

describe("test/vectors", () => {
  it("has vectors, both good and broken", () => {
    const vectors = files.map(load);
    expect(vectors.filter((v) => v.kind === "batch").length).toBeGreaterThan(0);
    expect(vectors.filter((v) => v.kind === "bundle" && !v.wantErr).length).toBeGreaterThan(0);
    expect(vectors.filter((v) => v.kind === "bundle" && v.wantErr).length).toBeGreaterThan(10);
  });

  it.each(files)("%s", (file) => {
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
    } else if (v.kind === "bundle") {
      const report = verifyBundleOffline(v.input.bundle, { record: v.input.record });
      expect(failedChecks(report)).toEqual(v.want.failed);
      expect(report.ok).toBe(v.want.ok);
      expect(v.wantErr).toBe(!v.want.ok);
    } else {
      throw new Error(`${file}: unknown vector kind ${(v as { kind: unknown }).kind}`);
    }
  });

  it("are what scripts/gen-vectors.ts generates today (regenerate and review the diff if not)", () => {
    const generated = generateVectors();
    expect(Object.keys(generated).sort()).toEqual([...files].sort());
    for (const file of files) expect(load(file), file).toEqual(generated[file]);
  });
});
