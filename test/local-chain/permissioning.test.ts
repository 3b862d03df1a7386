// The local chain is permissioned (issue #10 part 3), as Hyperledger Besu's account
// permissioning is: only allowlisted accounts send transactions, no account whose key is
// public is funded, and browser pages read but never send. The attack of issue #10 itself,
// with Hardhat's public key #1 against the service's chain, is test/attacks/look-alike.test.ts.
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNDING } from "../../service/local-chain/bootstrap.ts";
import { GENESIS_BALANCE, genesisKeyPath } from "../../service/local-chain/chain-genesis.ts";
import { JOURNAL_FORMAT, readJournal } from "../../service/local-chain/journal.ts";
import { journalPath, startLocalChain } from "../../service/local-chain/local-chain.ts";
import { PUBLIC_DEV_ADDRESSES } from "../../service/local-chain/public-dev-accounts.ts";
import { HARDHAT_KEY_1, rpcCall, signRaw } from "../helpers/attacker.ts";
import { makeDataDir, startTestChain, type TestChain } from "../helpers/local-chain.ts";

let t: TestChain;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  t = await startTestChain();
});
afterAll(async () => {
  await t?.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function rpc(method: string, params: unknown[], headers: Record<string, string> = {}, url = t.chain.url) {
  return rpcCall(url, method, params, headers);
}

function signed(
  wallet: Pick<Wallet, "signTransaction">,
  tx: { to?: string; data?: string; value?: bigint; nonce?: number },
) {
  return signRaw(wallet, t.chain.deployment.chainId, tx);
}

/** What must stay exactly as it is when a transaction is refused. */
async function chainState(address: string) {
  return {
    head: await t.provider.getBlockNumber(),
    journal: await readFile(journalPath(t.dataDir), "utf8"),
    nonce: await t.provider.getTransactionCount(address),
    balance: await t.provider.getBalance(address),
  };
}

describe("the sender allowlist", () => {
  it("refuses a funded account that is not on it, for a transfer and for a contract creation", async () => {
    const outsider = Wallet.createRandom();
    await (await t.operator.sendTransaction({ to: outsider.address, value: 10n ** 18n })).wait();
    const before = await chainState(outsider.address);
    expect(before.balance).toBe(10n ** 18n);

    const send = await rpc("eth_sendRawTransaction", [await signed(outsider, { to: t.operatorAddress })]);
    expect(send.error).toMatchObject({ code: -32007 });
    expect(send.error.message).toContain(outsider.address.toLowerCase());
    const create = await rpc("eth_sendRawTransaction", [await signed(outsider, { data: "0x6000" })]);
    expect(create.error).toMatchObject({ code: -32007 });
    expect(await chainState(outsider.address)).toEqual(before);
  });

  it("refuses bytes that are no signed transaction", async () => {
    for (const raw of ["0x1234", 42, null]) {
      const { error } = await rpc("eth_sendRawTransaction", [raw]);
      expect(error).toMatchObject({
        code: -32602,
        message: expect.stringContaining("signed raw transaction"),
      });
    }
  });

  it("lets an allowlisted account send, funded once from the genesis account", async () => {
    const admitted = Wallet.createRandom();
    const dataDir = await makeDataDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startTestChain(dataDir, { allowedSenders: [admitted.address] });
    expect(first.chain.allowedSenders).toContain(admitted.address.toLowerCase());
    expect(await first.provider.getBalance(admitted.address)).toBe(FUNDING);
    const tx = await admitted
      .connect(first.provider)
      .sendTransaction({ to: first.operatorAddress, value: 1n });
    expect((await tx.wait())?.status).toBe(1);
    await first.stop();
    const { entries } = await readJournal(journalPath(dataDir)); // funding ×2, deployment, that transfer
    expect(entries).toHaveLength(4);

    // Restarted with the same allowlist: it still holds funds, so it is not funded again.
    const second = await startTestChain(dataDir, { allowedSenders: [admitted.address] });
    cleanups.push(second.stop);
    expect(second.chain.replayed).toBe(4);
    expect((await readJournal(journalPath(dataDir))).entries).toHaveLength(4);
    expect(await second.provider.getBalance(admitted.address)).toBeLessThan(FUNDING);
  });

  it("cannot hold an account whose key is public", async () => {
    const dataDir = await makeDataDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await expect(
      startLocalChain({ dataDir, port: 0, allowedSenders: [new Wallet(HARDHAT_KEY_1).address] }),
    ).rejects.toThrow(/development account #1, whose private key is public/);
  });
});

describe("the genesis", () => {
  it("funds only the chain's own genesis account, recorded in the journal by address and balance", async () => {
    const { header } = await readJournal(journalPath(t.dataDir));
    const genesisKey = (await readFile(genesisKeyPath(t.dataDir), "utf8")).trim();
    const genesis = new Wallet(genesisKey);
    expect(header).toEqual({
      format: JOURNAL_FORMAT,
      chainId: 31337,
      hardfork: "cancun",
      initialDate: "2026-01-01T00:00:00.000Z",
      genesisAccounts: [{ address: genesis.address.toLowerCase(), balance: GENESIS_BALANCE.toString() }],
    });
    expect((await stat(genesisKeyPath(t.dataDir))).mode & 0o777).toBe(0o600);
    expect(await readFile(journalPath(t.dataDir), "utf8")).not.toContain(genesisKey.slice(2));

    expect(await t.provider.getBalance(genesis.address, 0)).toBe(GENESIS_BALANCE);
    expect(await t.provider.getBalance(t.operatorAddress, 0)).toBe(0n);
    for (const address of PUBLIC_DEV_ADDRESSES) {
      expect(await t.provider.getBalance(address, 0), address).toBe(0n);
      expect(await t.provider.getBalance(address), address).toBe(0n);
    }
  });

  it("gives every new chain a genesis of its own", async () => {
    const other = await startTestChain();
    cleanups.push(other.stop);
    expect(other.chain.notary.genesisHash).not.toBe(t.chain.notary.genesisHash);
  });

  it("will not replay a journal with another chain's genesis key, nor without one", async () => {
    const dataDir = await makeDataDir();
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const chain = await startTestChain(dataDir);
    await chain.stop();
    await writeFile(genesisKeyPath(dataDir), `${Wallet.createRandom().privateKey}\n`);
    await expect(startLocalChain({ dataDir, port: 0 })).rejects.toThrow(/they come from different chains/);
    await rm(genesisKeyPath(dataDir));
    await expect(startLocalChain({ dataDir, port: 0 })).rejects.toThrow(/needs its genesis key/);
  });
});

describe("browser pages", () => {
  const origin = { origin: "http://127.0.0.1:8080" };

  it("may read the chain", async () => {
    const { result } = await rpc("eth_blockNumber", [], origin);
    expect(Number(result)).toBe(await t.provider.getBlockNumber());
  });

  it("may not send a transaction, even one the operator signed", async () => {
    const nonce = await t.provider.getTransactionCount(t.operatorAddress);
    const raw = await signed(t.operatorKey, { to: t.operatorAddress, nonce });
    const before = await chainState(t.operatorAddress);
    const refused = await rpc("eth_sendRawTransaction", [raw], origin);
    expect(refused.error).toMatchObject({ code: -32003, message: expect.stringContaining("Origin header") });
    expect(await chainState(t.operatorAddress)).toEqual(before);

    // The same bytes without an Origin header (not from a page) are mined.
    const sent = await rpc("eth_sendRawTransaction", [raw]);
    expect(sent.result).toMatch(/^0x[0-9a-f]{64}$/);
    await t.provider.waitForTransaction(sent.result);
    expect(await t.provider.getTransactionCount(t.operatorAddress)).toBe(nonce + 1);
  });
});
