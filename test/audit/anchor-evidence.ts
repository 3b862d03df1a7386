// What the audit's pure tests share: a batch row recorded as anchored, with the contract's
// getAnchor(seq) answer and the receipt of its anchoring transaction, all consistent, as a
// chain that anchored it would give them. The RootAnchored event is encoded by ethers from
// the ABI, independently of the decoder under test. The real chain: run-audit.test.ts.
import { sha256 } from "@noble/hashes/sha2.js";
import { Interface } from "ethers";
import type { AnchorEvidence } from "../../service/audit/audit-anchor.ts";
import { ANCHOR_ABI } from "../../service/chain/anchor-abi.ts";
import type { ChainAnchor, ChainReceipt } from "../../service/core/chain-checks.ts";
import { fromHex, type Hex, toHex } from "../../service/core/hex.ts";

export const CONTRACT = "0x5fbdb2315678afecb367f032d93f642f64180aa3" as Hex;
export const CHAIN_ID = 31337;

const anchorInterface = new Interface(ANCHOR_ABI);
const fixed = (label: string) => sha256(new TextEncoder().encode(label));

/** Batch `seq` of `size` leaves with `root`, anchored in block 40 + seq by transaction "tx <seq>". */
export function anchorEvidence(
  seq: number,
  root: Uint8Array,
  size: number,
): AnchorEvidence & { anchor: ChainAnchor; receipt: ChainReceipt } {
  const blockNumber = 40 + seq;
  const blockHash = fixed(`block ${seq}`);
  const timestamp = 1_767_225_600 + seq;
  const log = anchorInterface.encodeEventLog("RootAnchored", [seq, toHex(root), size, toHex(fixed("prev"))]);
  return {
    batch: {
      seq,
      root,
      size,
      state: "anchored",
      chainId: CHAIN_ID,
      contract: fromHex(CONTRACT),
      txHash: fixed(`tx ${seq}`),
      blockNumber,
      blockHash,
      blockTimestamp: timestamp,
    },
    anchor: { root: toHex(root), treeSize: size, blockNumber, timestamp },
    chain: { chainId: CHAIN_ID, contract: CONTRACT },
    receipt: {
      status: 1,
      to: CONTRACT,
      blockNumber,
      blockHash: toHex(blockHash),
      logs: [{ address: CONTRACT, topics: log.topics as Hex[], data: log.data as Hex }],
    },
  };
}
