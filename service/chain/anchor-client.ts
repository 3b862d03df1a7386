// The anchoring side of the chain: sends anchor(seq, root, treeSize) signed by our own key
// (never an unlocked node account), manages the nonce itself, and reads anchors back for
// reconciliation. Works against any EVM JSON-RPC endpoint.
import {
  Contract,
  id,
  isError,
  type JsonRpcProvider,
  keccak256,
  type TransactionReceipt,
  type TransactionRequest,
  type Wallet,
} from "ethers";
import { type Hex, toHex } from "../core/hex.ts";
import { ANCHOR_ABI } from "./anchor-abi.ts";
import { chooseFees, type FeeQuote, type TxFees, withHeadroom } from "./fee-policy.ts";
import { readFeeQuote } from "./fee-quote.ts";
import { headBlock, waitForReceipt } from "./receipts.ts";

/** keccak256("ANCHORER_ROLE"), as the contract defines it. */
export const ANCHORER_ROLE = id("ANCHORER_ROLE") as Hex;

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
  gasLimit: bigint;
  raw: Hex;
}

/** What one anchor transaction anchors. */
export interface AnchorCall {
  seq: number;
  root: Hex;
  treeSize: number;
}

export interface AnchorTxOptions {
  /** Default: the account's next nonce (pending state). A stuck transaction is replaced with its own. */
  nonce?: number;
  /** Default: eth_estimateGas with DEFAULT_GAS_PERCENT. */
  gasLimit?: bigint;
  /** Default: chooseFees() of what the chain quotes now. */
  fees?: TxFees;
}

/** Gas limit as a percentage of the estimate: 25% headroom. */
export const DEFAULT_GAS_PERCENT = 125;

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

  /** The anchoring account, lowercase. */
  get anchorerAddress(): Hex {
    return this.wallet.address.toLowerCase() as Hex;
  }

  async nextSeq(): Promise<number> {
    return Number(await this.reader.getFunction("nextSeq").staticCall({ blockTag: "latest" }));
  }

  /** Whether `account` (default: ours) holds ANCHORER_ROLE on the contract now. */
  async hasAnchorerRole(account: string = this.wallet.address): Promise<boolean> {
    return (await this.reader.getFunction("hasRole").staticCall(ANCHORER_ROLE, account)) as boolean;
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

  /** keccak-256 of the code at the contract address; null when there is none. */
  async codeHash(): Promise<Hex | null> {
    const code = await this.provider.getCode(this.contract, "latest");
    return code === "0x" ? null : (keccak256(code).toLowerCase() as Hex);
  }

  /** Our account's balance, in wei. */
  async balance(): Promise<bigint> {
    return this.provider.getBalance(this.wallet.address, "latest");
  }

  /**
   * eth_estimateGas of anchor(seq, root, treeSize) from our account. When the call would
   * revert, the node's error comes through (CALL_EXCEPTION, with the revert data when the
   * node sends it), so the reason is known before any gas is spent.
   */
  async estimateAnchorGas(call: AnchorCall): Promise<bigint> {
    return this.provider.estimateGas({
      from: this.wallet.address,
      to: this.contract,
      data: this.encode(call),
    });
  }

  /** What the chain charges now (fee-policy.ts decides what to offer). */
  feeQuote(): Promise<FeeQuote> {
    return readFeeQuote(this.provider);
  }

  /**
   * Signs anchor(seq, root, treeSize) without sending it, so the caller can record the hash
   * durably first. Legacy at gas price 0 on a free-gas chain (fee-policy.ts).
   */
  async signAnchor(call: AnchorCall, options: AnchorTxOptions = {}): Promise<SignedAnchor> {
    const [nonce, fees, gasLimit] = await Promise.all([
      options.nonce ?? this.provider.getTransactionCount(this.wallet.address, "pending"),
      options.fees ?? this.feeQuote().then(chooseFees),
      options.gasLimit ?? this.estimateAnchorGas(call).then((gas) => withHeadroom(gas, DEFAULT_GAS_PERCENT)),
    ]);
    const request: TransactionRequest = {
      to: this.contract,
      data: this.encode(call),
      nonce,
      chainId: this.chainId,
      gasLimit,
      ...fees,
    };
    const raw = (await this.wallet.signTransaction(request)) as Hex;
    return { txHash: keccak256(raw) as Hex, nonce, gasLimit, raw };
  }

  private encode(call: AnchorCall): Hex {
    return this.reader.interface.encodeFunctionData("anchor", [call.seq, call.root, call.treeSize]) as Hex;
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

  /**
   * The receipt (successful or reverted) once it has `confirmations` confirmations, or null
   * if that did not happen within `timeoutMs`.
   */
  waitForReceipt(txHash: Hex, confirmations: number, timeoutMs: number): Promise<TransactionReceipt | null> {
    return waitForReceipt(this.provider, txHash, confirmations, timeoutMs);
  }

  /** Blocks on top of `blockNumber`, its own included (1 = just mined). */
  async confirmationsOf(blockNumber: number): Promise<number> {
    return (await this.headBlock()) - blockNumber + 1;
  }

  /** The receipt if the transaction is mined (however recently), else null. */
  async receiptOf(txHash: Hex): Promise<TransactionReceipt | null> {
    return this.provider.getTransactionReceipt(txHash);
  }

  /** Whether the node knows the transaction at all: mined, or waiting in its pool. */
  async isKnown(txHash: Hex): Promise<boolean> {
    return (await this.provider.send("eth_getTransactionByHash", [txHash])) !== null;
  }

  /** The chain head, asked fresh. */
  headBlock(): Promise<number> {
    return headBlock(this.provider);
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
