// A chain that is not ours: a standalone `hardhat node` process on a free port, which keeps
// its state in memory and knows nothing of our journal, allowlist or deployment. It runs on
// the pinned Node (Hardhat 3 needs Node 22 or newer). With `intervalMs`, it mines a block on
// that interval instead of one per transaction, as a real network does, so confirmations
// take time. Its funded accounts are Hardhat's development accounts (devAccount(i)).
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { HDNodeWallet, JsonRpcProvider, Wallet } from "ethers";
import { closedPort, REPO_ROOT } from "./processes.ts";

const require = createRequire(import.meta.url);
const HARDHAT_CLI = join(dirname(require.resolve("hardhat/package.json")), "dist", "src", "cli.js");
const PINNED_NODE_BIN = join(REPO_ROOT, "node_modules", "node", "bin");
const MNEMONIC = "test test test test test test test test test test test junk";
const OUTPUT_KEPT = 64 * 1024;

export interface HardhatNode {
  url: string;
  chainId: number;
  child: ChildProcess;
  /** The last 64 KiB the node printed (it logs every call). */
  output(): string;
  stop(): Promise<void>;
}

/** Hardhat's development account `index` (funded with 10,000 ETH on a Hardhat node; its key is public). */
export function devAccount(index: number): Wallet {
  const hd = HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`);
  return new Wallet(hd.privateKey);
}

export async function startHardhatNode(options: { intervalMs?: number } = {}): Promise<HardhatNode> {
  const port = await closedPort();
  const child = spawn(
    process.execPath,
    [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: `${PINNED_NODE_BIN}:${process.env.PATH ?? ""}` },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`hardhat node did not start in 90 s:\n${output}`)),
        90_000,
      );
      const onData = () => {
        if (output.includes("Started HTTP and WebSocket JSON-RPC server")) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`hardhat node exited (${code}) before it started:\n${output}`));
      });
    });
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
    try {
      const chainId = Number(await provider.send("eth_chainId", []));
      if (options.intervalMs !== undefined) {
        await provider.send("evm_setAutomine", [false]);
        await provider.send("evm_setIntervalMining", [options.intervalMs]);
      }
      return { url, chainId, child, output: () => output, stop };
    } finally {
      provider.destroy();
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
