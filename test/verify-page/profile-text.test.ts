// A profile file the user loads into the verification page: accepted only when it is a
// notary-profile/v1 document, with a message that says what is wrong otherwise.
import { describe, expect, it } from "vitest";
import { MAX_PROFILE_CHARS, parseProfileText } from "../../service/verify-page/profile-text.ts";
import { fakeNotary } from "../core/fixtures.ts";

describe("parseProfileText", () => {
  it("accepts a profile, whatever its spacing", () => {
    const profile = fakeNotary();
    expect(parseProfileText(JSON.stringify(profile, null, 2))).toEqual(profile);
  });

  it.each([
    ["empty text", "  \n", /^the profile is empty/],
    ["text that is not JSON", "{name: 1}", /^this is not a notary profile: it is not JSON: /],
    [
      "an evidence bundle",
      JSON.stringify({ format: "evidence-bundle/v1" }),
      /^this is not a valid notary profile \(notary-profile\/v1\): \/name is missing; .*\/format must be equal to constant$/,
    ],
    [
      "a profile with a field changed",
      JSON.stringify({ ...fakeNotary(), chainId: "31337" }),
      /\/chainId must be integer/,
    ],
    [
      "a profile with a duplicate member name (two readers could pin two profiles)",
      JSON.stringify(fakeNotary()).replace(
        '{"format"',
        '{"contract":"0x0000000000000000000000000000000000000001","format"',
      ),
      /^this is not a notary profile: it is not I-JSON: .*contract/,
    ],
    [
      "a profile pasted with a byte-order mark",
      `\ufeff${JSON.stringify(fakeNotary())}`,
      /^this is not a notary profile: it starts with a byte-order mark/,
    ],
    ["a huge file", `"${"x".repeat(MAX_PROFILE_CHARS)}"`, /it has \d+ characters, a profile a few hundred/],
  ])("refuses %s, saying why", (_, text, message) => {
    expect(() => parseProfileText(text)).toThrow(message);
  });
});
