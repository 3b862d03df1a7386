// One error family. Every error we raise on purpose is an EvidenceError with a stable,
// machine-readable `code`; the HTTP layer maps codes to status codes in one place.
//  - InvalidArgumentError: the caller's mistake (bad input). Safe to show.
//  - InvariantError: our bug. Never shown in detail to a client.

export class EvidenceError extends Error {
  override name = "EvidenceError";
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export class InvalidArgumentError extends EvidenceError {
  override name = "InvalidArgumentError";
}

export class InvariantError extends EvidenceError {
  override name = "InvariantError";

  constructor(message: string, details?: Record<string, unknown>) {
    super("invariant_violated", message, details === undefined ? undefined : { details });
  }
}

/**
 * The chain could not be asked (RPC unreachable, timed out, answered garbage). This says
 * nothing about the evidence: a verifier reports "could not check", never "invalid".
 */
export class ChainUnavailableError extends EvidenceError {
  override name = "ChainUnavailableError";

  constructor(message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super("chain_unavailable", message, options);
  }
}
