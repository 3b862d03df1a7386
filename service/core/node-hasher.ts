// SHA-256 of the 65-byte inputs of an RFC 6962 tree, 0x00 || salt || digest for a leaf and
// 0x01 || left || right for a node, without a single allocation per hash.
//
// A 65-byte input always pads to two 64-byte blocks whose second block is constant but for
// its first byte. We drive the compression function of @noble/hashes (the same library,
// pinned; tests cross-check every root against merkletreejs and the RFC 6962 reference roots,
// and every leaf against node:crypto) directly on one reused buffer, instead of calling a
// general sha256() per input, which allocates a hasher, a padding buffer and an output array
// each time (node:crypto's one-shot call costs more than the two compressions, in its
// crossing into native code). Pure: no node: imports, so the verification page runs the
// same code.
import { _SHA256 } from "@noble/hashes/sha2.js";

const INPUT_BYTES = 65;

/** SHA-256(prefix || a || b) of two 32-byte inputs: a leaf with prefix 0x00, a node with 0x01. */
export class Sha256Of65 extends _SHA256 {
  private readonly iv: [number, number, number, number, number, number, number, number];
  protected readonly input65 = new Uint8Array(128);
  private readonly view65 = new DataView(this.input65.buffer);

  constructor(prefix: 0x00 | 0x01) {
    super();
    this.iv = this.get();
    this.input65[0] = prefix;
    this.input65[INPUT_BYTES] = 0x80; // padding starts right after the message
    this.view65.setUint32(124, INPUT_BYTES * 8, false); // message length in bits
  }

  /** Requires two 32-byte inputs. */
  hash(a: Uint8Array, b: Uint8Array): Uint8Array {
    const out = new Uint8Array(32);
    this.hashInto(a, b, new DataView(out.buffer));
    return out;
  }

  /**
   * SHA-256(prefix || a || b) written to the first 32 bytes of `out`, which may be the bytes
   * of `a` or `b` (they are copied in first): a chain of hashes needs no array per step.
   */
  hashInto(a: Uint8Array, b: Uint8Array, out: DataView): void {
    this.input65.set(a, 1);
    this.input65.set(b, 33);
    this.compressInto(out, 0);
  }

  /** Hashes the 64 bytes now at input65[1..65) (after the prefix) into `out` at byte `offset`. */
  protected compressInto(out: DataView, offset: number): void {
    const iv = this.iv;
    this.set(iv[0], iv[1], iv[2], iv[3], iv[4], iv[5], iv[6], iv[7]);
    this.process(this.view65, 0);
    this.process(this.view65, 64);
    out.setUint32(offset, this.A, false);
    out.setUint32(offset + 4, this.B, false);
    out.setUint32(offset + 8, this.C, false);
    out.setUint32(offset + 12, this.D, false);
    out.setUint32(offset + 16, this.E, false);
    out.setUint32(offset + 20, this.F, false);
    out.setUint32(offset + 24, this.G, false);
    out.setUint32(offset + 28, this.H, false);
  }
}

/** SHA-256(0x01 || left || right), for whole tree levels. */
export class NodeHasher extends Sha256Of65 {
  constructor() {
    super(0x01);
  }

  /**
   * Hashes `count` pairs of adjacent 32-byte nodes of `from` (nodes 2i and 2i+1) into nodes
   * i of `to`, starting at node 0 of both.
   */
  hashPairs(from: Uint8Array, to: Uint8Array, count: number): void {
    const out = new DataView(to.buffer, to.byteOffset, to.byteLength);
    for (let i = 0; i < count; i++) {
      this.input65.set(from.subarray(i * 64, i * 64 + 64), 1);
      this.compressInto(out, i * 32);
    }
  }
}
