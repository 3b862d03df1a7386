// Shared JSON Schemas (TypeBox) for the HTTP API. Each route file composes these.
import { Type } from "typebox";

/** The submitter's transaction id: 1-128 visible ASCII characters (no spaces, no control characters). */
export const RecordId = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: "^[\\x21-\\x7e]{1,128}$",
  description: "The submitter's transaction id: 1-128 visible ASCII characters, unique across the service.",
  examples: ["txn-2026-000001"],
});

export const Hex32 = Type.String({
  pattern: "^0x[0-9a-f]{64}$",
  description: "32 bytes as 0x-prefixed lowercase hex",
});

export const Address = Type.String({
  pattern: "^0x[0-9a-f]{40}$",
  description: "20-byte address, lowercase hex",
});

/** Query and path integers stop here: beyond it a number is no longer exact (and soon overflows the database). */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

export const Timestamp = Type.String({ format: "date-time", description: "ISO 8601, UTC" });

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "stable machine-readable code" }),
      message: Type.String(),
      details: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  },
  { description: "Every error has this shape" },
);

/** Error responses every authenticated route can give. */
export const AUTH_ERRORS = { 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse } as const;
export const SECURITY = [{ apiKey: [] }];
