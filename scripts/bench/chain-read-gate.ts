// What holding reads behind unfsynced transactions costs (docs/reliability.md): one local
// chain node behind three gates, each on its own endpoint, taking turns in short slices so
// that they share the machine's load alike. 8 clients call eth_call in a loop, idle and while
// the operator anchors back to back.
//   node scripts/bench/chain-read-gate.ts [rounds, default 10]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { anchorContract } from "../../service/chain/anchor-contract.ts";
import { deployEvidenceAnchor } from "../../service/chain/deploy-anchor.ts";
import { JOURNAL_FORMAT, type JournalHeader, JournalWriter } from "../../service/local-chain/journal.ts";
import { JournaledChain } from "../../service/local-chain/journaled-chain.ts";
import { startRpcServer } from "../../service/local-chain/rpc-server.ts";
import { SenderAllowlist } from "../../service/local-chain/sender-allowlist.ts";
import { createSimulatedNode, LOCAL_CHAIN_GENESIS } from "../../service/local-chain/simulated-node.ts";

const ROUNDS = Number(process.argv[2] ?? 10);
const SLICE_MS = 1500;
const CLIENTS = 8;

const operator = Wallet.createRandom();
const node = await createSimulatedNode([{ privateKey: operator.privateKey, balance: 10n ** 24n }]);
const dir = await mkdtemp(join(tmpdir(), "en-read-gate-"));
const header: JournalHeader = { format: JOURNAL_FORMAT, ...LOCAL_CHAIN_GENESIS, genesisAccounts: [] };
const writer = await JournalWriter.open(join(dir, "journal.jsonl"), header, true);
const chain = new JournaledChain(node.provider, {
  writer,
  allowlist: new SenderAllowlist([operator.address]),
});

let tail: Promise<unknown> = Promise.resolve();
const serially = <T>(work: () => Promise<T>): Promise<T> => {
  const result = tail.then(work);
  tail = result.catch(() => undefined);
  return result;
};
const gates = {
  "read-write lock": chain,
  "serialise every request": {
    read: (method: string, params: unknown[]) => serially(() => chain.read(method, params)),
    sendRawTransaction: (raw: unknown) => serially(() => chain.sendRawTransaction(raw)),
  },
  "ungated (before)": {
    read: (method: string, params: unknown[]) => node.provider.request({ method, params }),
    sendRawTransaction: (raw: unknown) => chain.sendRawTransaction(raw),
  },
};
const servers = await Promise.all(
  Object.entries(gates).map(async ([name, gate]) => ({
    name,
    server: await startRpcServer(gate as JournaledChain, "127.0.0.1", 0),
  })),
);
const connect = (url: string) =>
  new JsonRpcProvider(url, LOCAL_CHAIN_GENESIS.chainId, {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: 20,
  });
const deployer = connect(servers[0]?.server.url as string);
const { contract } = await deployEvidenceAnchor(operator.connect(deployer), {
  admin: operator.address,
  anchorer: operator.address,
  chainId: LOCAL_CHAIN_GENESIS.chainId,
});
deployer.destroy();

interface Tally {
  reads: number;
  ms: number;
  latencies: number[];
  anchors: number;
}
const tallies = new Map<string, Tally>();

async function slice(name: string, url: string, anchoring: boolean): Promise<void> {
  const key = `${name}|${anchoring ? "while anchoring" : "idle"}`;
  const tally = tallies.get(key) ?? { reads: 0, ms: 0, latencies: [], anchors: 0 };
  tallies.set(key, tally);
  const provider = connect(url);
  const anchor = anchorContract(contract, new NonceManager(operator.connect(provider)));
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_call",
    params: [{ to: contract, data: anchor.interface.encodeFunctionData("nextSeq", []) }, "latest"],
  });
  const end = performance.now() + SLICE_MS;
  const anchorer = (async () => {
    while (anchoring && performance.now() < end) {
      const seq = Number(await anchor.nextSeq());
      await (await anchor.anchor(seq, `0x${(seq + 1).toString(16).padStart(64, "0")}`, 1)).wait();
      tally.anchors++;
    }
  })();
  const readers = Array.from({ length: CLIENTS }, async () => {
    while (performance.now() < end) {
      const started = performance.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      await res.json();
      tally.latencies.push(performance.now() - started);
      tally.reads++;
    }
  });
  await Promise.all([anchorer, ...readers]);
  tally.ms += SLICE_MS;
  provider.destroy();
}

try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const anchoring of [false, true]) {
      for (const { name, server } of servers) await slice(name, server.url, anchoring);
    }
  }
  for (const [key, t] of tallies) {
    const [name, phase] = key.split("|") as [string, string];
    t.latencies.sort((a, b) => a - b);
    const q = (p: number) => (t.latencies[Math.floor(p * (t.latencies.length - 1))] ?? 0).toFixed(1);
    console.log(
      `${name.padEnd(24)} ${phase.padEnd(16)} ${Math.round(t.reads / (t.ms / 1000))} reads/s ` +
        `(p50 ${q(0.5)} ms, p99 ${q(0.99)} ms), ${(t.anchors / (t.ms / 1000)).toFixed(1)} anchors/s`,
    );
  }
} finally {
  for (const { server } of servers) await server.close();
  await writer.close();
  await node.close();
  await rm(dir, { recursive: true, force: true });
}
