// The anchoring side of the chain: sends anchor(seq, root, treeSize) signed by our own key
// (never an unlocked node account), manages the nonce itself, and reads anchors back for
// reconciliation. Works against any EVM JSON-RPC endpoint.
import {
  Contract,
  isError,
  type JsonRpcProvider,
  keccak256,
  type TransactionReceipt,
  type TransactionRequest,
  type Wallet,
} from "ethers";
import { type Hex, toHex } from "../core/hex.ts";
import { ANCHOR_ABI } from "./anchor-abi.ts";

export interface OnChainAnchor {
  root: Hex;
  treeSize: number;
  blockNumber: number;
  timestamp: number;
}

export interface AnchorInclusion {
  txHash: Hex;
  blockNumber: number;
  blockHash: Hex;
  timestamp: number;
}

/** A signed anchor transaction, not yet broadcast: its hash is known before it is sent. */
export interface SignedAnchor {
  txHash: Hex;
  nonce: number;
  raw: Hex;
}

const GAS_LIMIT = 150_000n;

/** True when an on-chain anchor holds exactly this root and size. */
export function isSameRoot(onChain: OnChainAnchor, root: Uint8Array, size: number): boolean {
  return onChain.root === toHex(root) && onChain.treeSize === size;
}

export class AnchorClient {
  readonly provider: JsonRpcProvider;
  readonly contract: Hex;
  readonly chainId: number;
  private readonly wallet: Wallet;
  private readonly reader: Contract;

  constructor(provider: JsonRpcProvider, contract: Hex, chainId: number, wallet: Wallet) {
    this.provider = provider;
    this.contract = contract;
    this.chainId = chainId;
    this.wallet = wallet.connect(provider);
    this.reader = new Contract(contract, ANCHOR_ABI, provider);
  }

  get anchorerAddress(): string {
    return this.wallet.address;
  }

  async nextSeq(): Promise<number> {
    return Number(await this.reader.getFunction("nextSeq").staticCall({ blockTag: "latest" }));
  }

  async isAnchorer(): Promise<boolean> {
    const role = await this.reader.getFunction("ANCHORER_ROLE").staticCall();
    return (await this.reader.getFunction("hasRole").staticCall(role, this.wallet.address)) as boolean;
  }

  async getAnchor(seq: number): Promise<OnChainAnchor> {
    const a = await this.reader.getFunction("getAnchor").staticCall(seq);
    return {
      root: (a.root as string).toLowerCase() as Hex,
      treeSize: Number(a.treeSize),
      blockNumber: Number(a.blockNumber),
      timestamp: Number(a.timestamp),
    };
  }

  /**
   * Signs anchor(seq, root, treeSize) with the next nonce of our account (pending state),
   * or with `nonceOverride` to replace a stuck transaction, without sending it, so the
   * caller can record the hash durably first.
   */
  async signAnchor(seq: number, root: Hex, treeSize: number, nonceOverride?: number): Promise<SignedAnchor> {
    const data = this.reader.interface.encodeFunctionData("anchor", [seq, root, treeSize]);
    const [nonce, fees] = await Promise.all([
      nonceOverride ?? this.provider.getTransactionCount(this.wallet.address, "pending"),
      this.provider.getFeeData(),
    ]);
    const request: TransactionRequest = {
      to: this.contract,
      data,
      nonce,
      chainId: this.chainId,
      gasLimit: GAS_LIMIT,
    };
    if (fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null) {
      request.type = 2;
      request.maxFeePerGas = fees.maxFeePerGas * 2n;
      request.maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
    } else {
      request.type = 0;
      request.gasPrice = fees.gasPrice ?? 0n;
    }
    const raw = (await this.wallet.signTransaction(request)) as Hex;
    return { txHash: keccak256(raw) as Hex, nonce, raw };
  }

  /** Number of our transactions mined so far (the nonce the next mined one will have). */
  async minedNonce(): Promise<number> {
    return this.provider.getTransactionCount(this.wallet.address, "latest");
  }

  /**
   * Sends a signed transaction. "Already known" and "nonce too low" are not failures here:
   * the same transaction (or one with its nonce) already reached the chain, and the caller
   * decides from the chain's state what happened.
   */
  async broadcast(signed: SignedAnchor): Promise<void> {
    try {
      await this.provider.send("eth_sendRawTransaction", [signed.raw]);
    } catch (error) {
      if (
        isError(error, "NONCE_EXPIRED") ||
        /already known|known transaction|nonce too low/i.test(String(error))
      ) {
        return;
      }
      throw error;
    }
  }

  /** The receipt once it has `confirmations` confirmations, or null if not mined within `timeoutMs`. */
  async waitForReceipt(
    txHash: Hex,
    confirmations: number,
    timeoutMs: number,
  ): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const receipt = await this.provider.getTransactionReceipt(txHash);
      if (receipt !== null && (await this.headBlock()) - receipt.blockNumber + 1 >= confirmations) {
        return receipt;
      }
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The chain head, asked fresh: ethers' getBlockNumber() may answer from a cache. */
  async headBlock(): Promise<number> {
    return Number(await this.provider.send("eth_blockNumber", []));
  }

  /**
   * Finds the transaction that anchored `seq`, from the RootAnchored event log. Used to
   * reconcile a batch whose transaction was mined but never recorded as such.
   */
  async findAnchorTransaction(seq: number, fromBlock: number): Promise<AnchorInclusion | null> {
    const filter = this.reader.filters.RootAnchored?.(seq);
    if (filter === undefined) throw new Error("RootAnchored event missing from ABI");
    const logs = await this.reader.queryFilter(filter, fromBlock, "latest");
    const log = logs[0];
    if (log === undefined) return null;
    return this.inclusionOf(log.transactionHash as Hex);
  }

  /**
   * Where a successful transaction was mined; null when it is not mined or it reverted. A
   * reverted anchor (e.g. a second process sending the same seq during a leader handover)
   * may sit in the very block of the successful one: it must never be taken for the anchor.
   */
  async inclusionOf(txHash: Hex): Promise<AnchorInclusion | null> {
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (receipt === null || receipt.status !== 1) return null;
    const block = await this.provider.getBlock(receipt.blockHash);
    if (block === null) return null;
    return {
      txHash: receipt.hash.toLowerCase() as Hex,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash.toLowerCase() as Hex,
      timestamp: block.timestamp,
    };
  }
}
