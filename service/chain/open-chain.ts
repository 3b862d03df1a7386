// A provider for the CLIs that act on a chain (deploy, roles): the chain id is asked of the
// node once, with a timeout, so an unreachable or wrong endpoint is a clear error at once
// (ethers would otherwise retry its network detection forever), and then fixed.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { createChainReader, DEFAULT_RPC_TIMEOUT_MS } from "./chain-reader.ts";

export interface OpenedChain {
  provider: JsonRpcProvider;
  chainId: number;
  /** The endpoint without path, query or credentials, for messages. */
  endpoint: string;
  close(): void;
}

/** Throws ChainUnavailableError, naming the endpoint, when the node cannot be reached. */
export async function openChain(rpcUrl: string, options: { timeoutMs?: number } = {}): Promise<OpenedChain> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  const probe = createChainReader(rpcUrl, 1, { timeoutMs });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } finally {
    probe.destroy();
  }
  const request = new FetchRequest(rpcUrl);
  request.timeout = timeoutMs;
  const provider = new JsonRpcProvider(request, Network.from(chainId), {
    staticNetwork: true,
    batchMaxCount: 1,
    cacheTimeout: -1, // a nonce or block number from a cache would be wrong here
    pollingInterval: 250,
  });
  return { provider, chainId, endpoint: new URL(rpcUrl).origin, close: () => provider.destroy() };
}
