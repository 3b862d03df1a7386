// A notary profile file the user loads into the verification page (dropped, chosen or
// pasted): untrusted text until parseNotaryProfile has accepted it. Pure.
import { InvalidArgumentError } from "../core/errors.ts";
import { parseJsonText } from "../core/json-text.ts";
import { type NotaryProfile, parseNotaryProfile } from "../core/notary-profile.ts";

/** A profile is a few hundred bytes; anything far larger is not one. */
export const MAX_PROFILE_CHARS = 64 * 1024;

/** Throws an Error whose message tells the user what is wrong with the file. */
export function parseProfileText(untrustedText: string): NotaryProfile {
  if (untrustedText.trim() === "")
    throw new Error("the profile is empty: choose, drop or paste a notary.json");
  if (untrustedText.length > MAX_PROFILE_CHARS) {
    throw new Error(
      `this is not a notary profile: it has ${untrustedText.length} characters, a profile a few hundred`,
    );
  }
  let untrusted: unknown;
  try {
    untrusted = parseJsonText(untrustedText);
  } catch (error) {
    throw new Error(`this is not a notary profile: it ${(error as Error).message}`);
  }
  try {
    return parseNotaryProfile(untrusted);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const problems = (error.details?.problems as string[] | undefined) ?? [error.message];
    throw new Error(`this is not a valid notary profile (notary-profile/v1): ${problems.join("; ")}`);
  }
}
