// The result of one verification check, and the small constructors every check uses.
// Compute, then compare: a mismatch carries what the bundle claims (`expected`) and what
// was computed or read from the chain (`actual`).

export type CheckStatus = "pass" | "fail" | "skip";

/** A check's result without its name. */
export interface Outcome {
  status: CheckStatus;
  /** A plain sentence for a reader who is not an engineer. */
  message: string;
  /** On a mismatch: what the bundle claims. */
  expected?: string;
  /** On a mismatch: what was computed, read from the chain, or pinned in the notary profile. */
  actual?: string;
}

export function compare(expected: string, actual: string, passMessage: string, failMessage: string): Outcome {
  return expected === actual ? pass(passMessage) : fail(failMessage, expected, actual);
}

export function pass(message: string): Outcome {
  return { status: "pass", message };
}

export function skip(message: string): Outcome {
  return { status: "skip", message };
}

export function fail(message: string, expected?: string, actual?: string): Outcome {
  const outcome: Outcome = { status: "fail", message };
  if (expected !== undefined) outcome.expected = expected;
  if (actual !== undefined) outcome.actual = actual;
  return outcome;
}
