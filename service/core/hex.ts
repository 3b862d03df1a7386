// One hex type at every boundary: 0x-prefixed, lowercase. Bytes are Uint8Array inside.
import { bytesToHex, hexToBytes } from "./platform.ts";

export type Hex = `0x${string}`;

const HEX_RE = /^0x(?:[0-9a-f]{2})*$/;

/** True when `value` is 0x-prefixed lowercase hex of whole bytes (and of `byteLength` bytes, when given). */
export function isHex(value: unknown, byteLength?: number): value is Hex {
  if (typeof value !== "string" || !HEX_RE.test(value)) return false;
  return byteLength === undefined || value.length === 2 + 2 * byteLength;
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`;
}

/** Requires `isHex(hex)`. */
export function fromHex(hex: Hex): Uint8Array {
  return hexToBytes(hex.slice(2));
}
