// core/platform.ts: in Node, core hashes with node:crypto and encodes hex with Buffer; the
// browser build runs @noble's. Both must give the same bytes for every input.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { newSalts, SALT_BYTES } from "../../service/core/leaf.ts";
import {
  BROWSER_IMPLEMENTATIONS,
  bytesToHex,
  hexToBytes,
  PLATFORM,
  sha256,
} from "../../service/core/platform.ts";

describe("the platform's SHA-256 and hex", () => {
  it("runs on node:crypto and Buffer under Node", () => {
    expect(PLATFORM).toBe("node");
    expect(sha256).not.toBe(BROWSER_IMPLEMENTATIONS.sha256);
  });

  it("give the same bytes as @noble (the browser's) for any input, as plain Uint8Arrays", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const hash = sha256(data);
        expect(Object.getPrototypeOf(hash)).toBe(Uint8Array.prototype);
        expect(hash).toEqual(BROWSER_IMPLEMENTATIONS.sha256(data));
        expect(bytesToHex(hash)).toBe(createHash("sha256").update(data).digest("hex"));
        expect(bytesToHex(data)).toBe(BROWSER_IMPLEMENTATIONS.bytesToHex(data));
        const back = hexToBytes(bytesToHex(data));
        expect(Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
        expect(back).toEqual(data);
      }),
    );
  });

  it("hex-encodes a view into a larger buffer by its own bytes only", () => {
    const whole = Uint8Array.from({ length: 10 }, (_, i) => i);
    expect(bytesToHex(whole.subarray(3, 5))).toBe("0304");
  });
});

describe("newSalts", () => {
  it("draws many fresh 32-byte salts at once, across the CSPRNG's 64 KiB limit per call", () => {
    const salts = newSalts(5000);
    expect(salts).toHaveLength(5000);
    for (const salt of salts) expect(salt).toHaveLength(SALT_BYTES);
    expect(new Set(salts.map(bytesToHex)).size).toBe(5000);
    // The last chunk is filled too: no salt of zeros at the end.
    expect(salts.slice(-10).every((s) => s.some((b) => b !== 0))).toBe(true);
    expect(newSalts(0)).toEqual([]);
  });
});
