// The ChainReader that core/verify.ts needs, over a JSON-RPC endpoint with ethers v6.
// Read-only, and browser-compatible: no node: imports, ethers' JsonRpcProvider uses fetch.
//
// Error rule: a contract call that reverts (or hits an address with no contract) is an
// answer ("no such anchor"), everything else that goes wrong on the way (refused
// connection, DNS, timeout, HTTP 5xx, a JSON-RPC error) is ChainUnavailableError, so
// "could not check" is never reported as "evidence invalid".
import { FetchRequest, Interface, isError, JsonRpcProvider, Network } from "ethers";
import { ChainUnavailableError } from "../core/errors.ts";
import type { Hex } from "../core/hex.ts";
import type { ChainAnchor, ChainBlock, ChainReader, ChainReceipt } from "../core/verify.ts";
import { ANCHOR_ABI } from "./anchor-abi.ts";

export const DEFAULT_RPC_TIMEOUT_MS = 15_000;

export interface JsonRpcChainReader extends ChainReader {
  /** EvidenceAnchor.nextSeq(): how many batches `contract` holds; null when it is no anchor contract. */
  getNextSeq(contract: Hex): Promise<number | null>;
  /** Stops the provider; call when done so the process can exit. */
  destroy(): void;
}

const anchorInterface = new Interface(ANCHOR_ABI);

/**
 * A ChainReader over `rpcUrl`. `chainId` is the chain we expect (ethers needs a static
 * network so that it never retries network detection forever); getChainId() still asks the
 * node, so a wrong endpoint is noticed.
 */
export function createChainReader(
  rpcUrl: string,
  chainId: number,
  options: { timeoutMs?: number } = {},
): JsonRpcChainReader {
  const request = new FetchRequest(rpcUrl);
  request.timeout = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  const provider = new JsonRpcProvider(request, Network.from(chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1, // a verifier asks each question once, and wants the chain's answer now
  });
  const where = describeEndpoint(rpcUrl);

  async function ask<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const reason = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      throw new ChainUnavailableError(`could not ${what} from the chain at ${where}: ${reason}`, {
        details: { endpoint: where },
        cause: error,
      });
    }
  }

  /** eth_call to the anchor contract; undefined when the call reverts or the address has no contract. */
  async function callAnchor(contract: Hex, fn: string, args: unknown[]) {
    const data = anchorInterface.encodeFunctionData(fn, args);
    const result = await ask(`call ${fn}`, async () => {
      try {
        return await provider.call({ to: contract, data });
      } catch (error) {
        if (isError(error, "CALL_EXCEPTION")) return undefined;
        throw error;
      }
    });
    if (result === undefined || result === "0x") return undefined;
    try {
      return anchorInterface.decodeFunctionResult(fn, result);
    } catch {
      return undefined; // not an EvidenceAnchor contract
    }
  }

  return {
    async getChainId(): Promise<number> {
      const raw = await ask("read the chain id", () => provider.send("eth_chainId", []));
      return Number(BigInt(raw as string));
    },

    async getTransactionReceipt(txHash: Hex): Promise<ChainReceipt | null> {
      const r = await ask(`read transaction ${txHash}`, () => provider.getTransactionReceipt(txHash));
      if (r === null) return null;
      return {
        status: r.status,
        to: r.to === null ? null : (r.to.toLowerCase() as Hex),
        blockNumber: r.blockNumber,
        blockHash: r.blockHash.toLowerCase() as Hex,
        logs: r.logs.map((l) => ({
          address: l.address.toLowerCase() as Hex,
          topics: l.topics.map((t) => t.toLowerCase() as Hex),
          data: l.data.toLowerCase() as Hex,
        })),
      };
    },

    async getBlock(blockNumber: number): Promise<ChainBlock | null> {
      const block = await ask(`read block ${blockNumber}`, () => provider.getBlock(blockNumber));
      if (block === null || block.hash === null) return null;
      return { number: block.number, hash: block.hash.toLowerCase() as Hex, timestamp: block.timestamp };
    },

    async getCode(address: Hex): Promise<Hex> {
      const code = await ask(`read the code at ${address}`, () => provider.getCode(address));
      return code.toLowerCase() as Hex;
    },

    async getAnchor(contract: Hex, seq: number): Promise<ChainAnchor | null> {
      const result = await callAnchor(contract, "getAnchor", [seq]);
      if (result === undefined) return null;
      const a = result[0] as { root: string; treeSize: bigint; blockNumber: bigint; timestamp: bigint };
      return {
        root: a.root.toLowerCase() as Hex,
        treeSize: Number(a.treeSize),
        blockNumber: Number(a.blockNumber),
        timestamp: Number(a.timestamp),
      };
    },

    async verifyInclusion(contract, seq, leafHash, leafIndex, proof): Promise<boolean> {
      const result = await callAnchor(contract, "verifyInclusion", [seq, leafHash, leafIndex, proof]);
      return result !== undefined && result[0] === true;
    },

    async getNextSeq(contract: Hex): Promise<number | null> {
      const result = await callAnchor(contract, "nextSeq", []);
      return result === undefined ? null : Number(result[0] as bigint);
    },

    destroy() {
      provider.destroy();
    },
  };
}

/** The endpoint without path, query or credentials, which may hold an API key. */
function describeEndpoint(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).origin;
  } catch {
    return "(unparsable URL)";
  }
}
