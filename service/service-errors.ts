// Service-level members of the one error family (core/errors.ts). Each has a stable code;
// http/error-handler.ts maps codes to HTTP statuses in one place.
import { EvidenceError } from "./core/errors.ts";

export class NotFoundError extends EvidenceError {
  override name = "NotFoundError";
  constructor(message: string) {
    super("not_found", message);
  }
}

export class ConflictError extends EvidenceError {
  override name = "ConflictError";
  constructor(message: string, details?: Record<string, unknown>) {
    super("conflict", message, details === undefined ? undefined : { details });
  }
}

export class PayloadTooLargeError extends EvidenceError {
  override name = "PayloadTooLargeError";
  constructor(message: string, details?: Record<string, unknown>) {
    super("payload_too_large", message, details === undefined ? undefined : { details });
  }
}

export class UnauthorizedError extends EvidenceError {
  override name = "UnauthorizedError";
  constructor(message = "a valid API key is required: send Authorization: Bearer <key>") {
    super("unauthorized", message);
  }
}

export class ForbiddenError extends EvidenceError {
  override name = "ForbiddenError";
  constructor(message: string) {
    super("forbidden", message);
  }
}

/** Too much work queued, or shutting down: the client should retry after `retryAfterSeconds`. */
export class OverloadedError extends EvidenceError {
  override name = "OverloadedError";
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1) {
    super("overloaded", message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency (database, chain) is unreachable; retry later. */
export class UnavailableError extends EvidenceError {
  override name = "UnavailableError";
  readonly retryAfterSeconds: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super("unavailable", message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 2;
  }
}

/** The record was erased (issue 13): nothing of its content can be served any more. */
export class ErasedError extends EvidenceError {
  override name = "ErasedError";
  constructor(message: string, details: { erasedAt: string | null; reference: string | null }) {
    super("erased", message, { details });
  }
}

/** The record is on legal hold: it cannot be erased until the hold is lifted. */
export class LegalHoldError extends EvidenceError {
  override name = "LegalHoldError";
  constructor(message: string, details: { reference: string; placedAt: string }) {
    super("legal_hold", message, { details });
  }
}
