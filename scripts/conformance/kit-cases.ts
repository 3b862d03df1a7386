// The recordings and cases of the conformance kit (scripts/gen-conformance.ts): what happens
// on each recorded chain, and each case's bundle, the chain it asks, the profile it pins and
// the checks that must fail.
import { join } from "node:path";
import type { Bundle } from "../../service/core/bundle.ts";
import type { JsonObject } from "../../service/core/canonical.ts";
import type { CheckName } from "../../service/core/verify.ts";
import {
  anchorBatch,
  batchBundles,
  deployLookAlike,
  kitKey,
  type RecordingChain,
  signerOn,
  startRecording,
} from "./record-chain.ts";

export type ChainName = "notary" | "impostor";

/**
 * What a case is and what must come of it; `rpc` and `notary` name the recorded chain to ask
 * and whose profile to pin. `files` holds the bytes of bundle.json or record.json where they
 * are not the value written as indented JSON (docs/evidence-format.md section 2, "Reading a
 * file"): bytes that are not UTF-8, a byte-order mark, nesting too deep to indent.
 */
export interface KitCase {
  name: string;
  description: string;
  bundle: unknown;
  record?: unknown;
  files?: { bundle?: Uint8Array; record?: Uint8Array };
  rpc: ChainName;
  notary: ChainName;
  failed: CheckName[];
  verdict?: "unsupported_format" | "unreadable";
}

const BATCH_0: JsonObject[] = [
  {
    recordId: "kit-0001",
    caseId: "KIT-2026-001",
    kind: "photo",
    sha256: "7d1e".repeat(16),
    takenAt: "2026-05-30T08:12:00Z",
  },
];
const BATCH_1: JsonObject[] = [
  { recordId: "kit-0101", caseId: "KIT-2026-001", kind: "transfer", amount: "1250.00", currency: "EUR" },
  {
    recordId: "kit-0102",
    caseId: "KIT-2026-001",
    kind: "note",
    text: "Seal №7 intact – signed by officer Ødegård",
  },
  { recordId: "kit-0103", caseId: "KIT-2026-002", kind: "custody", from: "lab", to: "court", sealed: true },
  {
    recordId: "kit-0104",
    caseId: "KIT-2026-002",
    kind: "measurement",
    weightKg: 1.5,
    readings: [1e21, 1e-7],
  },
];
/** A record that was never notarized: the forger wants it to pass as kit-0103. */
const FORGED: JsonObject = { ...(BATCH_1[2] as JsonObject), to: "private buyer" };
const withForged = (records: JsonObject[], at: number) => records.map((r, i) => (i === at ? FORGED : r));

export interface Recorded {
  chains: Record<ChainName, RecordingChain>;
  cases: KitCase[];
}

/** Records both chains (left running) and states every case. */
export async function recordKit(workDir: string): Promise<Recorded> {
  const operator = kitKey("operator (deploys and anchors on both chains)");
  const tenant = kitKey("another allowlisted account, which deploys a look-alike");
  const notary = await startRecording(join(workDir, "notary"), {
    genesis: kitKey("genesis account of the notary's chain"),
    operator,
    allowedSenders: [tenant.address],
    notaryName: "Conformance kit notary (recorded chain)",
  });
  const impostor = await startRecording(join(workDir, "impostor"), {
    genesis: kitKey("genesis account of the impostor's chain"),
    operator,
    notaryName: "Conformance kit impostor (same chain id, another genesis)",
  });
  const contract = notary.chain.deployment.contract;
  if (impostor.chain.deployment.contract !== contract)
    throw new Error("the impostor's contract must sit at the notary's address");

  const signer = signerOn(notary, operator);
  const b0 = await anchorBatch(notary, signer, contract, 0, BATCH_0, "batch 0");
  const b1 = await anchorBatch(notary, signer, contract, 1, BATCH_1, "batch 1");
  const reverted = await anchorBatch(notary, signer, contract, 5, withForged(BATCH_1, 2), "reverted", {
    gasLimit: 200_000,
  });
  if (reverted.status !== 0) throw new Error("anchoring seq 5 after seq 1 must revert");
  const tenantSigner = signerOn(notary, tenant);
  const lookAlike = await deployLookAlike(tenantSigner);
  await anchorBatch(notary, tenantSigner, lookAlike, 0, BATCH_0, "look-alike batch 0");
  const forgedThere = await anchorBatch(
    notary,
    tenantSigner,
    lookAlike,
    1,
    withForged(BATCH_1, 2),
    "look-alike batch 1",
  );
  const impostorSigner = signerOn(impostor, operator);
  await anchorBatch(impostor, impostorSigner, contract, 0, BATCH_0, "impostor batch 0");
  const onImpostor = await anchorBatch(
    impostor,
    impostorSigner,
    contract,
    1,
    withForged(BATCH_1, 2),
    "impostor batch 1",
  );

  const genuine = b1.bundles[2] as Bundle;
  const on = (bundle: Bundle, change: Partial<Bundle["anchor"]>) => ({
    ...bundle,
    anchor: { ...bundle.anchor, ...change },
  });
  const kase = (
    name: string,
    description: string,
    bundle: unknown,
    failed: CheckName[],
    more: Partial<KitCase> = {},
  ): KitCase => ({
    name,
    description,
    bundle,
    record: BATCH_1[2],
    rpc: "notary",
    notary: "notary",
    failed,
    ...more,
  });
  const cases: KitCase[] = [
    kase("valid", "Record kit-0103, leaf 2 of 4 of batch 1: every check passes.", genuine, []),
    kase(
      "valid-single-leaf",
      "The only record of batch 0 (a tree of one leaf, an empty audit path).",
      b0.bundles[0],
      [],
      {
        record: BATCH_0[0],
      },
    ),
    kase(
      "valid-without-record",
      "Leaf 0 of batch 1 without its record: `digest` is not run, the verdict is valid.",
      b1.bundles[0],
      [],
      {
        record: undefined,
      },
    ),
    kase(
      "tampered-record",
      "The record was changed after it was notarized: `digest` fails.",
      genuine,
      ["digest"],
      { record: FORGED },
    ),
    kase(
      "tampered-root",
      "A forged record in a self-consistent tree (leaf, path and root agree offline) that claims batch 1's anchor: the chain holds another root.",
      batchBundles("forger", withForged(BATCH_1, 2), 1, genuine.anchor)[2],
      ["anchor_tx", "anchor_root", "onchain_inclusion"],
      { record: FORGED },
    ),
    kase(
      "tampered-tx",
      "anchor.txHash is the transaction that anchored batch 0: another event, in another block.",
      on(genuine, { txHash: b0.anchor.txHash }),
      ["anchor_tx", "anchor_block"],
    ),
    kase(
      "tampered-block",
      "anchor.blockHash is the hash of batch 0's block.",
      on(genuine, { blockHash: b0.anchor.blockHash }),
      ["anchor_block"],
    ),
    kase(
      "tampered-timestamp",
      "anchor.timestamp backdated by one hour: the contract's record and the block both say otherwise.",
      on(genuine, { timestamp: genuine.anchor.timestamp - 3600 }),
      ["anchor_root", "anchor_block"],
    ),
    kase(
      "reverted-tx",
      "The bundle claims batch 5, whose anchor call reverted (the receipt has status 0): getAnchor(5) reverts, an answer (no such anchor), and verifyInclusion answers false.",
      reverted.bundles[2],
      ["anchor_tx", "anchor_root", "onchain_inclusion"],
      { record: FORGED },
    ),
    kase(
      "another-contract",
      "The genuine bundle, edited to name the look-alike contract: `notary` fails before any chain question.",
      on(genuine, { contract: lookAlike }),
      ["notary"],
    ),
    kase(
      "look-alike",
      "A forged record anchored by another allowlisted account in a look-alike EvidenceAnchor (the same code) on the notary's own chain. Every anchor check would pass against the bundle's own contract; `notary` fails and they are not run.",
      forgedThere.bundles[2],
      ["notary"],
      { record: FORGED },
    ),
    kase(
      "another-chain-id",
      "The genuine bundle, edited to name chain 1337.",
      on(genuine, { chainId: 1337 }),
      ["notary"],
    ),
    kase(
      "wrong-genesis",
      "A forged record anchored on the impostor's chain: the same chain id, the same contract address and code, another genesis block. The bundle's claims equal the notary's profile; the endpoint's genesis does not.",
      onImpostor.bundles[2],
      ["notary"],
      { record: FORGED, rpc: "impostor" },
    ),
    kase(
      "wrong-genesis-own-profile",
      "The same bundle pinned to the impostor's own profile is valid: the pinned profile, compared by its fingerprint, is what decides whose evidence this is.",
      onImpostor.bundles[2],
      [],
      { record: FORGED, rpc: "impostor", notary: "impostor" },
    ),
    kase(
      "wrong-endpoint",
      "The genuine bundle, asked of the impostor's endpoint: the endpoint is a trust input, and this one does not serve the notary's chain.",
      genuine,
      ["notary"],
      { rpc: "impostor" },
    ),
    kase(
      "unknown-format",
      "A format this verifier does not know: no verdict, exit 2.",
      { ...genuine, format: "evidence-bundle/v2" },
      [],
      {
        verdict: "unsupported_format",
      },
    ),
    ...fileCases(genuine, b1.bundles[1] as Bundle, kase),
  ];
  return { chains: { notary, impostor }, cases };
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
const indented = (value: unknown) => utf8(`${JSON.stringify(value, null, 2)}\n`);

/** `levels` levels of arrays around 0, for an unknown member of a bundle (level 1). */
function nested(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/**
 * The cases of section 2's "Reading a file": files a verifier must refuse to read (no verdict,
 * never repaired), and the deepest bundle it must still read.
 */
function fileCases(
  genuine: Bundle,
  ofNote: Bundle,
  kase: (
    name: string,
    description: string,
    bundle: unknown,
    failed: CheckName[],
    more?: Partial<KitCase>,
  ) => KitCase,
): KitCase[] {
  const unreadable = { verdict: "unreadable" } as const;
  const relabelled = { ...genuine, recordId: "kit-0103 (Ødegård)" };
  const noteText = JSON.stringify(BATCH_1[1], null, 2);
  const [beforeName, afterName] = noteText.split("Ødegård") as [string, string];
  const deep = (levels: number) => ({ ...genuine, extension: nested(levels - 1) });
  return [
    kase(
      "bundle-not-utf8",
      "The genuine bundle with its recordId (a label, not hashed) changed to one written in Latin-1 (byte d8 for Ø): not UTF-8, so unreadable: no verdict, exit 2. Repaired with U+FFFD it would pass as genuine.",
      relabelled,
      [],
      { ...unreadable, files: { bundle: latin1(`${JSON.stringify(relabelled, null, 2)}\n`) } },
    ),
    kase(
      "bundle-with-bom",
      "The genuine bundle behind a UTF-8 byte-order mark (ef bb bf): unreadable, no verdict, exit 2.",
      genuine,
      [],
      { ...unreadable, files: { bundle: concat(BOM, indented(genuine)) } },
    ),
    kase(
      "record-not-utf8",
      "Record kit-0102, honest, but the officer's name saved in Latin-1 (d8 for Ø, e5 for å) by an editor: not UTF-8, so unreadable: no verdict, exit 2. Repaired with U+FFFD it would fail `digest` and look tampered with.",
      ofNote,
      [],
      {
        ...unreadable,
        record: BATCH_1[1],
        files: { record: concat(utf8(beforeName), latin1("Ødegård"), utf8(`${afterName}\n`)) },
      },
    ),
    kase(
      "record-with-bom",
      "The genuine bundle and its record, the record behind a UTF-8 byte-order mark: unreadable, no verdict, exit 2.",
      genuine,
      [],
      { ...unreadable, files: { record: concat(BOM, indented(BATCH_1[2])) } },
    ),
    kase(
      "bundle-nested-512-levels",
      "The genuine bundle with an unknown member nested so that the file has 512 levels (the bundle object is level 1): a verifier reads it, ignores the member, and finds it valid.",
      deep(512),
      [],
      { files: { bundle: utf8(`${JSON.stringify(deep(512))}\n`) } },
    ),
    kase(
      "bundle-nested-513-levels",
      "The same with 513 levels: deeper than a verifier must read, so unreadable: no verdict, exit 2.",
      deep(513),
      [],
      { ...unreadable, files: { bundle: utf8(`${JSON.stringify(deep(513))}\n`) } },
    ),
  ];
}
