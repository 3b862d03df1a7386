// RFC 6962 section 2.1 / RFC 9162 section 2.1 Merkle trees over already-hashed leaves.
//
//   MTH({d0})   = leaf hash (computed by leaf.ts as SHA-256(0x00 || salt || digest))
//   MTH(D[n])   = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k = largest power of 2 < n
//
// Splitting at the largest power of two is the same as building level by level, pairing
// nodes (2i, 2i+1) and carrying an unpaired last node up unchanged: no leaf or node is ever
// duplicated (unlike Bitcoin-style trees). We build that way because it needs no recursion
// and lets a proof be read from stored levels with one node per level: O(log n).
//
// Nodes are 32 bytes. A level is one Uint8Array of `count * 32` bytes.
import { InvalidArgumentError } from "./errors.ts";
import { NodeHasher } from "./node-hasher.ts";

export const HASH_BYTES = 32;

export interface MerkleTree {
  /** Number of leaves, at least 1. */
  readonly size: number;
  /** levels[0] holds the leaf hashes; the last level holds only the root. */
  readonly levels: readonly Uint8Array[];
}

/** Number of nodes on each level of a tree with `size` leaves, from the leaves up to the root. */
export function levelSizes(size: number): number[] {
  const sizes = [size];
  for (let n = size; n > 1; ) {
    n = Math.ceil(n / 2);
    sizes.push(n);
  }
  return sizes;
}

// One scratch hasher for the module: hashChildren runs to completion without yielding.
const childrenHasher = new NodeHasher();

/** SHA-256(0x01 || left || right). Requires two 32-byte nodes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return childrenHasher.hash(left, right);
}

/** Builds the tree above `leaves`: either one array of `n * 32` bytes, or n arrays of 32 bytes. */
export function buildTree(leaves: Uint8Array | readonly Uint8Array[]): MerkleTree {
  const level0 = leaves instanceof Uint8Array ? leaves : concatNodes(leaves);
  if (level0.length === 0 || level0.length % HASH_BYTES !== 0) {
    throw new InvalidArgumentError(
      "invalid_tree",
      "a tree needs at least one leaf, and every leaf hash must be 32 bytes",
    );
  }
  const levels: Uint8Array[] = [level0];
  const hasher = new NodeHasher();
  let current = level0;
  let count = level0.length / HASH_BYTES;
  while (count > 1) {
    const nextCount = Math.ceil(count / 2);
    const next = new Uint8Array(nextCount * HASH_BYTES);
    const pairs = Math.floor(count / 2);
    hasher.hashPairs(current, next, pairs);
    if (count % 2 === 1) next.set(current.subarray((count - 1) * HASH_BYTES), pairs * HASH_BYTES);
    levels.push(next);
    current = next;
    count = nextCount;
  }
  return { size: level0.length / HASH_BYTES, levels };
}

export function treeRoot(tree: MerkleTree): Uint8Array {
  return (tree.levels[tree.levels.length - 1] as Uint8Array).slice(0, HASH_BYTES);
}

/** The node at `index` of `level`. Requires both in range. */
export function nodeAt(tree: MerkleTree, level: number, index: number): Uint8Array {
  return (tree.levels[level] as Uint8Array).slice(index * HASH_BYTES, (index + 1) * HASH_BYTES);
}

/**
 * Positions (level, index) of the audit path nodes for leaf `index`, bottom-up, in RFC 9162
 * order. Requires 0 <= index < size. Lets storage fetch exactly O(log n) nodes.
 */
export function auditPathPositions(index: number, size: number): Array<{ level: number; index: number }> {
  assertLeafIndex(index, size);
  const positions: Array<{ level: number; index: number }> = [];
  const sizes = levelSizes(size);
  let i = index;
  for (let level = 0; level < sizes.length - 1; level++) {
    const sibling = i ^ 1;
    if (sibling < (sizes[level] as number)) positions.push({ level, index: sibling });
    i >>= 1;
  }
  return positions;
}

/** The RFC 9162 inclusion proof (audit path) for leaf `index`, bottom-up. O(log n). */
export function inclusionPath(tree: MerkleTree, index: number): Uint8Array[] {
  return auditPathPositions(index, tree.size).map((p) => nodeAt(tree, p.level, p.index));
}

/**
 * RFC 9162 section 2.1.3.2: the root that `path` proves for `leafHash` at `index` in a tree
 * of `size` leaves. Throws InvalidArgumentError when the index is out of range or the
 * path has the wrong length for that index and size; compare the result with the expected
 * root yourself, or use verifyInclusion.
 */
export function rootFromPath(
  leafHash: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): Uint8Array {
  assertLeafIndex(index, size);
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // Each step hashes into the one array of this call: a proof is checked on every bundle
  // handed out, and an array per step was a tenth of that.
  const out = new Uint8Array(HASH_BYTES);
  const outView = new DataView(out.buffer);
  for (const p of path) {
    if (sn === 0) throw pathLengthError(index, size, path.length);
    if (fn % 2 === 1 || fn === sn) {
      childrenHasher.hashInto(p, r, outView);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      childrenHasher.hashInto(r, p, outView);
    }
    r = out;
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw pathLengthError(index, size, path.length);
  return r;
}

/** True when `path` proves `leafHash` at `index` under `root`; false for any mismatch. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    return bytesEqual(rootFromPath(leafHash, index, size, path), root);
  } catch (error) {
    if (error instanceof InvalidArgumentError) return false;
    throw error;
  }
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function concatNodes(nodes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(nodes.length * HASH_BYTES);
  for (const [i, node] of nodes.entries()) {
    if (node.length !== HASH_BYTES) {
      throw new InvalidArgumentError("invalid_tree", `leaf ${i} is ${node.length} bytes, not 32`);
    }
    out.set(node, i * HASH_BYTES);
  }
  return out;
}

function assertLeafIndex(index: number, size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidArgumentError("invalid_tree_size", `tree size must be a positive integer, got ${size}`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new InvalidArgumentError(
      "invalid_leaf_index",
      `leaf index ${index} is out of range for a tree of ${size} leaves`,
    );
  }
}

function pathLengthError(index: number, size: number, length: number): InvalidArgumentError {
  const expected = auditPathPositions(index, size).length;
  return new InvalidArgumentError(
    "invalid_path_length",
    `an audit path for leaf ${index} of ${size} must have ${expected} nodes, got ${length}`,
    { details: { expected, actual: length } },
  );
}
