// The chain vectors (test/vectors/chain-*.json): one genuine chain, the forgeries of issue
// #10 (a look-alike contract, another chain with the same id), and one fault per rule of the
// anchor checks and of "revert or outage" (docs/evidence-format.md sections 10 and 11).
import type { Bundle } from "../../service/core/bundle.ts";
import { toHex } from "../../service/core/hex.ts";
import { ANCHOR, fixed, forgedChain, genuineChain, LOOK_ALIKE, type VectorIntent } from "./bundle-vectors.ts";
import { isCallOf, word } from "./chain-model.ts";
import { batchOf, FORGED_RECORD, flipBit, RECORDS } from "./records.ts";

/** The vectors judged against a chain transcript: genuine, forged, and faulty endpoints. */
export async function addChainVectors(
  add: (name: string, intent: VectorIntent) => Promise<void>,
  base: Bundle,
  record: unknown,
): Promise<void> {
  const onChain = (
    description: string,
    change: object,
    failed: VectorIntent["failed"],
    chain = genuineChain(base),
    edit?: VectorIntent["edit"],
  ): VectorIntent => ({ description, bundle: { ...base, ...change }, record, failed, chain, edit });
  const ms = base.anchor.timestamp * 1000;

  await add(
    "chain-ok-leaf-2",
    onChain("Leaf 2 of 5 on the genuine chain: every check passes (the worked example).", {}, []),
  );
  await add("chain-ok-without-record", {
    ...onChain("Without the record: `digest` is not run, the verdict is valid.", {}, []),
    record: undefined,
  });

  // Forged: the attacks of issue #10.
  const forged = batchOf([...RECORDS.slice(0, 2), FORGED_RECORD, ...RECORDS.slice(3)], {
    ...ANCHOR,
    contract: LOOK_ALIKE,
    txHash: fixed("look-alike anchor transaction"),
  });
  const lookAlikeBundle = forged[2] as Bundle;
  await add("chain-look-alike-same-code", {
    description:
      "A record never notarized, anchored by an attacker in a look-alike EvidenceAnchor (the same runtime code) at another address on the notary's own chain. The transcript has the look-alike's answers too: a verifier that asked the bundle's contract would pass every check. `notary` fails, the anchor checks are not run.",
    bundle: lookAlikeBundle,
    record: FORGED_RECORD,
    failed: ["notary"],
    chain: forgedChain(base, lookAlikeBundle),
  });
  await add(
    "chain-wrong-genesis",
    onChain(
      "The bundle's claims match the profile, but the endpoint serves another chain with the same chain id 31337 (another genesis block, the same contract address and code, the anchor there): `notary` fails.",
      {},
      ["notary"],
      {
        ...genuineChain(base),
        blocks: genuineChain(base).blocks.map((b) =>
          b.number <= 2 ? { ...b, hash: fixed(`other chain block ${b.number}`) } : b,
        ),
      },
    ),
  );
  await add(
    "chain-endpoint-other-chain-id",
    onChain(
      "The endpoint serves chain 1 (eth_chainId 0x1), not the notary's chain 31337: `notary` fails.",
      {},
      ["notary"],
      { ...genuineChain(base), chainId: 1 },
    ),
  );
  await add(
    "chain-deployment-block-replaced",
    onChain(
      "The genesis is the notary's, but block 2, where the contract was deployed, has another hash (a rewritten history): `notary` fails.",
      {},
      ["notary"],
      {
        ...genuineChain(base),
        blocks: genuineChain(base).blocks.map((b) =>
          b.number === 2 ? { ...b, hash: fixed("rewritten block 2") } : b,
        ),
      },
    ),
  );
  await add(
    "chain-no-code-at-contract",
    onChain(
      "eth_getCode of the pinned contract answers 0x (no contract there): `notary` fails.",
      {},
      ["notary"],
      {
        ...genuineChain(base),
        code: {},
      },
    ),
  );
  await add(
    "chain-other-code-at-contract",
    onChain("The pinned address holds other code: `notary` fails.", {}, ["notary"], {
      ...genuineChain(base),
      code: { [ANCHOR.contract]: toHex(new TextEncoder().encode("another contract")) },
    }),
  );

  // The anchor checks, one fault each.
  const receiptEdit =
    (change: (r: Record<string, unknown>) => Record<string, unknown> | null): VectorIntent["edit"] =>
    (e) =>
      e.method === "eth_getTransactionReceipt" && e.params[0] === base.anchor.txHash
        ? { ...e, result: e.result === null ? null : change(e.result as Record<string, unknown>) }
        : e;
  await add(
    "chain-reverted-anchor-tx",
    onChain(
      "The anchoring transaction's receipt has status 0x0 (reverted): `anchor_tx` fails.",
      {},
      ["anchor_tx"],
      undefined,
      receiptEdit((r) => ({ ...r, status: "0x0", logs: [] })),
    ),
  );
  await add(
    "chain-receipt-without-status",
    onChain(
      "The receipt has no `status` field (a chain before Byzantium): not a success, `anchor_tx` fails.",
      {},
      ["anchor_tx"],
      undefined,
      receiptEdit(({ status: _status, ...r }) => r),
    ),
  );
  await add(
    "chain-tx-to-relayer",
    onChain(
      "The anchoring transaction went to a relayer (another `to`) that called the contract: the contract's event is there, but `anchor_tx` fails: `to` must be the contract.",
      {},
      ["anchor_tx"],
      undefined,
      receiptEdit((r) => ({ ...r, to: fixed("relayer").slice(0, 42) })),
    ),
  );
  await add(
    "chain-tx-unknown",
    onChain(
      "The chain has no transaction with the bundle's txHash: `anchor_tx` and `anchor_block` fail.",
      { anchor: { ...base.anchor, txHash: fixed("no such transaction") } },
      ["anchor_tx", "anchor_block"],
    ),
  );
  await add(
    "chain-tx-of-another-batch",
    onChain(
      "anchor.txHash is the transaction that anchored batch 2 (in block 6): its event is for another batch and root, and it is in another block: `anchor_tx` and `anchor_block` fail.",
      { anchor: { ...base.anchor, txHash: fixed("synthetic anchor transaction of batch 2") } },
      ["anchor_tx", "anchor_block"],
    ),
  );
  await add(
    "chain-block-hash-tampered",
    onChain(
      "anchor.blockHash has one bit flipped: `anchor_block` fails.",
      { anchor: { ...base.anchor, blockHash: flipBit(base.anchor.blockHash) } },
      ["anchor_block"],
    ),
  );
  await add(
    "chain-timestamp-in-milliseconds",
    onChain(
      `anchor.timestamp in milliseconds (${ms}), which the schema cannot tell from seconds: getAnchor's timestamp and the block's differ, so \`anchor_root\` and \`anchor_block\` fail.`,
      { anchor: { ...base.anchor, timestamp: ms } },
      ["anchor_root", "anchor_block"],
    ),
  );
  await add("chain-forged-tree-not-anchored", {
    description:
      "A forged record in a self-consistent tree (leaf, path and root agree offline) claiming the genuine anchor: the chain holds another root, so `anchor_tx`, `anchor_root` and `onchain_inclusion` fail.",
    bundle: { ...(batchOf([...RECORDS.slice(0, 2), FORGED_RECORD, ...RECORDS.slice(3)])[2] as Bundle) },
    record: FORGED_RECORD,
    failed: ["anchor_tx", "anchor_root", "onchain_inclusion"],
    chain: genuineChain(base),
  });
  await add(
    "chain-batch-never-anchored",
    onChain(
      "batch 4, which the contract never anchored: getAnchor reverts (JSON-RPC error code 3 with revert data, an answer: no such anchor), verifyInclusion answers false, and the transaction's event is for batch 3: `anchor_tx`, `anchor_root` and `onchain_inclusion` fail.",
      { batch: 4 },
      ["anchor_tx", "anchor_root", "onchain_inclusion"],
    ),
  );
  await add(
    "chain-revert-besu-style",
    onChain(
      'As chain-batch-never-anchored, but the revert comes as Besu sends it: code -32000, message "Execution reverted", revert data in `data`. Still an answer, not an outage.',
      { batch: 4 },
      ["anchor_tx", "anchor_root", "onchain_inclusion"],
      undefined,
      (e) =>
        isCallOf(e, "getAnchor") && e.error !== undefined
          ? { ...e, error: { ...e.error, code: -32000, message: "Execution reverted" } }
          : e,
    ),
  );
  await add(
    "chain-get-anchor-short-answer",
    onChain(
      "getAnchor answers three words instead of four: an answer that does not decode is no anchor, `anchor_root` fails.",
      {},
      ["anchor_root"],
      undefined,
      (e) => (isCallOf(e, "getAnchor") ? { ...e, result: (e.result as string).slice(0, -64) } : e),
    ),
  );
  await add(
    "chain-get-anchor-tree-size-above-uint64",
    onChain(
      "getAnchor's treeSize word is 2^248 + 5: its upper 24 bytes are not zero, so it is not a uint64 and the answer does not decode (a decoder keeping the low 64 bits would read 5): no anchor, `anchor_root` fails.",
      {},
      ["anchor_root"],
      undefined,
      (e) => {
        if (!isCallOf(e, "getAnchor")) return e;
        const answer = e.result as string;
        return { ...e, result: `${answer.slice(0, 66)}01${answer.slice(68)}` };
      },
    ),
  );
  await add("chain-get-anchor-answer-not-hex", {
    ...onChain(
      "getAnchor answers hex with an odd number of digits (not whole bytes): not an eth_call result at all, so an outage (section 10, rule 1): no verdict (exit 2), not a failed `anchor_root`.",
      {},
      [],
      undefined,
      (e) => (isCallOf(e, "getAnchor") ? { ...e, result: (e.result as string).slice(0, -1) } : e),
    ),
    verdict: "chain_unavailable",
  });
  await add(
    "chain-verify-inclusion-answers-2",
    onChain(
      "verifyInclusion answers the word 2: only exactly the word 1 is true, `onchain_inclusion` fails.",
      {},
      ["onchain_inclusion"],
      undefined,
      (e) => (isCallOf(e, "verifyInclusion") ? { ...e, result: `0x${word(2)}` } : e),
    ),
  );
  await add(
    "chain-verify-inclusion-answers-empty",
    onChain(
      "verifyInclusion answers 0x (no return data): not true, `onchain_inclusion` fails.",
      {},
      ["onchain_inclusion"],
      undefined,
      (e) => (isCallOf(e, "verifyInclusion") ? { ...e, result: "0x" } : e),
    ),
  );

  // Could not ask the chain: no verdict, unless an offline check already failed.
  await add("chain-call-rate-limited", {
    ...onChain(
      'getAnchor answers JSON-RPC error -32005 "limit exceeded": not a revert, so the chain could not be asked: no verdict (exit 2), never invalid.',
      {},
      [],
      undefined,
      (e) =>
        isCallOf(e, "getAnchor")
          ? { method: e.method, params: e.params, error: { code: -32005, message: "limit exceeded" } }
          : e,
    ),
    verdict: "chain_unavailable",
  });
  await add("chain-endpoint-down", {
    ...onChain("Every question answers HTTP 503: no verdict (exit 2).", {}, [], undefined, (e) => ({
      method: e.method,
      params: e.params,
      httpStatus: 503,
    })),
    verdict: "chain_unavailable",
  });
  await add("chain-endpoint-down-after-offline-failure", {
    ...onChain(
      "The record was tampered with (`digest` fails) and every question answers HTTP 503: the evidence is invalid whatever the chain says; the chain checks are reported as not run.",
      {},
      ["digest"],
      undefined,
      (e) => ({ method: e.method, params: e.params, httpStatus: 503 }),
    ),
    record: { ...(record as object), weightKg: 1.6 },
  });
}
