// The anchoring account's private key lives in a file (mode 0600) or in the environment.
// It is never logged or returned; only the derived address is shown.
import { readFile } from "node:fs/promises";
import { Wallet } from "ethers";
import { writeFileDurably } from "../fs/durable-file.ts";

/** A key file that cannot be read or holds no key; the message names the file, never the key. */
export class KeyFileError extends Error {
  override name = "KeyFileError";
}

/** Reads a private key from `path`; throws KeyFileError when it cannot. */
export async function readKey(path: string): Promise<Wallet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new KeyFileError(`cannot read the key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return new Wallet(text.trim());
  } catch {
    throw new KeyFileError(
      `the key file ${path} does not hold a 32-byte hex private key (the value is not shown)`,
    );
  }
}

/**
 * Reads a private key from `path`, creating a fresh random one when the file is absent. The
 * new file (mode 0600) is written durably before the key is used, and when two processes
 * race, both end up with the one that was written first.
 */
export async function readOrCreateKey(path: string): Promise<Wallet> {
  try {
    return await readKey(path);
  } catch (error) {
    if (((error as Error).cause as NodeJS.ErrnoException | undefined)?.code !== "ENOENT") throw error;
  }
  await writeFileDurably(path, `${Wallet.createRandom().privateKey}\n`, { mode: 0o600, exclusive: true });
  return readKey(path);
}
