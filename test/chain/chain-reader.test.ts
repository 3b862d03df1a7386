// The JSON-RPC ChainReader reads answers by the rules of docs/evidence-format.md section 10:
// a revert is an answer, every other failure an outage (ChainUnavailableError); getAnchor
// and verifyInclusion answers count only in their exact ABI form. Scripted answers come over
// real HTTP (test/helpers/rpc-transcript.ts); the last tests ask a real local chain.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Interface } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RpcExchange, serveTranscript } from "../../scripts/vectors/rpc-transcript.ts";
import { ANCHOR_ABI } from "../../service/chain/anchor-abi.ts";
import { createChainReader } from "../../service/chain/chain-reader.ts";
import { ChainUnavailableError } from "../../service/core/errors.ts";
import type { Hex } from "../../service/core/hex.ts";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";

const CONTRACT = `0x${"c0".repeat(20)}` as Hex;
const abi = new Interface(ANCHOR_ABI);
const word = (n: bigint | number) => BigInt(n).toString(16).padStart(64, "0");
const ROOT = `0x${"ab".repeat(32)}` as Hex;
const getAnchorCall = (seq: number) => [
  { to: CONTRACT, data: abi.encodeFunctionData("getAnchor", [seq]) },
  "latest",
];
const inclusionCall = () => [
  { to: CONTRACT, data: abi.encodeFunctionData("verifyInclusion", [1, ROOT, 0, []]) },
  "latest",
];

/** Runs `use` against a server answering only `exchanges`. */
async function withAnswers<T>(
  exchanges: RpcExchange[],
  use: (reader: ReturnType<typeof createChainReader>) => Promise<T>,
): Promise<T> {
  const server = await serveTranscript(exchanges);
  const reader = createChainReader(server.url, 31337, { timeoutMs: 5_000 });
  try {
    return await use(reader);
  } finally {
    reader.destroy();
    await server.close();
  }
}

const readAnchor = (result: unknown) =>
  withAnswers([{ method: "eth_call", params: getAnchorCall(1), result }], (r) => r.getAnchor(CONTRACT, 1));

describe("reverts are answers", () => {
  const revertData = `0x97f1e39e${word(1)}`;
  it.each([
    ["code 3 (geth, Erigon, Hardhat)", { code: 3, message: "execution reverted", data: revertData }],
    [
      "revert data under another code (Besu)",
      { code: -32000, message: "Execution reverted", data: revertData },
    ],
    ["an empty revert (revert())", { code: -32000, message: "VM error", data: "0x" }],
    ["'revert' in the message, no data", { code: -32015, message: "VM execution error: reverted" }],
  ])("%s: getAnchor is null, verifyInclusion false", async (_name, error) => {
    await withAnswers(
      [
        { method: "eth_call", params: getAnchorCall(1), error },
        { method: "eth_call", params: inclusionCall(), error },
      ],
      async (reader) => {
        expect(await reader.getAnchor(CONTRACT, 1)).toBeNull();
        expect(await reader.verifyInclusion(CONTRACT, 1, ROOT, 0, [])).toBe(false);
      },
    );
  });
});

describe("outages are not answers", () => {
  it.each([
    ["a rate limit", { code: -32005, message: "limit exceeded" }],
    ["an internal error", { code: -32603, message: "internal error" }],
    ["a stopped chain", { code: -32002, message: "local chain stopped" }],
    ["a node error without revert data", { code: -32000, message: "header not found" }],
  ])("%s on eth_call is ChainUnavailableError", async (_name, error) => {
    await withAnswers([{ method: "eth_call", params: getAnchorCall(1), error }], async (reader) => {
      await expect(reader.getAnchor(CONTRACT, 1)).rejects.toThrow(ChainUnavailableError);
    });
  });

  it("an HTTP error status, an unknown method and a body that is not JSON-RPC are outages", async () => {
    await withAnswers([{ method: "eth_chainId", params: [], httpStatus: 503 }], async (reader) => {
      await expect(reader.getChainId()).rejects.toThrow(/HTTP 503/);
      await expect(reader.getBlock(0)).rejects.toThrow(/JSON-RPC error -32601/);
    });
    const server = createServer((_req, res) => res.end('{"hello":"world"}'));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const reader = createChainReader(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1);
    await expect(reader.getChainId()).rejects.toThrow(/not a JSON-RPC response/);
    server.close();
  });

  it("an endpoint that does not answer in time is an outage", async () => {
    const server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const reader = createChainReader(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1, {
      timeoutMs: 300,
    });
    await expect(reader.getChainId()).rejects.toThrow(/no answer in 300 ms/);
    server.closeAllConnections();
    server.close();
  });

  it("a malformed block or receipt is an outage, not a missing one", async () => {
    await withAnswers(
      [
        {
          method: "eth_getBlockByNumber",
          params: ["0x0", false],
          result: { number: "0x0", timestamp: "0x1" },
        },
        { method: "eth_getTransactionReceipt", params: [ROOT], result: { status: "0x1" } },
      ],
      async (reader) => {
        await expect(reader.getBlock(0)).rejects.toThrow(/malformed answer: the block hash/);
        await expect(reader.getTransactionReceipt(ROOT)).rejects.toThrow(/malformed answer/);
      },
    );
  });
});

describe("answers count only in their exact form", () => {
  const anchor = `0x${ROOT.slice(2)}${word(5)}${word(7)}${word(1_700_000_000)}`;

  it("getAnchor: four words, the last three below 2^64", async () => {
    expect(await readAnchor(anchor)).toEqual({
      root: ROOT,
      treeSize: 5,
      blockNumber: 7,
      timestamp: 1_700_000_000,
    });
    expect(await readAnchor(anchor.toUpperCase().replace("0X", "0x"))).toMatchObject({
      root: ROOT,
    });
    for (const bad of [
      "0x", // no contract
      anchor.slice(0, -64), // three words
      `${anchor}${word(0)}`, // five words
      `0x${ROOT.slice(2)}${"01".repeat(8)}${word(5).slice(16)}${word(7)}${word(1)}`, // treeSize ≥ 2^64
    ]) {
      expect(await readAnchor(bad), bad).toBeNull();
    }
  });

  it("verifyInclusion: true only for exactly the word 1", async () => {
    const answers: Array<[unknown, boolean]> = [
      [`0x${word(1)}`, true],
      [`0x${word(0)}`, false],
      [`0x${word(2)}`, false],
      ["0x", false],
      [`0x${word(1)}${word(0)}`, false],
    ];
    for (const [result, expected] of answers) {
      const got = await withAnswers([{ method: "eth_call", params: inclusionCall(), result }], (r) =>
        r.verifyInclusion(CONTRACT, 1, ROOT, 0, []),
      );
      expect(got, String(result)).toBe(expected);
    }
  });

  it("a receipt without status (before Byzantium), or with status null, has status null", async () => {
    const receipt = { to: CONTRACT, blockNumber: "0x7", blockHash: ROOT, logs: [] };
    for (const answer of [receipt, { ...receipt, status: null }]) {
      const got = await withAnswers(
        [{ method: "eth_getTransactionReceipt", params: [ROOT], result: answer }],
        (r) => r.getTransactionReceipt(ROOT),
      );
      expect(got).toEqual({ status: null, to: CONTRACT, blockNumber: 7, blockHash: ROOT, logs: [] });
    }
  });

  it("an eth_call result that is not hex of whole bytes is an outage, not an answer", async () => {
    for (const result of ["0x123", "zz", `${ROOT.slice(2)}`, null, 1, { root: ROOT }]) {
      await expect(readAnchor(result), JSON.stringify(result)).rejects.toThrow(ChainUnavailableError);
      await expect(
        withAnswers([{ method: "eth_call", params: inclusionCall(), result }], (r) =>
          r.verifyInclusion(CONTRACT, 1, ROOT, 0, []),
        ),
        JSON.stringify(result),
      ).rejects.toThrow(/malformed answer/);
    }
  });
});

describe("against a real local chain (Hardhat EDR)", () => {
  let t: TestChain;
  beforeAll(async () => {
    t = await startTestChain();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("reads the EDR revert of getAnchor for an unknown seq as 'no anchor', and a contract-less address too", async () => {
    const reader = createChainReader(t.chain.url, 31337);
    try {
      expect(await reader.getAnchor(t.chain.deployment.contract, 99)).toBeNull();
      expect(await reader.verifyInclusion(t.chain.deployment.contract, 99, ROOT, 0, [])).toBe(false);
      expect(await reader.getAnchor(CONTRACT, 0)).toBeNull();
      expect(await reader.getNextSeq(t.chain.deployment.contract)).toBe(0);
      expect(await reader.getCode(CONTRACT)).toBe("0x");
      expect(await reader.getChainId()).toBe(31337);
      expect((await reader.getBlock(0))?.hash).toBe(t.chain.notary.genesisHash);
      expect(await reader.getBlock(10_000)).toBeNull();
    } finally {
      reader.destroy();
    }
  });
});
