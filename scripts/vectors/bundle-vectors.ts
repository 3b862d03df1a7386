// The pinned notary, the synthetic chain and the judging of bundle vectors, for
// scripts/gen-vectors.ts (which writes them) and test/core/vectors.test.ts (which checks
// them). A vector states what a verifier must conclude; judgeVector is how ours does it:
// pinned to `input.notary`, asking `input.chain` (a transcript served over real HTTP) when
// there is one.
import { sha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import type { Bundle } from "../../service/core/bundle.ts";
import type { CheckStatus } from "../../service/core/check-outcome.ts";
import { ChainUnavailableError } from "../../service/core/errors.ts";
import { fromHex, type Hex, toHex } from "../../service/core/hex.ts";
import { NOTARY_PROFILE_FORMAT, type NotaryProfile } from "../../service/core/notary-profile.ts";
import { type CheckName, verifyBundle } from "../../service/core/verify.ts";
import { anchorReceipt, type ChainModel, type ModelAnchor, transcript } from "./chain-model.ts";
import { type RpcExchange, serveTranscript } from "./rpc-transcript.ts";

export const GENERATED_BY = "scripts/gen-vectors.ts";

/** SHA-256 of a fixed label: the synthetic hashes of the vectors. */
export const fixed = (label: string): Hex => toHex(sha256(new TextEncoder().encode(label)));
const address = (label: string): Hex => fixed(label).slice(0, 42) as Hex;

export const BATCH = 3;
export const ANCHOR = {
  chainId: 31337,
  contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3" as Hex,
  txHash: fixed("synthetic anchor transaction"),
  blockNumber: 7,
  blockHash: fixed("synthetic anchor block"),
  timestamp: 1_709_287_200,
};
/** Another EvidenceAnchor, with the same code, that an attacker deployed. */
export const LOOK_ALIKE = address("look-alike contract");

/** The contract's runtime code on the synthetic chain: made-up bytes, only its keccak-256 is compared. */
export const VECTOR_CODE = toHex(new TextEncoder().encode("EvidenceAnchor runtime code (synthetic)"));

export const VECTOR_NOTARY: NotaryProfile = {
  format: NOTARY_PROFILE_FORMAT,
  name: "Example notary (test vectors)",
  chainId: ANCHOR.chainId,
  genesisHash: fixed("synthetic genesis block"),
  contract: ANCHOR.contract,
  codeHash: toHex(keccak_256(fromHex(VECTOR_CODE))),
  deployment: {
    txHash: fixed("synthetic deployment transaction"),
    blockNumber: 2,
    blockHash: fixed("synthetic deployment block"),
  },
  anchorers: [address("synthetic anchorer")],
};

/** Batches 0..2 before the vectors' batch 3, one leaf each, in blocks 4..6. */
function earlierAnchors(label: string): ModelAnchor[] {
  return [0, 1, 2].map((seq) => ({
    root: fixed(`${label} root of batch ${seq}`),
    treeSize: 1,
    blockNumber: 4 + seq,
    timestamp: ANCHOR.timestamp - 12 * (3 - seq),
  }));
}

/** The notary's chain, on which `base`'s batch was anchored as ANCHOR says. */
export function genuineChain(base: Bundle): ChainModel {
  const earlier = earlierAnchors("synthetic");
  const batch2 = earlier[2] as ModelAnchor;
  const tx2 = {
    hash: fixed("synthetic anchor transaction of batch 2"),
    blockNumber: 6,
    blockHash: fixed("synthetic block 6"),
  };
  return {
    chainId: ANCHOR.chainId,
    blocks: [
      { number: 0, hash: VECTOR_NOTARY.genesisHash, timestamp: ANCHOR.timestamp - 7200 },
      { number: 2, hash: VECTOR_NOTARY.deployment.blockHash, timestamp: ANCHOR.timestamp - 7176 },
      { number: 6, hash: tx2.blockHash, timestamp: batch2.timestamp },
      { number: 7, hash: ANCHOR.blockHash, timestamp: ANCHOR.timestamp },
    ],
    code: { [ANCHOR.contract]: VECTOR_CODE },
    receipts: {
      [ANCHOR.txHash]: anchorReceipt(
        ANCHOR.contract,
        { hash: ANCHOR.txHash, ...ANCHOR },
        {
          seq: BATCH,
          root: base.root,
          treeSize: base.treeSize,
          previousRoot: batch2.root,
        },
      ),
      [tx2.hash]: anchorReceipt(ANCHOR.contract, tx2, {
        seq: 2,
        root: batch2.root,
        treeSize: 1,
        previousRoot: (earlier[1] as ModelAnchor).root,
      }),
    },
    anchors: {
      [ANCHOR.contract]: [
        ...earlier,
        {
          root: base.root,
          treeSize: base.treeSize,
          blockNumber: ANCHOR.blockNumber,
          timestamp: ANCHOR.timestamp,
        },
      ],
    },
  };
}

/** The genuine chain, plus the attacker's look-alike contract that anchored `forged`'s batch in block 7. */
export function forgedChain(base: Bundle, forged: Bundle): ChainModel {
  const chain = genuineChain(base);
  const earlier = earlierAnchors("look-alike");
  const tx = { hash: forged.anchor.txHash, blockNumber: ANCHOR.blockNumber, blockHash: ANCHOR.blockHash };
  return {
    ...chain,
    code: { ...chain.code, [LOOK_ALIKE]: VECTOR_CODE },
    receipts: {
      ...chain.receipts,
      [tx.hash]: anchorReceipt(LOOK_ALIKE, tx, {
        seq: BATCH,
        root: forged.root,
        treeSize: forged.treeSize,
        previousRoot: (earlier[2] as ModelAnchor).root,
      }),
    },
    anchors: {
      ...chain.anchors,
      [LOOK_ALIKE]: [
        ...earlier,
        {
          root: forged.root,
          treeSize: forged.treeSize,
          blockNumber: ANCHOR.blockNumber,
          timestamp: ANCHOR.timestamp,
        },
      ],
    },
  };
}

/** A verdict, or chain_unavailable: the chain could not be asked and nothing was decided. */
export type VectorVerdict = "valid" | "invalid" | "unsupported_format" | "chain_unavailable";

export interface VectorIntent {
  description: string;
  bundle: unknown;
  record?: unknown;
  /** The checks that must fail. */
  failed: CheckName[];
  /** Defaults to valid when nothing fails, invalid otherwise. */
  verdict?: VectorVerdict;
  /** The chain the endpoint serves; none: no chain is asked. */
  chain?: ChainModel;
  /** Changes answers of the chain's transcript: a fault of the endpoint. */
  edit?: (exchange: RpcExchange) => RpcExchange;
}

export interface BundleVector {
  kind: "bundle";
  description: string;
  generatedBy: string;
  input: { record?: unknown; bundle: unknown; notary: NotaryProfile; chain?: RpcExchange[] };
  want: {
    verdict: VectorVerdict;
    /** What `npm run verify` exits with: 0 valid, 1 invalid, 2 nothing decided. */
    exitCode: 0 | 1 | 2;
    failed: CheckName[];
    /** Every check's status; absent when the chain could not be asked. */
    checks?: Partial<Record<CheckName, CheckStatus>>;
  };
  wantErr: boolean;
}

export interface Judgement {
  verdict: VectorVerdict;
  failed: CheckName[];
  checks?: Partial<Record<CheckName, CheckStatus>>;
  /** Requests the verifier sent that the transcript had no answer for. */
  unanswered: Array<[string, unknown[]]>;
}

/** Our verifier's conclusion on a vector's input. */
export async function judgeVector(input: BundleVector["input"]): Promise<Judgement> {
  const { bundle, record, notary, chain } = input;
  const options = record === undefined ? {} : { record };
  if (chain === undefined) {
    return summarize(await verifyBundle(bundle, { ...options, trustedNotary: notary }), []);
  }
  const server = await serveTranscript(chain);
  const reader = createChainReader(server.url, notary.chainId, { timeoutMs: 10_000 });
  try {
    const report = await verifyBundle(bundle, { ...options, chain: reader, trustedNotary: notary });
    return summarize(report, server.unanswered());
  } catch (error) {
    if (!(error instanceof ChainUnavailableError)) throw error;
    return { verdict: "chain_unavailable", failed: [], unanswered: server.unanswered() };
  } finally {
    reader.destroy();
    await server.close();
  }
}

function summarize(
  report: Awaited<ReturnType<typeof verifyBundle>>,
  unanswered: Judgement["unanswered"],
): Judgement {
  return {
    verdict: report.verdict,
    failed: report.checks.filter((c) => c.status === "fail").map((c) => c.name),
    checks: Object.fromEntries(report.checks.map((c) => [c.name, c.status])),
    unanswered,
  };
}

const EXIT_CODES = { valid: 0, invalid: 1, unsupported_format: 2, chain_unavailable: 2 } as const;

/** The vector for `intent`; throws unless our verifier concludes what the intent says. */
export async function bundleVector(intent: VectorIntent): Promise<BundleVector> {
  const verdict = intent.verdict ?? (intent.failed.length === 0 ? "valid" : "invalid");
  const chain =
    intent.chain === undefined
      ? undefined
      : transcript(intent.chain, intent.bundle, VECTOR_NOTARY).map(intent.edit ?? ((e) => e));
  const input = { record: intent.record, bundle: intent.bundle, notary: VECTOR_NOTARY, chain };
  const got = await judgeVector(input);
  if (got.verdict !== verdict || got.failed.join() !== intent.failed.join() || got.unanswered.length > 0) {
    throw new Error(
      `${intent.description}: expected ${verdict} failing [${intent.failed}], verifier says ${got.verdict} failing [${got.failed}]` +
        (got.unanswered.length > 0
          ? `, and asked questions the transcript lacks: ${JSON.stringify(got.unanswered)}`
          : ""),
    );
  }
  return {
    kind: "bundle",
    description: intent.description,
    generatedBy: GENERATED_BY,
    input,
    want: {
      verdict,
      exitCode: EXIT_CODES[verdict],
      failed: intent.failed,
      ...(got.checks === undefined ? {} : { checks: got.checks }),
    },
    wantErr: verdict !== "valid",
  };
}
