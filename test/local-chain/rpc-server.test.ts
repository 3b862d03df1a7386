// The local chain's JSON-RPC endpoint is permissioned: no unlocked accounts, no history edits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestChain, type TestChain } from "../helpers/local-chain.ts";

let t: TestChain;
beforeAll(async () => {
  t = await startTestChain();
});
afterAll(async () => {
  await t?.stop();
});

async function rpc(body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(t.chain.url, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe("permissioned JSON-RPC", () => {
  it("binds to loopback by default", () => {
    expect(new URL(t.chain.url).hostname).toBe("127.0.0.1");
  });

  it("serves standard read methods, single and batched", async () => {
    const { json } = await rpc([
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 2, method: "eth_blockNumber", params: [] },
    ]);
    expect(json).toMatchObject([
      { id: 1, result: "0x7a69" },
      { id: 2, result: expect.stringMatching(/^0x[0-9a-f]+$/) },
    ]);
  });

  it.each([
    "evm_mine",
    "evm_setNextBlockTimestamp",
    "hardhat_setBalance",
    "eth_sendTransaction",
    "eth_sendRawTransactionConditional",
    "debug_foo",
  ])("refuses %s", async (method) => {
    const { json } = await rpc({ jsonrpc: "2.0", id: 7, method, params: [] });
    expect(json).toMatchObject({ id: 7, error: { code: -32601, message: expect.stringContaining(method) } });
  });

  it("exposes no unlocked accounts", async () => {
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "eth_accounts" })).json).toMatchObject({ result: [] });
  });

  it("lets browser pages call it: CORS preflight and headers on answers", async () => {
    const preflight = await fetch(t.chain.url, {
      method: "OPTIONS",
      headers: {
        origin: "http://127.0.0.1:8080",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("content-type");
    const res = await fetch(t.chain.url, {
      method: "POST",
      headers: { origin: "http://127.0.0.1:8080", "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(await res.json()).toMatchObject({ result: "0x7a69" });
  });

  it("answers malformed JSON with a parse error", async () => {
    const res = await fetch(t.chain.url, { method: "POST", body: "{not json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32700 } });
  });

  it("rejects bytes that are no signed transaction", async () => {
    const { json } = await rpc({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_sendRawTransaction",
      params: ["0x1234"],
    });
    expect(json).toMatchObject({ id: 1, error: expect.any(Object) });
  });
});
