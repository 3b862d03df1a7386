// `node scripts/gen-vectors.ts`: writes the known-answer vectors in test/vectors/.
//
// Every value comes from the core (canonical, leaf, merkle, bundle), so once committed the
// files pin today's behaviour: test/core/vectors.test.ts walks the folder and fails if the
// verifier disagrees with any file, and also if this script would now write something else.
// Salts here are derived from a fixed string so the output is reproducible; real salts are
// random (leaf.ts newSalt).
//
// Only the offline checks are pinned (schema, digest, leaf, root): the anchor block is
// synthetic. test/scripts/verify-cli.test.ts covers the chain checks against a real chain.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { type Bundle, buildBundle } from "../service/core/bundle.ts";
import { canonicalize, digestRecord, type JsonObject } from "../service/core/canonical.ts";
import { type Hex, toHex } from "../service/core/hex.ts";
import { hashLeaf } from "../service/core/leaf.ts";
import { buildTree, inclusionPath, treeRoot } from "../service/core/merkle.ts";
import { type CheckName, verifyBundleOffline } from "../service/core/verify.ts";

export const VECTORS_DIR = join(import.meta.dirname, "..", "test", "vectors");
const GENERATED_BY = "scripts/gen-vectors.ts";

const RECORDS: JsonObject[] = [
  {
    recordId: "ev-0001",
    caseId: "2024-CR-0117",
    kind: "photo",
    sha256: "9f2c".repeat(16),
    takenAt: "2024-03-01T09:14:00Z",
  },
  {
    recordId: "ev-0002",
    caseId: "2024-CR-0117",
    kind: "note",
    text: "Seal intact, bag №3 – signed by officer Ødegård",
  },
  {
    recordId: "ev-0003",
    caseId: "2024-CR-0117",
    kind: "measurement",
    weightKg: 1.5,
    readings: [1e21, 1e-7, 333333333.3333333],
  },
  { recordId: "ev-0004", caseId: "2024-CR-0118", kind: "custody", from: "lab", to: "court", emoji: "📦" },
  { recordId: "ev-0005", caseId: "2024-CR-0118", kind: "flag", sealed: true, witness: null },
];

const ANCHOR = {
  chainId: 31337,
  contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  txHash: toHex(sha256(new TextEncoder().encode("synthetic anchor transaction"))),
  blockNumber: 7,
  blockHash: toHex(sha256(new TextEncoder().encode("synthetic anchor block"))),
  timestamp: 1_709_287_200,
};
const BATCH = 3;

export function testSalt(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`evidence-notary test vector salt ${i}`));
}

interface BundleVector {
  kind: "bundle";
  description: string;
  generatedBy: string;
  input: { record: unknown; bundle: unknown };
  want: { ok: boolean; failed: CheckName[] };
  wantErr: boolean;
}

/** All vector files, by file name. */
export function generateVectors(): Record<string, unknown> {
  const salts = RECORDS.map((_, i) => testSalt(i));
  const digests = RECORDS.map(digestRecord);
  const leaves = digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d));
  const tree = buildTree(leaves);
  const root = treeRoot(tree);
  const bundles = RECORDS.map((record, i) =>
    buildBundle({
      recordId: record.recordId as string,
      digest: digests[i] as Uint8Array,
      salt: salts[i] as Uint8Array,
      leafIndex: i,
      treeSize: tree.size,
      proof: inclusionPath(tree, i),
      root,
      batch: BATCH,
      anchor: ANCHOR,
      record,
    }),
  );

  const files: Record<string, unknown> = {
    "batch-of-5.json": {
      kind: "batch",
      description:
        "Five records batched into one RFC 6962 tree: JCS text, digest, salt, leaf hash of each, the root, and every audit path.",
      generatedBy: GENERATED_BY,
      input: { records: RECORDS, salts: salts.map(toHex) },
      want: {
        jcs: RECORDS.map((r) => new TextDecoder().decode(canonicalize(r))),
        digests: digests.map(toHex),
        leafHashes: leaves.map(toHex),
        root: toHex(root),
        proofs: RECORDS.map((_, i) => inclusionPath(tree, i).map(toHex)),
      },
    },
  };
  for (const [i, bundle] of bundles.entries()) {
    files[`bundle-ok-leaf-${i}.json`] = vector(`A valid bundle for leaf ${i} of 5.`, RECORDS[i], bundle, []);
  }

  // Broken cases, all derived from the bundle of leaf 2 (path of 3 nodes: right, left, right).
  const base = bundles[2] as Bundle;
  const record = RECORDS[2];
  const other = bundles[3] as Bundle;
  const broken = (
    name: string,
    description: string,
    change: Partial<Bundle>,
    failed: CheckName[],
    rec = record,
  ) => {
    files[`${name}.json`] = vector(description, rec, { ...base, ...change }, failed);
  };
  broken("wrong-index", "leafIndex 2 changed to 3: same path length, different root.", { leafIndex: 3 }, [
    "root",
  ]);
  broken("index-out-of-range", "leafIndex 5 in a tree of 5 leaves.", { leafIndex: 5 }, ["root"]);
  broken("wrong-tree-size", "treeSize 5 changed to 4: leaf 2 of 4 has a 2-node path.", { treeSize: 4 }, [
    "root",
  ]);
  broken(
    "path-too-long",
    "The audit path has an extra node appended.",
    { proof: [...base.proof, base.root] },
    ["root"],
  );
  broken(
    "path-too-short",
    "The last node of the audit path is missing.",
    { proof: base.proof.slice(0, -1) },
    ["root"],
  );
  broken("path-node-flipped", "One bit flipped in proof[1].", { proof: flipProofNode(base.proof, 1) }, [
    "root",
  ]);
  broken("wrong-root", "One bit flipped in the root.", { root: flipBit(base.root) }, ["root"]);
  broken("wrong-leaf", "The leaf hash of another record (leaf 3).", { leafHash: other.leafHash }, [
    "leaf",
    "root",
  ]);
  broken("wrong-salt", "The salt of another record: the leaf no longer matches.", { salt: other.salt }, [
    "leaf",
  ]);
  broken("tampered-record", "The record was changed after notarization.", {}, ["digest"], {
    ...record,
    weightKg: 1.6,
  });
  broken(
    "trailing-garbage-in-proof-node",
    "proof[0] has one extra byte: not a 32-byte hash.",
    { proof: [`${base.proof[0]}00` as Hex, ...base.proof.slice(1)] },
    ["schema"],
  );
  broken("extra-bytes-in-salt", "The salt is 33 bytes.", { salt: `${base.salt}ff` as Hex }, ["schema"]);
  broken("uppercase-hex-root", "Non-canonical hex: the root in uppercase.", { root: upper(base.root) }, [
    "schema",
  ]);
  broken(
    "missing-0x-digest",
    "Non-canonical hex: the digest without 0x.",
    { digest: base.digest.slice(2) as Hex },
    ["schema"],
  );
  broken(
    "uppercase-contract",
    "Non-canonical hex: a checksummed (mixed-case) contract address.",
    {
      anchor: { ...base.anchor, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as Hex },
    },
    ["schema"],
  );
  broken(
    "unknown-format",
    "A format this reader does not know.",
    { format: "evidence-bundle/v2" as "evidence-bundle/v1" },
    ["schema"],
  );
  files["unknown-field-ignored.json"] = vector(
    "A v1 reader ignores fields it does not know.",
    record,
    { ...base, issuedBy: "evidence-notary 9.9", anchor: { ...base.anchor, confirmations: 12 } },
    [],
  );
  return files;
}

function vector(description: string, record: unknown, bundle: unknown, failed: CheckName[]): BundleVector {
  // Generated expectations must agree with the verifier, or this script refuses to write them.
  const report = verifyBundleOffline(bundle, { record });
  const actual = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
  if (actual.join() !== failed.join()) {
    throw new Error(`${description}: expected failed checks [${failed}], verifier says [${actual}]`);
  }
  return {
    kind: "bundle",
    description,
    generatedBy: GENERATED_BY,
    input: { record, bundle },
    want: { ok: failed.length === 0, failed },
    wantErr: failed.length > 0,
  };
}

function flipProofNode(proof: readonly Hex[], index: number): Hex[] {
  return proof.map((node, i) =>
    i === index
      ? (`0x${(Number.parseInt(node[2] as string, 16) ^ 8).toString(16)}${node.slice(3)}` as Hex)
      : node,
  );
}
function flipBit(hex: Hex): Hex {
  return flipProofNode([hex], 0)[0] as Hex;
}
function upper(hex: Hex): Hex {
  return `0x${hex.slice(2).toUpperCase()}` as Hex;
}

if (import.meta.main) {
  await mkdir(VECTORS_DIR, { recursive: true });
  const files = generateVectors();
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(VECTORS_DIR, name), `${JSON.stringify(content, null, 2)}\n`);
  }
  console.log(`wrote ${Object.keys(files).length} vector files to ${VECTORS_DIR}`);
}
