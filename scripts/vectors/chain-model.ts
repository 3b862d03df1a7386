// A model of what a chain holds (blocks, receipts, code, the anchors of EvidenceAnchor
// contracts), answering JSON-RPC questions the way a node running the real contract would.
// scripts/gen-vectors.ts uses it to write, next to each chain vector, a transcript: the
// questions a verifier asks about that bundle and that pinned profile, with this chain's
// answers (docs/evidence-format.md section 15). The contract's answers are computed with the
// same rules as contracts/EvidenceAnchor.sol: getAnchor reverts for an unknown seq,
// verifyInclusion runs RFC 9162 path verification against the stored root and size.
import { Interface } from "ethers";
import { ANCHOR_ABI } from "../../service/chain/anchor-abi.ts";
import { fromHex, type Hex, isHex } from "../../service/core/hex.ts";
import { verifyInclusion } from "../../service/core/merkle.ts";
import type { NotaryProfile } from "../../service/core/notary-profile.ts";
import type { RpcExchange } from "./rpc-transcript.ts";

const anchorInterface = new Interface(ANCHOR_ABI);

export interface ModelAnchor {
  root: Hex;
  treeSize: number;
  blockNumber: number;
  timestamp: number;
}

/** A receipt in its JSON-RPC form, with the fields a verifier reads. */
export interface RpcReceipt {
  transactionHash: Hex;
  status?: Hex;
  to: Hex | null;
  blockNumber: Hex;
  blockHash: Hex;
  logs: Array<{ address: Hex; topics: Hex[]; data: Hex }>;
}

export interface ChainModel {
  chainId: number;
  blocks: Array<{ number: number; hash: Hex; timestamp: number }>;
  /** Runtime code by (lowercase) address. */
  code: Record<string, Hex>;
  /** Receipts by transaction hash. */
  receipts: Record<string, RpcReceipt>;
  /** The anchors each EvidenceAnchor contract holds, by address and seq. */
  anchors: Record<string, ModelAnchor[]>;
}

export const quantity = (n: number): Hex => `0x${n.toString(16)}`;
export const word = (n: bigint | number): string => BigInt(n).toString(16).padStart(64, "0");

/** The receipt of an anchor(seq, root, treeSize) transaction, with its RootAnchored log. */
export function anchorReceipt(
  contract: Hex,
  tx: { hash: Hex; blockNumber: number; blockHash: Hex },
  event: { seq: number; root: Hex; treeSize: number; previousRoot: Hex },
): RpcReceipt {
  const log = anchorInterface.encodeEventLog("RootAnchored", [
    event.seq,
    event.root,
    event.treeSize,
    event.previousRoot,
  ]);
  return {
    transactionHash: tx.hash,
    status: "0x1",
    to: contract,
    blockNumber: quantity(tx.blockNumber),
    blockHash: tx.blockHash,
    logs: [{ address: contract, topics: log.topics as Hex[], data: log.data as Hex }],
  };
}

type Answer = Pick<RpcExchange, "result" | "error">;

/** What a node of this chain answers. Requires a question of section 10's five methods. */
export function answer(model: ChainModel, method: string, params: unknown[]): Answer {
  const lower = (v: unknown) => String(v).toLowerCase();
  switch (method) {
    case "eth_chainId":
      return { result: quantity(model.chainId) };
    case "eth_getBlockByNumber": {
      const block = model.blocks.find((b) => quantity(b.number) === params[0]);
      return {
        result:
          block === undefined
            ? null
            : { number: quantity(block.number), hash: block.hash, timestamp: quantity(block.timestamp) },
      };
    }
    case "eth_getCode":
      return { result: model.code[lower(params[0])] ?? "0x" };
    case "eth_getTransactionReceipt":
      return { result: model.receipts[lower(params[0])] ?? null };
    case "eth_call": {
      const call = params[0] as { to: Hex; data: Hex };
      const anchors = model.anchors[lower(call.to)];
      if (model.code[lower(call.to)] === undefined || anchors === undefined) return { result: "0x" };
      const parsed = anchorInterface.parseTransaction({ data: call.data });
      const seq = Number(parsed?.args[0]);
      const stored = anchors[seq];
      if (parsed?.name === "getAnchor") {
        if (stored === undefined) {
          const data = anchorInterface.encodeErrorResult("EvidenceAnchorUnknownSeq", [seq]);
          return {
            error: { code: 3, message: `execution reverted: EvidenceAnchorUnknownSeq(${seq})`, data },
          };
        }
        return {
          result: `0x${stored.root.slice(2)}${word(stored.treeSize)}${word(stored.blockNumber)}${word(stored.timestamp)}`,
        };
      }
      if (parsed?.name === "verifyInclusion") {
        const [, leafHash, leafIndex, proof] = parsed.args as unknown as [bigint, Hex, bigint, Hex[]];
        const included =
          stored !== undefined &&
          verifyInclusion(
            fromHex(leafHash),
            Number(leafIndex),
            stored.treeSize,
            proof.map(fromHex),
            fromHex(stored.root),
          );
        return { result: `0x${word(included ? 1 : 0)}` };
      }
      throw new Error(`the model does not answer ${parsed?.name ?? call.data}`);
    }
    default:
      throw new Error(`the model does not answer ${method}`);
  }
}

/**
 * The questions a verifier asks about `untrustedBundle` pinned to `notary` (section 11), each
 * with the model's answer. The bundle's own contract, when it is another, is asked about
 * too: those answers are the bait that a verifier trusting the bundle would take.
 */
export function transcript(
  model: ChainModel,
  untrustedBundle: unknown,
  notary: NotaryProfile,
): RpcExchange[] {
  const b = (
    typeof untrustedBundle === "object" && untrustedBundle !== null ? untrustedBundle : {}
  ) as Record<string, unknown>;
  const anchor = (typeof b.anchor === "object" && b.anchor !== null ? b.anchor : {}) as Record<
    string,
    unknown
  >;
  const questions: Array<[string, unknown[]]> = [
    ["eth_chainId", []],
    ["eth_getBlockByNumber", [quantity(0), false]],
    ["eth_getBlockByNumber", [quantity(notary.deployment.blockNumber), false]],
    ["eth_getCode", [notary.contract, "latest"]],
  ];
  if (isHex(anchor.txHash, 32)) questions.push(["eth_getTransactionReceipt", [anchor.txHash]]);
  if (Number.isSafeInteger(anchor.blockNumber) && (anchor.blockNumber as number) >= 0) {
    questions.push(["eth_getBlockByNumber", [quantity(anchor.blockNumber as number), false]]);
  }
  const contracts = [notary.contract];
  if (isHex(anchor.contract, 20) && anchor.contract !== notary.contract) {
    contracts.push(anchor.contract);
    questions.push(["eth_getCode", [anchor.contract, "latest"]]);
  }
  for (const to of contracts) {
    for (const [fn, args] of [
      ["getAnchor", [b.batch]],
      ["verifyInclusion", [b.batch, b.leafHash, b.leafIndex, b.proof]],
    ] as const) {
      let data: string;
      try {
        data = anchorInterface.encodeFunctionData(fn, [...args]);
      } catch {
        continue; // a malformed field: no verifier can ask this
      }
      questions.push(["eth_call", [{ to, data }, "latest"]]);
    }
  }
  const seen = new Set<string>();
  return questions
    .filter(([method, params]) => {
      const key = JSON.stringify([method, params]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(([method, params]) => ({ method, params, ...answer(model, method, params) }));
}

/** True for the exchange of an eth_call of `fn` (by selector). */
export function isCallOf(exchange: RpcExchange, fn: "getAnchor" | "verifyInclusion"): boolean {
  const data = (exchange.params[0] as { data?: string } | undefined)?.data;
  const selector = anchorInterface.getFunction(fn)?.selector;
  return exchange.method === "eth_call" && selector !== undefined && data?.startsWith(selector) === true;
}
