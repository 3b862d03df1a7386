// Options and exit handling shared by the CLIs that act on a chain (deploy, roles).
import { isAddress } from "ethers";
import { KeyFileError } from "../../service/chain/key-file.ts";
import { ConfigError } from "../../service/config.ts";
import { ChainUnavailableError } from "../../service/core/errors.ts";
import type { Hex } from "../../service/core/hex.ts";
import { isUsageError, UsageError } from "../cli/usage-error.ts";

export function integerOption(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

export function rpcOption(raw: string | undefined): string | undefined {
  if (raw !== undefined && !/^https?:\/\/./.test(raw)) {
    throw new UsageError(`--rpc must be an http:// or https:// URL, got ${raw}`);
  }
  return raw;
}

export function addressOption(name: string, raw: string | undefined): Hex | undefined {
  if (raw === undefined) return undefined;
  if (!isAddress(raw)) throw new UsageError(`${name} must be a 0x-prefixed 20-byte address, got "${raw}"`);
  return raw.toLowerCase() as Hex;
}

/** Any error class: the refusals a CLI names (nothing was sent). */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a CLI's main and sets the exit code: its own; or 2 with the usage for a usage error;
 * or 2 with one line for what stopped it before anything was sent (one of `refusals`, the
 * configuration, an unreachable chain, a key file); else 2 with the stack (a bug).
 */
export async function runCli(
  tool: string,
  main: () => Promise<number>,
  usage: string,
  refusals: ErrorClass[],
): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    const message = (error as Error).message;
    if (isUsageError(error)) {
      console.error(`${message}\n${usage}`);
    } else if (error instanceof ChainUnavailableError) {
      console.error(
        `${tool}: ${message} (nothing was sent). Check --rpc (or CHAIN_RPC_URL) and that the node runs.`,
      );
    } else if (
      error instanceof ConfigError ||
      error instanceof KeyFileError ||
      refusals.some((refusal) => error instanceof refusal)
    ) {
      console.error(`${tool}: ${message} (nothing was sent)`);
    } else {
      console.error(`${tool} failed: ${(error as Error).stack ?? error}`);
    }
    process.exitCode = 2;
  }
}
