// Where the anchor contract lives. Written by the local chain (or by `npm run deploy`
// against an external chain) to DATA_DIR/chain/deployment.json, read by the service.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Hex } from "../core/hex.ts";
import { writeFileDurably } from "../fs/durable-file.ts";

export interface Deployment {
  chainId: number;
  contract: Hex;
  deployer: Hex;
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  deployedAt: string;
}

export function deploymentPath(dataDir: string): string {
  return join(dataDir, "chain", "deployment.json");
}

export async function readDeployment(dataDir: string): Promise<Deployment | undefined> {
  try {
    return JSON.parse(await readFile(deploymentPath(dataDir), "utf8")) as Deployment;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Writes atomically and durably (file and folder fsynced), so a reader never sees half a file. */
export async function writeDeployment(dataDir: string, deployment: Deployment): Promise<void> {
  await writeFileDurably(deploymentPath(dataDir), `${JSON.stringify(deployment, null, 2)}\n`);
}
