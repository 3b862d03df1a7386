// A typed handle on EvidenceAnchor, so callers get checked method names and arguments
// instead of ethers' untyped dynamic properties.
import {
  type BaseContract,
  type BaseContractMethod,
  Contract,
  type ContractRunner,
  type ContractTransactionResponse,
} from "ethers";
import { ANCHOR_ABI } from "./anchor-abi.ts";

type Int = bigint | number;

export interface AnchorStruct {
  root: string;
  treeSize: bigint;
  blockNumber: bigint;
  timestamp: bigint;
}

type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;
type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;

export type EvidenceAnchorContract = BaseContract & {
  ANCHORER_ROLE: View<[], string>;
  DEFAULT_ADMIN_ROLE: View<[], string>;
  anchor: Send<[Int, string, Int]>;
  getAnchor: View<[Int], AnchorStruct>;
  latestSeq: View<[], bigint>;
  nextSeq: View<[], bigint>;
  verifyInclusion: View<[Int, string, Int, string[]], boolean>;
  hasRole: View<[string, string], boolean>;
  grantRole: Send<[string, string]>;
  revokeRole: Send<[string, string]>;
};

export function anchorContract(address: string, runner: ContractRunner | null): EvidenceAnchorContract {
  return new Contract(address, ANCHOR_ABI, runner) as unknown as EvidenceAnchorContract;
}
