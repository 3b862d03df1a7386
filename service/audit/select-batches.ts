// Which batch seqs an audit re-verifies: a range, or a random sample of it that the same
// seed reproduces (so a finding in a sampled run can be shown again to someone else).

export interface BatchSelection {
  /** First seq, inclusive. */
  from: number;
  /** Last seq, inclusive; below `from` means nothing to audit. */
  to: number;
  /** Audit only this many seqs of the range, drawn at random. */
  sample?: number | undefined;
  /** Seed of the draw; the same seed and range give the same seqs. */
  seed: number;
}

/** The seqs to audit, ascending. A sample of at least the range's size is the whole range. */
export function selectSeqs(selection: BatchSelection): number[] {
  const { from, to } = selection;
  if (to < from) return [];
  const count = to - from + 1;
  if (selection.sample === undefined || selection.sample >= count) {
    return Array.from({ length: count }, (_, i) => from + i);
  }
  // Robert Floyd's sampling: k draws without replacement, O(k) memory whatever the range.
  const random = mulberry32(selection.seed);
  const chosen = new Set<number>();
  for (let j = count - selection.sample; j < count; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].map((offset) => from + offset).sort((a, b) => a - b);
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
