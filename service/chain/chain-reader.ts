// The ChainReader that core/verify.ts needs, over a JSON-RPC endpoint (json-rpc.ts).
// Read-only, and browser-compatible: no node: imports.
//
// It asks only what docs/evidence-format.md section 10 lists (eth_chainId,
// eth_getTransactionReceipt, eth_getBlockByNumber, eth_getCode, eth_call at "latest"), and
// reads answers by the rules stated there, so an independent verifier can do the same:
//   - an eth_call that reverts is an answer (isRevert): getAnchor "holds no anchor",
//     verifyInclusion "false";
//   - getAnchor's answer counts only when it is exactly four 32-byte words, the last three
//     each below 2^64; verifyInclusion's only when it is exactly the word 1 (true). Any
//     other answer, "0x" included (no contract), is "no anchor" / "false";
//   - everything else that goes wrong on the way (transport, HTTP, a JSON-RPC error that is
//     not a revert, an answer that is not well-formed, such as a block without a hash) is
//     ChainUnavailableError, so "could not check" is never reported as "evidence invalid".
import { Interface } from "ethers";
import { ChainUnavailableError } from "../core/errors.ts";
import type { Hex } from "../core/hex.ts";
import type { ChainAnchor, ChainBlock, ChainLog, ChainReader, ChainReceipt } from "../core/verify.ts";
import { ANCHOR_ABI } from "./anchor-abi.ts";
import { createJsonRpcClient, isRevert, JsonRpcError } from "./json-rpc.ts";

export const DEFAULT_RPC_TIMEOUT_MS = 15_000;

export interface JsonRpcChainReader extends ChainReader {
  /** EvidenceAnchor.nextSeq(): how many batches `contract` holds; null when it is no anchor contract. */
  getNextSeq(contract: Hex): Promise<number | null>;
  /** Aborts requests in flight; call when done. */
  destroy(): void;
}

const anchorInterface = new Interface(ANCHOR_ABI);
const WORD_HEX = 64;
const TRUE_WORD = `0x${"0".repeat(WORD_HEX - 1)}1`;

/** An answer that is not what the JSON-RPC method returns: the endpoint cannot be used. */
class MalformedAnswer extends Error {}

/**
 * A ChainReader over `rpcUrl`. `expectedChainId` is the chain the caller means to read (the
 * pinned notary's); the reader assumes nothing from it: getChainId() asks the endpoint, and
 * the notary check compares.
 */
export function createChainReader(
  rpcUrl: string,
  _expectedChainId: number,
  options: { timeoutMs?: number } = {},
): JsonRpcChainReader {
  const client = createJsonRpcClient(rpcUrl, options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
  const where = describeEndpoint(rpcUrl);

  async function ask<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const reason =
        error instanceof JsonRpcError
          ? `JSON-RPC error ${String(error.code)}: ${error.message}`
          : error instanceof MalformedAnswer
            ? `malformed answer: ${error.message}`
            : (error as Error).message;
      throw new ChainUnavailableError(`could not ${what} from the chain at ${where}: ${reason}`, {
        details: { endpoint: where },
        cause: error,
      });
    }
  }

  /** eth_call to the anchor contract at the latest block; undefined when the call reverts. */
  async function callAnchor(contract: Hex, fn: string, args: unknown[]): Promise<Hex | undefined> {
    const data = anchorInterface.encodeFunctionData(fn, args);
    return ask(`call ${fn}`, async () => {
      try {
        return hexData(await client.request("eth_call", [{ to: contract, data }, "latest"]), "result");
      } catch (error) {
        if (error instanceof JsonRpcError && isRevert(error)) return undefined;
        throw error;
      }
    });
  }

  return {
    async getChainId(): Promise<number> {
      return ask("read the chain id", async () =>
        quantity(await client.request("eth_chainId", []), "result"),
      );
    },

    async getTransactionReceipt(txHash: Hex): Promise<ChainReceipt | null> {
      return ask(`read transaction ${txHash}`, async () =>
        parseReceipt(await client.request("eth_getTransactionReceipt", [txHash])),
      );
    },

    async getBlock(blockNumber: number): Promise<ChainBlock | null> {
      return ask(`read block ${blockNumber}`, async () =>
        parseBlock(await client.request("eth_getBlockByNumber", [`0x${blockNumber.toString(16)}`, false])),
      );
    },

    async getCode(address: Hex): Promise<Hex> {
      return ask(`read the code at ${address}`, async () =>
        hexData(await client.request("eth_getCode", [address, "latest"]), "result"),
      );
    },

    async getAnchor(contract: Hex, seq: number): Promise<ChainAnchor | null> {
      const answer = await callAnchor(contract, "getAnchor", [seq]);
      return answer === undefined ? null : decodeAnchor(answer);
    },

    async verifyInclusion(contract, seq, leafHash, leafIndex, proof): Promise<boolean> {
      const answer = await callAnchor(contract, "verifyInclusion", [seq, leafHash, leafIndex, proof]);
      return answer === TRUE_WORD;
    },

    async getNextSeq(contract: Hex): Promise<number | null> {
      const answer = await callAnchor(contract, "nextSeq", []);
      const words = answer === undefined ? undefined : uint64Words(answer, 1);
      return words === undefined ? null : Number(words[0]);
    },

    destroy() {
      client.close();
    },
  };
}

/** getAnchor's answer: exactly (bytes32 root, uint64 treeSize, uint64 blockNumber, uint64 timestamp). */
export function decodeAnchor(answer: Hex): ChainAnchor | null {
  if (answer.length !== 2 + 4 * WORD_HEX) return null;
  const rest = uint64Words(`0x${answer.slice(2 + WORD_HEX)}`, 3);
  if (rest === undefined) return null;
  const [treeSize, blockNumber, timestamp] = rest.map(Number) as [number, number, number];
  return { root: `0x${answer.slice(2, 2 + WORD_HEX)}`, treeSize, blockNumber, timestamp };
}

/** `count` words, each below 2^64; undefined when the answer is not exactly that. */
function uint64Words(answer: Hex, count: number): bigint[] | undefined {
  if (answer.length !== 2 + count * WORD_HEX) return undefined;
  const words: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const word = answer.slice(2 + i * WORD_HEX, 2 + (i + 1) * WORD_HEX);
    if (!/^0{48}/.test(word)) return undefined;
    words.push(BigInt(`0x${word}`));
  }
  return words;
}

function parseReceipt(value: unknown): ChainReceipt | null {
  if (value === null) return null;
  const r = object(value, "receipt");
  const status = r.status === undefined || r.status === null ? null : quantity(r.status, "receipt status");
  return {
    status,
    to: r.to === null || r.to === undefined ? null : hexData(r.to, "receipt to", 20),
    blockNumber: quantity(r.blockNumber, "receipt blockNumber"),
    blockHash: hexData(r.blockHash, "receipt blockHash", 32),
    logs: list(r.logs, "receipt logs").map(parseLog),
  };
}

function parseLog(value: unknown): ChainLog {
  const l = object(value, "log");
  return {
    address: hexData(l.address, "log address", 20),
    topics: list(l.topics, "log topics").map((t) => hexData(t, "log topic", 32)),
    data: hexData(l.data, "log data"),
  };
}

function parseBlock(value: unknown): ChainBlock | null {
  if (value === null) return null;
  const b = object(value, "block");
  return {
    number: quantity(b.number, "block number"),
    hash: hexData(b.hash, "block hash", 32),
    timestamp: quantity(b.timestamp, "block timestamp"),
  };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MalformedAnswer(`the ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new MalformedAnswer(`the ${what} are not an array`);
  return value;
}

/** A JSON-RPC quantity ("0x" and hex digits) up to 2^53−1. */
function quantity(value: unknown, what: string): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,14}$/.test(value)) {
    throw new MalformedAnswer(`the ${what} is not a quantity: ${JSON.stringify(value)}`);
  }
  const n = Number(BigInt(value));
  if (!Number.isSafeInteger(n)) throw new MalformedAnswer(`the ${what} is too large: ${value}`);
  return n;
}

/** Hex of whole bytes (of `bytes` bytes, when given), lowercased. */
function hexData(value: unknown, what: string, bytes?: number): Hex {
  const ok =
    typeof value === "string" &&
    /^0x(?:[0-9a-fA-F]{2})*$/.test(value) &&
    (bytes === undefined || value.length === 2 + 2 * bytes);
  if (!ok)
    throw new MalformedAnswer(`the ${what} is not ${bytes ?? "whole"}-byte hex: ${JSON.stringify(value)}`);
  return value.toLowerCase() as Hex;
}

/** The endpoint without path, query or credentials, which may hold an API key. */
function describeEndpoint(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).origin;
  } catch {
    return "(unparsable URL)";
  }
}
