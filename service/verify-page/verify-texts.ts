// The verification the page runs on what the user entered: the bundle and record as text,
// the JSON-RPC URL, and the pinned notary profile. No DOM, so tests run it in Node.
//
//   - No URL: the offline checks, and the notary check's offline half (the bundle's chain id
//     and contract against the profile's); the other chain checks are not run.
//   - The chain cannot be reached: the same, with the reason on every chain check not run.
//     That decides nothing about anchoring (page-verdict.ts shows it amber), but a bundle
//     naming another notary's chain or contract still fails `notary`.
import { createChainReader, type JsonRpcChainReader } from "../chain/chain-reader.ts";
import { ChainUnavailableError } from "../core/errors.ts";
import { parseJsonText } from "../core/json-text.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import { CHAIN_CHECK_NAMES, type VerifyReport, verifyBundle } from "../core/verify.ts";

export interface PageInputs {
  bundleText: string;
  /** Empty: no record (the digest check is not run). */
  recordText: string;
  /** Empty: do not ask a chain. */
  rpcUrl: string;
  trustedNotary: NotaryProfile;
}

type Connect = (rpcUrl: string, chainId: number) => JsonRpcChainReader;

/** Throws an Error with a message for the user when the bundle or record is not JSON. */
export async function verifyTexts(
  inputs: PageInputs,
  connect: Connect = createChainReader,
): Promise<VerifyReport> {
  const bundle = parseJson(inputs.bundleText, "evidence bundle");
  const record = inputs.recordText.trim() === "" ? undefined : parseJson(inputs.recordText, "record");
  const options = { ...(record === undefined ? {} : { record }), trustedNotary: inputs.trustedNotary };
  const rpcUrl = inputs.rpcUrl.trim();
  if (rpcUrl === "") return verifyBundle(bundle, options);
  // The chain to expect is the pinned notary's, never the one the bundle names.
  const chain = connect(rpcUrl, inputs.trustedNotary.chainId);
  try {
    return await verifyBundle(bundle, { ...options, chain });
  } catch (error) {
    if (!(error instanceof ChainUnavailableError)) throw error;
    const report = await verifyBundle(bundle, options);
    for (const check of report.checks) {
      if ((CHAIN_CHECK_NAMES as readonly string[]).includes(check.name) && check.status === "skip") {
        check.message = `not run: ${error.message}`;
      }
    }
    return report;
  } finally {
    chain.destroy();
  }
}

/** UTF-8 I-JSON, as the CLI and POST /v1/verify read it: with a duplicate member name, two readers could see two documents. */
function parseJson(text: string, what: string): unknown {
  try {
    return parseJsonText(text);
  } catch (error) {
    throw new Error(`the ${what} ${(error as Error).message}, so nothing is decided`);
  }
}
