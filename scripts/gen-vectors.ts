// `node scripts/gen-vectors.ts`: writes the known-answer vectors in test/vectors/.
//
// Every value comes from the core (canonical, leaf, merkle, bundle, notary-profile), so once
// committed the files pin today's behaviour: test/core/vectors.test.ts walks the folder and
// fails if the verifier disagrees with any file, and also if this script would now write
// something else. Salts here are derived from a fixed string so the output is reproducible;
// real salts are random (leaf.ts newSalt).
//
// Three kinds of file (docs/evidence-format.md section 15):
//   batch   JCS, digests, leaf hashes, root and paths of five records;
//   notary  the pinned notary profile of every bundle vector: its JCS bytes and fingerprint;
//   bundle  a bundle (and record) judged against that pinned profile. Without `input.chain`
//           no chain is asked: the offline checks, and the offline half of `notary` (does the
//           bundle name the profile's chain id and contract?). With `input.chain`, a
//           transcript of a JSON-RPC endpoint (scripts/vectors/chain-model.ts) answers the
//           chain checks: a genuine chain, a forged one, or one that fails.
// The chain and anchor are synthetic (hashes of fixed strings, a made-up contract code): the
// conformance kit (conformance/, scripts/gen-conformance.ts) has the same checks on a real chain.
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Bundle } from "../service/core/bundle.ts";
import { canonicalize, digestRecord } from "../service/core/canonical.ts";
import { type Hex, toHex } from "../service/core/hex.ts";
import { hashLeaf } from "../service/core/leaf.ts";
import { buildTree, inclusionPath, treeRoot } from "../service/core/merkle.ts";
import { formatFingerprint, notaryFingerprint } from "../service/core/notary-profile.ts";
import {
  bundleVector,
  GENERATED_BY,
  LOOK_ALIKE,
  VECTOR_NOTARY,
  type VectorIntent,
} from "./vectors/bundle-vectors.ts";
import { addChainVectors } from "./vectors/chain-vectors.ts";
import { formatJson, vectorText } from "./vectors/format-json.ts";
import {
  batchOf,
  flipBit,
  flipProofNode,
  nestedRecord,
  RECORDS,
  singleLeafBundle,
  testSalt,
  upper,
} from "./vectors/records.ts";

export const VECTORS_DIR = join(import.meta.dirname, "..", "test", "vectors");

/** All vector files, by file name. Async: each chain vector is checked over real HTTP. */
export async function generateVectors(): Promise<Record<string, unknown>> {
  const salts = RECORDS.map((_, i) => testSalt(i));
  const digests = RECORDS.map(digestRecord);
  const leaves = digests.map((d, i) => hashLeaf(salts[i] as Uint8Array, d));
  const tree = buildTree(leaves);
  const root = treeRoot(tree);
  const bundles = batchOf(RECORDS);

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
    "notary-profile.json": {
      kind: "notary",
      description:
        "The notary profile every bundle vector pins: its RFC 8785 (JCS) text, and its fingerprint, SHA-256 of those bytes, in full and in groups of four.",
      generatedBy: GENERATED_BY,
      input: { profile: VECTOR_NOTARY },
      want: {
        jcs: new TextDecoder().decode(canonicalize(VECTOR_NOTARY)),
        fingerprint: notaryFingerprint(VECTOR_NOTARY),
        grouped: formatFingerprint(notaryFingerprint(VECTOR_NOTARY)),
      },
    },
  };
  const add = async (name: string, intent: VectorIntent) => {
    files[`${name}.json`] = await bundleVector(intent);
  };
  const offline = (description: string, bundle: unknown, failed: VectorIntent["failed"], record?: unknown) =>
    ({ description, bundle, record, failed }) satisfies VectorIntent;

  for (const [i, bundle] of bundles.entries()) {
    await add(`bundle-ok-leaf-${i}`, offline(`A valid bundle for leaf ${i} of 5.`, bundle, [], RECORDS[i]));
  }

  // Broken offline, all derived from the bundle of leaf 2 (path of 3 nodes: right, left, right).
  const base = bundles[2] as Bundle;
  const record = RECORDS[2];
  const other = bundles[3] as Bundle;
  const broken = (
    name: string,
    description: string,
    change: object,
    failed: VectorIntent["failed"],
    rec = record,
  ) => add(name, offline(description, { ...base, ...change }, failed, rec));
  await broken(
    "wrong-index",
    "leafIndex 2 changed to 3: same path length, different root.",
    { leafIndex: 3 },
    ["root"],
  );
  await broken("index-out-of-range", "leafIndex 5 in a tree of 5 leaves.", { leafIndex: 5 }, ["root"]);
  await broken(
    "wrong-tree-size",
    "treeSize 5 changed to 4: leaf 2 of 4 has a 2-node path.",
    { treeSize: 4 },
    ["root"],
  );
  await broken(
    "path-too-long",
    "The audit path has an extra node appended.",
    { proof: [...base.proof, base.root] },
    ["root"],
  );
  await broken(
    "path-too-short",
    "The last node of the audit path is missing.",
    { proof: base.proof.slice(0, -1) },
    ["root"],
  );
  await broken("path-node-flipped", "One bit flipped in proof[1].", { proof: flipProofNode(base.proof, 1) }, [
    "root",
  ]);
  await broken("wrong-root", "One bit flipped in the root.", { root: flipBit(base.root) }, ["root"]);
  await broken("wrong-leaf", "The leaf hash of another record (leaf 3).", { leafHash: other.leafHash }, [
    "leaf",
    "root",
  ]);
  await broken(
    "wrong-salt",
    "The salt of another record: the leaf no longer matches.",
    { salt: other.salt },
    ["leaf"],
  );
  await broken("tampered-record", "The record was changed after notarization.", {}, ["digest"], {
    ...record,
    weightKg: 1.6,
  });
  await broken(
    "trailing-garbage-in-proof-node",
    "proof[0] has one extra byte: not a 32-byte hash.",
    { proof: [`${base.proof[0]}00` as Hex, ...base.proof.slice(1)] },
    ["schema"],
  );
  await broken("extra-bytes-in-salt", "The salt is 33 bytes.", { salt: `${base.salt}ff` as Hex }, ["schema"]);
  await broken(
    "uppercase-hex-root",
    "Non-canonical hex: the root in uppercase.",
    { root: upper(base.root) },
    ["schema"],
  );
  await broken(
    "missing-0x-digest",
    "Non-canonical hex: the digest without 0x.",
    { digest: base.digest.slice(2) },
    ["schema"],
  );
  await broken(
    "uppercase-contract",
    "Non-canonical hex: a checksummed (mixed-case) contract address. It cannot be compared with the pinned profile, so `notary` fails too.",
    { anchor: { ...base.anchor, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" } },
    ["schema", "notary"],
  );
  await add("unknown-format", {
    description:
      "A format this verifier does not know (a later version): no check is run and no verdict is given.",
    bundle: { ...base, format: "evidence-bundle/v2" },
    record,
    failed: [],
    verdict: "unsupported_format",
  });
  await add(
    "unknown-field-ignored",
    offline(
      "A v1 reader ignores fields it does not know.",
      { ...base, issuedBy: "evidence-notary 9.9", anchor: { ...base.anchor, confirmations: 12 } },
      [],
      record,
    ),
  );
  await broken(
    "record-id-changed",
    "The recordId changed to another label: no hash covers it, so every check passes (the digest, not the id, ties the record to the bundle).",
    { recordId: "ev-9999" },
    [],
  );
  await add(
    "not-an-object",
    offline(
      "The bundle is a JSON array, not an object: `schema` fails, and `notary` fails since no chain id or contract can be read.",
      [base],
      ["schema", "notary"],
      record,
    ),
  );

  // Nesting (section 3): 256 levels are canonicalized, 257 are not. Each record is the only
  // leaf of its own tree, so a verifier that counts levels otherwise, or has no limit, finds
  // every other check passing and disagrees on `digest` alone.
  for (const [levels, failed] of [
    [256, []],
    [257, ["digest"]],
  ] as const) {
    const deep = nestedRecord(levels);
    // One member holding an integer: JSON.stringify writes its JCS text, at any depth.
    const digest = sha256(new TextEncoder().encode(JSON.stringify(deep)));
    await add(
      `record-nested-${levels}-levels`,
      offline(
        levels === 256
          ? "A record of 256 levels of nesting (the record object is level 1, each array inside adds one), the most JCS allows here: valid."
          : "A record of 257 levels of nesting cannot be canonicalized: `digest` fails, although the bundle holds the digest of its JCS text as a canonicalizer without a limit would write it.",
        singleLeafBundle(`ev-nested-${levels}`, digest, testSalt(levels), {
          batch: base.batch,
          anchor: base.anchor,
        }),
        [...failed],
        deep,
      ),
    );
  }

  // The notary check's offline half: the bundle's claims against the pinned profile.
  await broken(
    "notary-another-contract",
    "The bundle names another contract than the pinned profile (any contract, anchored anything): `notary` fails without asking a chain.",
    { anchor: { ...base.anchor, contract: LOOK_ALIKE } },
    ["notary"],
  );
  await broken(
    "notary-another-chain-id",
    "The bundle names chain 1337, the pinned profile chain 31337: `notary` fails without asking a chain.",
    { anchor: { ...base.anchor, chainId: 1337 } },
    ["notary"],
  );
  await broken(
    "notary-malformed-chain-id",
    'anchor.chainId is the string "31337": `schema` fails, and `notary` fails (it cannot compare the chain id); the anchor checks are not run.',
    { anchor: { ...base.anchor, chainId: "31337" } },
    ["schema", "notary"],
  );

  await addChainVectors(add, base, record);
  return files;
}

if (import.meta.main) {
  const files = await generateVectors();
  await mkdir(VECTORS_DIR, { recursive: true });
  for (const name of await readdir(VECTORS_DIR)) {
    if (name.endsWith(".json") && !(name in files)) await rm(join(VECTORS_DIR, name));
  }
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(VECTORS_DIR, name), vectorText(content as object));
  }
  formatJson(VECTORS_DIR);
  console.log(`wrote ${Object.keys(files).length} vector files to ${VECTORS_DIR}`);
}
