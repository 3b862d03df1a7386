// SHA-256(0x01 || left || right) for a whole tree level without a single allocation per node.
//
// The node input is always 65 bytes, so its padded message is always two 64-byte blocks whose
// second block is constant but for its first byte. We drive the compression function of
// @noble/hashes (the same library, pinned; tests cross-check every root against merkletreejs
// and the RFC 6962 reference roots) directly on one reused buffer, instead of calling
// sha256() per node, which allocates a hasher, a padding buffer and an output array each time.
// Pure: no node: imports, so the verification page runs the same code.
import { _SHA256 } from "@noble/hashes/sha2.js";

const NODE_INPUT_BYTES = 65;

export class NodeHasher extends _SHA256 {
  private readonly iv: [number, number, number, number, number, number, number, number];
  private readonly nodeBlocks = new Uint8Array(128);
  private readonly nodeView = new DataView(this.nodeBlocks.buffer);

  constructor() {
    super();
    this.iv = this.get();
    this.nodeBlocks[0] = 0x01;
    this.nodeBlocks[NODE_INPUT_BYTES] = 0x80; // padding starts right after the message
    this.nodeView.setUint32(124, NODE_INPUT_BYTES * 8, false); // message length in bits
  }

  /**
   * Hashes `count` pairs of adjacent 32-byte nodes of `from` (nodes 2i and 2i+1) into nodes
   * i of `to`, starting at node 0 of both.
   */
  hashPairs(from: Uint8Array, to: Uint8Array, count: number): void {
    const { nodeBlocks: blocks, nodeView: view, iv } = this;
    const out = new DataView(to.buffer, to.byteOffset, to.byteLength);
    for (let i = 0; i < count; i++) {
      blocks.set(from.subarray(i * 64, i * 64 + 64), 1);
      this.set(iv[0], iv[1], iv[2], iv[3], iv[4], iv[5], iv[6], iv[7]);
      this.process(view, 0);
      this.process(view, 64);
      const o = i * 32;
      out.setUint32(o, this.A, false);
      out.setUint32(o + 4, this.B, false);
      out.setUint32(o + 8, this.C, false);
      out.setUint32(o + 12, this.D, false);
      out.setUint32(o + 16, this.E, false);
      out.setUint32(o + 20, this.F, false);
      out.setUint32(o + 24, this.G, false);
      out.setUint32(o + 28, this.H, false);
    }
  }
}
