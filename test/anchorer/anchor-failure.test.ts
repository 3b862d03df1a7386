// Errors thrown during an anchoring attempt, named (service/anchorer/anchor-failure.ts):
// what needs a person and what is retried. The errors are the ones the real parts throw:
// ethers' wrapping of a JSON-RPC error, a refused connection, the database adapter's
// UnavailableError, an InvariantError.
import { JsonRpcProvider, Network } from "ethers";
import { expect, it } from "vitest";
import { classifyAnchorError } from "../../service/anchorer/anchor-failure.ts";
import { InvariantError } from "../../service/core/errors.ts";
import { UnavailableError } from "../../service/service-errors.ts";
import { closedPort } from "../helpers/processes.ts";

const who = {
  account: "0x1111111111111111111111111111111111111111",
  contract: "0x2222222222222222222222222222222222222222",
};

/** What ethers throws for a JSON-RPC error answer, from a real provider over a real socket. */
async function rpcErrorFromNode(code: number, message: string): Promise<unknown> {
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const { id } = JSON.parse(body) as { id: number };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, Network.from(1), { staticNetwork: true });
  try {
    return await provider.send("eth_sendRawTransaction", ["0x00"]).catch((error: unknown) => error);
  } finally {
    provider.destroy();
    server.close();
  }
}

it("Besu's -32007 (sender not on the account allowlist) needs an operator, whatever ethers calls it", async () => {
  const error = await rpcErrorFromNode(-32007, "Sender account not authorized to send transactions");
  const failure = classifyAnchorError(error, who);
  expect(failure).toMatchObject({ cause: "sender_not_allowed", needsOperator: true });
  expect(failure.message).toContain("Sender account not authorized");
  expect(failure.fix).toContain(who.account);
});

it("insufficient funds needs an operator; a node that cannot be reached is retried", async () => {
  const poor = await rpcErrorFromNode(-32000, "insufficient funds for gas * price + value");
  expect(classifyAnchorError(poor, who)).toMatchObject({ cause: "no_funds", needsOperator: true });

  const provider = new JsonRpcProvider(`http://127.0.0.1:${await closedPort()}`, Network.from(1), {
    staticNetwork: true,
  });
  const refused = await provider.send("eth_blockNumber", []).catch((error: unknown) => error);
  provider.destroy();
  expect(classifyAnchorError(refused, who)).toMatchObject({
    cause: "chain_unavailable",
    needsOperator: false,
  });

  const stopped = await rpcErrorFromNode(-32002, "local chain stopped: its journal could not be written");
  expect(classifyAnchorError(stopped, who)).toMatchObject({
    cause: "chain_unavailable",
    needsOperator: false,
  });
});

it("the database and broken invariants are named as such", () => {
  const db = new UnavailableError("the database is unavailable; retry shortly");
  expect(classifyAnchorError(db, who)).toMatchObject({ cause: "database_unavailable", needsOperator: false });
  const gap = new InvariantError("the chain is missing anchors recorded as done", { seq: 4 });
  expect(classifyAnchorError(gap, who)).toMatchObject({ cause: "ledger_mismatch", needsOperator: true });
  expect(classifyAnchorError(new Error("something else"), who)).toMatchObject({
    cause: "error",
    needsOperator: false,
  });
});
