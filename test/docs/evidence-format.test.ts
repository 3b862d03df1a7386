// Keeps docs/evidence-format.md true: the worked example is parsed out of the markdown and
// every `name = formula = value` line is recomputed from the names above it (the record's
// digest, leaf and path, the notary profile's fingerprint and the code hash of the notary
// check), the JSON blocks must equal the committed vectors (bundle, profile, chain answers,
// which are served to the real verifier again), the profile's schema block must be the
// schema file, and the chain constants must match the code.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { Interface } from "ethers";
import { describe, expect, it } from "vitest";
import { type BundleVector, judgeVector } from "../../scripts/vectors/bundle-vectors.ts";
import type { RpcExchange } from "../../scripts/vectors/rpc-transcript.ts";
import { ANCHOR_ABI } from "../../service/chain/anchor-abi.ts";
import { canonicalize, canonicalText } from "../../service/core/canonical.ts";
import {
  ERASURE_STATEMENT_SCHEMA,
  parseErasureStatement,
  statementDigest,
} from "../../service/core/erasure-statement.ts";
import { fromHex, type Hex, isHex, toHex } from "../../service/core/hex.ts";
import { rootFromPath } from "../../service/core/merkle.ts";
import {
  formatFingerprint,
  NOTARY_PROFILE_SCHEMA,
  type NotaryProfile,
  notaryFingerprint,
  parseNotaryProfile,
} from "../../service/core/notary-profile.ts";
import { ROOT_ANCHORED_TOPIC, verifyBundleOffline } from "../../service/core/verify.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const DOC = readFileSync(join(ROOT, "docs", "evidence-format.md"), "utf8");
const vector = (name: string) => JSON.parse(readFileSync(join(ROOT, "test", "vectors", name), "utf8"));
const VECTOR = vector("bundle-ok-leaf-2.json") as {
  input: { record: unknown; bundle: Record<string, unknown> };
};
const PROFILE = vector("notary-profile.json") as {
  input: { profile: NotaryProfile };
  want: { fingerprint: string };
};
const CHAIN_VECTOR = vector("chain-ok-leaf-2.json") as BundleVector;

function section(title: string): string {
  const start = DOC.indexOf(`## ${title}`);
  expect(start, `section "${title}" in the doc`).toBeGreaterThanOrEqual(0);
  const end = DOC.indexOf("\n## ", start + 1);
  return DOC.slice(start, end === -1 ? undefined : end);
}

function codeBlocks(text: string, lang: string): string[] {
  const re = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g");
  return [...text.matchAll(re)].map((m) => m[1] as string);
}

type Value = { text: string } | { bytes: Uint8Array };

/** Evaluates the worked-example lines; returns every named value and how many formulas were recomputed. */
function evaluateTrace(block: string): { values: Map<string, Value>; recomputed: number } {
  const values = new Map<string, Value>();
  let recomputed = 0;
  const bytesOf = (operand: string): Uint8Array => {
    if (isHex(operand)) return fromHex(operand);
    const utf8Of = /^UTF-8\((\w+)\)$/.exec(operand);
    if (utf8Of) {
      const v = values.get(utf8Of[1] as string);
      if (v === undefined || !("text" in v)) throw new Error(`unknown text ${utf8Of[1]}`);
      return new TextEncoder().encode(v.text);
    }
    const v = values.get(operand);
    if (v === undefined || !("bytes" in v)) throw new Error(`unknown or non-byte operand ${operand}`);
    return v.bytes;
  };
  for (const line of block.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^(\w+)\s+=\s+(.*)$/.exec(line);
    if (m === null) throw new Error(`unparsed line: ${line}`);
    const name = m[1] as string;
    const parts = (m[2] as string).split(" = ");
    const stated = parts[parts.length - 1] as string;
    const formulas = parts.slice(0, -1);
    if (!isHex(stated)) {
      expect(formulas, line).toEqual([]);
      values.set(name, { text: stated });
      continue;
    }
    for (const formula of formulas) {
      let computed: Uint8Array;
      const hash = /^SHA-256\((.*)\)$/.exec(formula);
      const keccak = /^KECCAK-256\((\w+)\)$/.exec(formula);
      const utf8 = /^UTF-8\((\w+)\)$/.exec(formula);
      if (keccak) {
        computed = keccak_256(bytesOf(keccak[1] as string));
      } else if (hash) {
        const operands = (hash[1] as string).split(" || ").map(bytesOf);
        const input = new Uint8Array(operands.reduce((n, o) => n + o.length, 0));
        let at = 0;
        for (const o of operands) {
          input.set(o, at);
          at += o.length;
        }
        computed = sha256(input);
      } else if (utf8) {
        const v = values.get(utf8[1] as string);
        if (v === undefined || !("text" in v)) throw new Error(`unknown text ${utf8[1]}`);
        computed = new TextEncoder().encode(v.text);
      } else {
        computed = bytesOf(formula);
      }
      expect(toHex(computed), `${name} = ${formula}`).toBe(stated);
      recomputed++;
    }
    values.set(name, { bytes: fromHex(stated) });
  }
  return { values, recomputed };
}

const hexOf = (values: Map<string, Value>, name: string): Hex => {
  const v = values.get(name);
  if (v === undefined || !("bytes" in v)) throw new Error(`no hex value ${name} in the worked example`);
  return toHex(v.bytes);
};

describe("docs/evidence-format.md", () => {
  const example = section("14. Worked example");
  // The example's text blocks are one trace: later blocks use names from earlier ones.
  const trace = codeBlocks(example, "text").join("\n");
  const [recordJson, transcriptJson] = codeBlocks(example, "json");

  it("states a worked example whose every formula recomputes to the value written next to it", () => {
    expect(trace).not.toBe("");
    const { recomputed } = evaluateTrace(trace);
    expect(recomputed).toBe(17);
  });

  it("uses the record of the vector, and its JCS text is what the code produces", () => {
    const record = JSON.parse(recordJson as string);
    expect(record).toEqual(VECTOR.input.record);
    const { values } = evaluateTrace(trace);
    const jcs = values.get("jcs");
    expect(jcs && "text" in jcs ? jcs.text : undefined).toBe(new TextDecoder().decode(canonicalize(record)));
  });

  it("walks the audit path to the bundle's root, and the bundle in section 2 is the vector and verifies", () => {
    const { values } = evaluateTrace(trace);
    const bundle = JSON.parse(codeBlocks(section("2. The bundle (v1)"), "json")[0] as string);
    expect(bundle).toEqual(VECTOR.input.bundle);
    expect(verifyBundleOffline(bundle, { record: VECTOR.input.record }).ok).toBe(true);
    expect(["digest", "salt", "leafHash", "root"].map((k) => hexOf(values, k))).toEqual([
      bundle.digest,
      bundle.salt,
      bundle.leafHash,
      bundle.root,
    ]);
    expect(["p0", "p1", "p2"].map((k) => hexOf(values, k))).toEqual(bundle.proof);
    expect(hexOf(values, "r3")).toBe(bundle.root);
    const viaCode = rootFromPath(fromHex(bundle.leafHash), 2, 5, bundle.proof.map(fromHex));
    expect(toHex(viaCode)).toBe(hexOf(values, "r3"));
  });

  it("specifies the notary profile with the schema file, the vector's profile, and its fingerprint", () => {
    const profileSection = section("9. The notary profile");
    const [profileJson, schemaJson] = codeBlocks(profileSection, "json");
    const profile = parseNotaryProfile(JSON.parse(profileJson as string));
    expect(profile).toEqual(PROFILE.input.profile);
    expect(JSON.parse(schemaJson as string)).toEqual(NOTARY_PROFILE_SCHEMA);
    const properties = NOTARY_PROFILE_SCHEMA.properties;
    const fields = [
      ...Object.keys(properties),
      ...Object.keys(properties.deployment.properties).map((k) => `deployment.${k}`),
    ].filter((f) => f !== "deployment");
    for (const field of fields) expect(profileSection, field).toContain(`| \`${field}\``);
    const fingerprint = notaryFingerprint(profile);
    expect(fingerprint).toBe(PROFILE.want.fingerprint);
    expect(codeBlocks(profileSection, "text")[0]).toBe(`${fingerprint}\n${formatFingerprint(fingerprint)}\n`);

    const { values } = evaluateTrace(trace);
    const jcs = values.get("profile_jcs");
    expect(jcs && "text" in jcs ? jcs.text : undefined).toBe(new TextDecoder().decode(canonicalize(profile)));
    expect(hexOf(values, "fingerprint")).toBe(`0x${fingerprint}`);
    expect(example).toContain(formatFingerprint(fingerprint));
  });

  it("shows the chain's answers of the chain vector, and they pass the notary check as the trace says", async () => {
    const transcript = JSON.parse(transcriptJson as string) as RpcExchange[];
    expect(transcript).toEqual(CHAIN_VECTOR.input.chain);
    const profile = PROFILE.input.profile;
    const { values } = evaluateTrace(trace);
    expect(hexOf(values, "chain_id")).toBe(`0x${profile.chainId.toString(16)}`);
    expect(hexOf(values, "genesis")).toBe(profile.genesisHash);
    expect(hexOf(values, "deployed")).toBe(profile.deployment.blockHash);
    expect(hexOf(values, "codeHash")).toBe(profile.codeHash);
    const answer = (method: string, first?: unknown) =>
      transcript.find((e) => e.method === method && (first === undefined || e.params[0] === first))?.result;
    expect(answer("eth_getCode")).toBe(hexOf(values, "code"));
    expect((answer("eth_getBlockByNumber", "0x0") as { hash: string }).hash).toBe(hexOf(values, "genesis"));
    expect((answer("eth_getBlockByNumber", "0x2") as { hash: string }).hash).toBe(hexOf(values, "deployed"));
    const got = await judgeVector({ ...CHAIN_VECTOR.input, chain: transcript });
    expect(got).toMatchObject({ verdict: "valid", failed: [], unanswered: [] });
    // Section 10 lists exactly the methods a verifier asks.
    const methods = [...new Set(transcript.map((e) => e.method))].sort();
    const listed = [...section("10. Asking the chain").matchAll(/^\| `(eth_\w+)`/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(methods);
  });

  it("lists every vector file in section 15", () => {
    const vectors = section("15. Test vectors");
    for (const file of readdirSync(join(ROOT, "test", "vectors"))) {
      const leaf = /^bundle-ok-leaf-\d\.json$/.test(file) ? "bundle-ok-leaf-{0..4}.json" : file;
      expect(vectors, file).toContain(`\`${leaf}\``);
    }
  });

  it("gives the contract's event topic and function selectors as the ABI computes them", () => {
    const keccak = (signature: string) => toHex(keccak_256(new TextEncoder().encode(signature)));
    expect(DOC).toContain(`topic0 = \`${ROOT_ANCHORED_TOPIC}\``);
    expect(DOC).toContain(`\`${keccak("getAnchor(uint64)").slice(0, 10)}\``);
    expect(DOC).toContain(`\`${keccak("verifyInclusion(uint64,bytes32,uint64,bytes32[])").slice(0, 10)}\``);
  });

  it("describes the verifyInclusion call data as the ABI encodes it", () => {
    expect(DOC).toContain("`0xaa6dec5e ‖ uint256(seq) ‖ leafHash ‖ uint256(leafIndex) ‖ uint256(0x80) ‖");
    const b = VECTOR.input.bundle as { batch: number; leafHash: string; leafIndex: number; proof: string[] };
    const word = (n: number) => n.toString(16).padStart(64, "0");
    const byDoc = `0xaa6dec5e${word(b.batch)}${b.leafHash.slice(2)}${word(b.leafIndex)}${word(0x80)}${word(
      b.proof.length,
    )}${b.proof.map((p) => p.slice(2)).join("")}`;
    const byAbi = new Interface(ANCHOR_ABI).encodeFunctionData("verifyInclusion", [
      b.batch,
      b.leafHash,
      b.leafIndex,
      b.proof,
    ]);
    expect(byDoc).toBe(byAbi);
  });
});

describe("section Erasure statements", () => {
  const start = DOC.search(/^## \d+\. Erasure statements$/m);
  const end = DOC.indexOf("\n## ", start + 1);
  const text = DOC.slice(start, end === -1 ? undefined : end);
  const [example, schema] = codeBlocks(text, "json").map((block) => JSON.parse(block));

  it("shows the statement's JSON Schema as the file the code validates with", () => {
    expect(start).toBeGreaterThan(0);
    expect(schema).toEqual(ERASURE_STATEMENT_SCHEMA);
  });

  it("its example is a valid statement, whose JCS text and digest are the ones shown", () => {
    expect(parseErasureStatement(example)).toEqual(example);
    const [trace] = codeBlocks(text, "text");
    const jcs = /^jcs\s+= (.*)$/m.exec(trace as string)?.[1];
    const digest = /^digest = SHA-256\(UTF-8\(jcs\)\) = (0x[0-9a-f]{64})$/m.exec(trace as string)?.[1];
    expect(jcs).toBe(canonicalText(example));
    expect(digest).toBe(toHex(sha256(new TextEncoder().encode(jcs))));
    expect(digest).toBe(toHex(statementDigest(example).digest));
  });
});
