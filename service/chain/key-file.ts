// The anchoring account's private key lives in a file (mode 0600) or in the environment.
// It is never logged or returned; only the derived address is shown.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Wallet } from "ethers";

/** Reads a private key from `path`, creating a fresh random one (mode 0600) when the file is absent. */
export async function readOrCreateKey(path: string): Promise<Wallet> {
  try {
    return new Wallet((await readFile(path, "utf8")).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(`cannot read the anchoring key file ${path}: ${(error as Error).message}`);
    }
  }
  const wallet = Wallet.createRandom();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${wallet.privateKey}\n`, { mode: 0o600, flag: "wx" });
  return new Wallet(wallet.privateKey);
}
