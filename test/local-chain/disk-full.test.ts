// A real full disk: `npm run chain` with DATA_DIR on a tiny tmpfs. When a journal append
// fails (ENOSPC), the chain process says so in one line and exits 1, having acknowledged
// nothing it did not journal; started again with space freed, it replays exactly what it
// acknowledged. Needs `mount -t tmpfs` (root); reports itself skipped where that is refused.
import { type ChildProcess, execFile } from "node:child_process";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { NonceManager } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { anchorContract } from "../../service/chain/anchor-contract.ts";
import { readKey } from "../../service/chain/key-file.ts";
import { connect } from "../helpers/local-chain.ts";
import { startScript, stopProcess } from "../helpers/processes.ts";

const run = promisify(execFile);
const mountPoint = await mkdtemp(join(tmpdir(), "en-disk-full-"));
const mounted = await run("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]).then(
  () => true,
  () => false,
);

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  if (mounted) await run("umount", [mountPoint]);
  await rm(mountPoint, { recursive: true, force: true });
});

const READY = /local chain ready at (http:\/\/[^\s]+) \(chain id (\d+)\)/;
const ROOT = (n: number) => `0x${(n + 1).toString(16).padStart(64, "0")}`;

/** Writes to `path` until the file system is full. */
async function fillDisk(path: string): Promise<void> {
  const file = await open(path, "w");
  try {
    for (const size of [65_536, 512]) {
      for (;;) {
        try {
          await file.write(Buffer.alloc(size));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
          throw error;
        }
      }
    }
  } finally {
    await file.close();
  }
}

function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? (child.signalCode as string));
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal as string))));
}

describe("the local chain on a full disk", () => {
  it.skipIf(!mounted)(
    `stops with one clear line and exit 1, then replays what it acknowledged${mounted ? "" : " (skipped: mount -t tmpfs is not permitted here)"}`,
    async () => {
      const dataDir = join(mountPoint, "data");
      const env = { DATA_DIR: dataDir, CHAIN_PORT: "0" };
      const first = await startScript("scripts/chain.ts", env, READY);
      cleanups.push(() => stopProcess(first.child, "SIGKILL"));
      const chainId = Number(first.match[2]);
      const deployment = JSON.parse(await readFile(join(dataDir, "chain", "deployment.json"), "utf8"));
      const key = await readKey(join(dataDir, "anchorer.key"));
      const provider = connect(first.match[1] as string, chainId);
      const anchor = anchorContract(deployment.contract, new NonceManager(key.connect(provider)));

      const filler = join(mountPoint, "filler");
      await fillDisk(filler);
      let acknowledged = 0;
      let failure: unknown;
      for (let seq = 0; seq < 200 && failure === undefined; seq++) {
        try {
          await (await anchor.anchor(seq, ROOT(seq), 1)).wait();
          acknowledged++;
        } catch (error) {
          failure = error;
        }
      }
      provider.destroy();
      const answer = (failure as { error?: { message?: string } }).error?.message ?? String(failure);
      expect(answer).toMatch(/^local chain stopped: its journal could not be written \(ENOSPC/);
      expect(await exitOf(first.child)).toBe(1);
      const stopLines = first
        .output()
        .split("\n")
        .filter((line) => line.includes("local chain stopped"));
      expect(stopLines).toHaveLength(1);
      expect(stopLines[0]).toContain("ENOSPC");

      await rm(filler);
      const second = await startScript("scripts/chain.ts", env, READY);
      cleanups.push(() => stopProcess(second.child));
      // Funding and deployment, then every acknowledged anchor and nothing else.
      expect(second.output()).toContain(`replaying ${2 + acknowledged} journaled transactions`);
      const p2 = connect(second.match[1] as string, chainId);
      cleanups.push(async () => p2.destroy());
      expect(await anchorContract(deployment.contract, p2).nextSeq()).toBe(BigInt(acknowledged));
      console.log(
        `disk full: ${acknowledged} anchors acknowledged before ENOSPC, all replayed after restart`,
      );
    },
  );
});
