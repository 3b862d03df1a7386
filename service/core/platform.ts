// What core may take from the platform it runs on, chosen once, at import, by feature
// detection: in Node, node:crypto's native one-shot SHA-256 and Buffer's native hex codec;
// in a browser (the verification page, bundled by esbuild from this folder), @noble/hashes
// and @noble's hex. Both give the same bytes (test/core/platform.test.ts compares them).
// process.getBuiltinModule (Node 20.16+, 22.3+) reaches node:crypto without an import, so
// core keeps no node: import and the browser bundle never sees one.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { bytesToHex as nobleBytesToHex, hexToBytes as nobleHexToBytes } from "@noble/hashes/utils.js";

interface NodeBuiltins {
  crypto: { hash(algorithm: "sha256", data: Uint8Array, output: "buffer"): Uint8Array };
  Buffer: {
    from(bytes: ArrayBufferLike, offset: number, length: number): { toString(encoding: "hex"): string };
    from(text: string, encoding: "hex"): Uint8Array;
  };
}

function nodeBuiltins(): NodeBuiltins | undefined {
  const g = globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
    Buffer?: NodeBuiltins["Buffer"];
  };
  const crypto = g.process?.getBuiltinModule?.("node:crypto") as NodeBuiltins["crypto"] | undefined;
  return crypto === undefined || g.Buffer === undefined ? undefined : { crypto, Buffer: g.Buffer };
}

const node = nodeBuiltins();

/** Which implementations core runs on here. */
export const PLATFORM: "node" | "browser" = node === undefined ? "browser" : "node";

/** A plain Uint8Array over a Buffer's bytes (the database layer and the tests expect no Buffer). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** SHA-256 of `data` (32 bytes). */
export const sha256: (data: Uint8Array) => Uint8Array =
  node === undefined ? nobleSha256 : (data) => plain(node.crypto.hash("sha256", data, "buffer"));

/** Lowercase hex of `bytes`, without a prefix. */
export const bytesToHex: (bytes: Uint8Array) => string =
  node === undefined
    ? nobleBytesToHex
    : (bytes) => node.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");

/** Bytes of even-length hex without a prefix. Requires valid hex (the caller checks). */
export const hexToBytes: (hex: string) => Uint8Array =
  node === undefined ? nobleHexToBytes : (hex) => new Uint8Array(node.Buffer.from(hex, "hex"));

/** The @noble implementations, for the tests that compare the two. */
export const BROWSER_IMPLEMENTATIONS = {
  sha256: nobleSha256,
  bytesToHex: nobleBytesToHex,
  hexToBytes: nobleHexToBytes,
};
