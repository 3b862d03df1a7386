// Part 8: chain cost from real receipts on the local chain (Hardhat EDR): gas of one
// anchor(seq, root, treeSize) for trees of 1, 100 and 10,000 records, against the naive
// design of one transaction per record (here: one anchor of a one-leaf tree per record, the
// cheapest per-record transaction this contract offers).
import { randomBytes } from "node:crypto";
import { toHex } from "../../service/core/hex.ts";
import { buildTree, HASH_BYTES, treeRoot } from "../../service/core/merkle.ts";
import { startTestChain, type TestChain } from "../../test/helpers/local-chain.ts";
import { type BenchPart, fmtInt, fmtRatio, target } from "./part.ts";
import { startProgress } from "./progress.ts";

const BATCH_SIZES = [1, 100, 10_000];

async function anchorGas(chain: TestChain, seq: number, leaves: number): Promise<bigint> {
  const root = treeRoot(buildTree(new Uint8Array(randomBytes(leaves * HASH_BYTES))));
  const tx = await chain.anchor.anchor(seq, toHex(root), leaves);
  const receipt = await tx.wait();
  if (receipt === null || receipt.status !== 1) throw new Error(`anchor of seq ${seq} failed`);
  return receipt.gasUsed;
}

export const chainCostPart: BenchPart = {
  name: "chain-cost",
  title: "Chain cost: gas per anchor and per record",
  size: { meaning: "one-record transactions sent for the naive design", full: 100, quick: 20 },
  async run({ size, log }) {
    const chain = await startTestChain();
    try {
      let seq = Number(await chain.anchor.nextSeq());
      // The contract's first anchor also writes its counter's storage slot from zero: not counted.
      const firstGas = await anchorGas(chain, seq++, 1);
      const batches: Array<{ size: number; gas: bigint }> = [];
      for (const leaves of BATCH_SIZES)
        batches.push({ size: leaves, gas: await anchorGas(chain, seq++, leaves) });
      const progress = startProgress("one transaction per record", size, log);
      let naiveGas = 0n;
      for (let i = 0; i < size; i++) {
        naiveGas += await anchorGas(chain, seq++, 1);
        progress.update(i + 1);
      }
      progress.stop();
      const naivePerRecord = Number(naiveGas) / size;
      const rows = batches.map((b) => {
        const perRecord = Number(b.gas) / b.size;
        return [
          `one anchor of a ${fmtInt(b.size)}-record tree`,
          fmtInt(Number(b.gas)),
          perRecord >= 10 ? fmtInt(perRecord) : perRecord.toFixed(2),
          `${fmtInt(naivePerRecord * b.size)} (${fmtRatio((naivePerRecord * b.size) / Number(b.gas))})`,
        ];
      });
      rows.push([
        `naive: one transaction per record (mean of ${size})`,
        fmtInt(naivePerRecord),
        fmtInt(naivePerRecord),
        "—",
      ]);
      const big = batches[batches.length - 1] as { size: number; gas: bigint };
      const perDay = 575_000_000;
      return {
        columns: ["design", "gas per transaction", "gas per record", "one transaction per record would cost"],
        rows,
        targets: [
          target(
            "gas per record falls with batch size (reported, no fixed bar)",
            "report",
            `${(Number(big.gas) / big.size).toFixed(2)} gas/record at ${fmtInt(big.size)} vs ${fmtInt(naivePerRecord)} naive`,
            null,
          ),
        ],
        notes: [
          "Gas from the receipts of real transactions on the local chain (Hardhat EDR, EvidenceAnchor as deployed by the service). The gas of an anchor does not depend on the tree size: one root and one size are stored whatever the number of leaves.",
          `At the bank's ~${fmtInt(perDay / 1e6)} million records a day, one batch a second is 86,400 anchors a day (about ${fmtInt((86_400 * Number(big.gas)) / 1e6)} million gas), where one transaction per record would be about ${fmtInt((perDay * naivePerRecord) / 1e9)} billion gas.`,
          `The contract's very first anchor (seq 0) costs ${fmtInt(Number(firstGas))} gas, because it also initialises storage; it was sent first and is not in the table.`,
        ],
        data: {
          batches: batches.map((b) => ({ size: b.size, gas: Number(b.gas) })),
          naive: { transactions: size, totalGas: Number(naiveGas), perRecord: naivePerRecord },
        },
      };
    } finally {
      await chain.stop();
    }
  },
};
