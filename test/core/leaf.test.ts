import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../service/core/errors.ts";
import { toHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt, SALT_BYTES } from "../../service/core/leaf.ts";

describe("hashLeaf = SHA-256(0x00 || salt || digest)", () => {
  it("matches known answers", () => {
    // head -c 65 /dev/zero | sha256sum
    expect(toHex(hashLeaf(new Uint8Array(32), new Uint8Array(32)))).toBe(
      "0x98ce42deef51d40269d542f5314bef2c7468d401ad5d85168bfab4c0108f75f7",
    );
    // (printf '\x00'; head -c 32 /dev/zero | tr '\0' '\001'; head -c 32 /dev/zero | tr '\0' '\002') | sha256sum
    expect(toHex(hashLeaf(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)))).toBe(
      "0x32fb2d4416067c5bff06423e18714ad3884365d7b816d34a77b33527d8438624",
    );
  });

  it("agrees with node:crypto for any salt and digest", () => {
    const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(bytes32, bytes32, (salt, digest) => {
        const want = createHash("sha256").update(Uint8Array.of(0)).update(salt).update(digest).digest("hex");
        expect(toHex(hashLeaf(salt, digest))).toBe(`0x${want}`);
      }),
    );
  });

  it("depends on the order of salt and digest", () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(toHex(hashLeaf(a, b))).not.toBe(toHex(hashLeaf(b, a)));
  });

  it.each([
    ["a short salt", new Uint8Array(31), new Uint8Array(32), "invalid_salt"],
    ["a long salt", new Uint8Array(33), new Uint8Array(32), "invalid_salt"],
    ["a short digest", new Uint8Array(32), new Uint8Array(0), "invalid_digest"],
  ])("rejects %s", (_name, salt, digest, code) => {
    expect(() => hashLeaf(salt, digest)).toThrow(expect.objectContaining({ code }));
    expect(() => hashLeaf(salt, digest)).toThrow(InvalidArgumentError);
  });
});

describe("newSalt", () => {
  it("returns 32 fresh random bytes each time", () => {
    const salts = Array.from({ length: 64 }, newSalt);
    for (const salt of salts) expect(salt).toHaveLength(SALT_BYTES);
    expect(new Set(salts.map(toHex)).size).toBe(salts.length);
    // 64 * 32 random bytes with no non-zero byte would mean the generator is broken.
    expect(salts.some((s) => s.some((b) => b !== 0))).toBe(true);
  });
});
