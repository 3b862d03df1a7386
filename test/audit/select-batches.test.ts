// Batch selection: ranges, and random samples that the same seed reproduces.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capFindings, type Finding, uniqueFindings } from "../../service/audit/findings.ts";
import { selectSeqs } from "../../service/audit/select-batches.ts";

describe("selectSeqs", () => {
  it("returns the whole range without a sample, and nothing for an empty range", () => {
    expect(selectSeqs({ from: 3, to: 6, seed: 1 })).toEqual([3, 4, 5, 6]);
    expect(selectSeqs({ from: 3, to: 2, seed: 1 })).toEqual([]);
    expect(selectSeqs({ from: 0, to: 2, sample: 10, seed: 1 })).toEqual([0, 1, 2]);
  });

  it("draws distinct, sorted seqs inside the range, the same ones for the same seed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (from, length, sample, seed) => {
          const to = from + length - 1;
          const seqs = selectSeqs({ from, to, sample, seed });
          expect(seqs).toHaveLength(Math.min(sample, length));
          expect(new Set(seqs).size).toBe(seqs.length);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          expect(seqs.every((s) => s >= from && s <= to)).toBe(true);
          expect(selectSeqs({ from, to, sample, seed })).toEqual(seqs);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("draws different seqs for different seeds, and reaches the whole range", () => {
    const a = selectSeqs({ from: 0, to: 999, sample: 10, seed: 1 });
    const b = selectSeqs({ from: 0, to: 999, sample: 10, seed: 2 });
    expect(a).not.toEqual(b);
    const hit = new Set<number>();
    for (let seed = 0; seed < 200; seed++)
      for (const s of selectSeqs({ from: 0, to: 19, sample: 2, seed })) hit.add(s);
    expect(hit.size).toBe(20);
  });
});

describe("findings lists", () => {
  const missing = (leafIndex: number): Finding => ({
    kind: "record_missing",
    seq: 4,
    recordId: null,
    leafIndex,
    message: `no record at ${leafIndex}`,
  });

  it("caps one kind per batch and counts the rest", () => {
    const capped = capFindings(
      Array.from({ length: 7 }, (_, i) => missing(i)),
      5,
    );
    expect(capped).toHaveLength(6);
    expect(capped[5]?.message).toBe("…and 2 more record_missing findings in batch 4");
  });

  it("drops repeats of the same finding", () => {
    expect(uniqueFindings([missing(1), missing(1), missing(2)])).toEqual([missing(1), missing(2)]);
  });
});
