// One error family. Every error we raise on purpose is an EvidenceError with a stable,
// machine-readable `code`; the HTTP layer maps codes to status codes in one place.
//  - InvalidArgumentError: the caller's mistake (bad input). Safe to show.
//  - InvariantError: our bug. Never shown in detail to a client.

/**
 * Every error code, with the HTTP status it answers (service/http/error-handler.ts maps by
 * this table). A code is a literal type, so a misspelt one fails tsc instead of becoming a
 * 500 at run time. Adding a code is one line here.
 */
export const ERROR_CODES = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_bundle: 400,
  invalid_digest: 400,
  invalid_salt: 400,
  invalid_tree: 400,
  invalid_tree_size: 400,
  invalid_leaf_index: 400,
  invalid_path_length: 400,
  invalid_notary_profile: 400,
  record_not_canonicalizable: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  legal_hold: 409,
  erased: 410,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  invariant_violated: 500,
  overloaded: 503,
  unavailable: 503,
  chain_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class EvidenceError extends Error {
  override name = "EvidenceError";
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
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
