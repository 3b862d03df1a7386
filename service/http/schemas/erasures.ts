// Schemas of erasure and legal hold (routes/erasures.ts, routes/holds.ts).
import { Type } from "typebox";
import type { Bundle } from "../../core/bundle.ts";
import {
  ERASURE_STATEMENT_FORMAT,
  ERASURE_STATEMENT_SCHEMA,
  MAX_REFERENCE_LENGTH,
} from "../../core/erasure-statement.ts";
import { Hex32, RecordId, Timestamp } from "./common.ts";
import { BundleInline } from "./records.ts";

/** Most characters of a reason: a sentence or a paragraph, not a document. */
export const MAX_REASON_LENGTH = 2000;

export const Reference = Type.String({
  minLength: 1,
  maxLength: MAX_REFERENCE_LENGTH,
  pattern: ERASURE_STATEMENT_SCHEMA.properties.reference.pattern,
  description:
    "Your reference for the request or case (e.g. a data subject request number). It is notarized and kept for ever: put no personal data in it.",
  examples: ["DSR-2026-0042"],
});

const Reason = Type.String({
  minLength: 1,
  maxLength: MAX_REASON_LENGTH,
  description:
    "Why, in your words. It may hold personal data: it is kept in the operator's database only, never notarized nor returned by the API.",
});

export const ErasureRequest = Type.Object(
  { reason: Reason, reference: Reference },
  { additionalProperties: false },
);

export const BulkErasureRequest = Type.Object(
  {
    ids: Type.Array(RecordId, { minItems: 1, description: "At most MAX_RECORDS_PER_CALL (10,000) ids" }),
    reason: Reason,
    reference: Reference,
  },
  { additionalProperties: false },
);

export const ErasureStatement = Type.Object(
  {
    format: Type.Literal(ERASURE_STATEMENT_FORMAT),
    erasedLeaf: Hex32,
    erasedAt: Type.String({ description: "UTC, ISO 8601 with milliseconds" }),
    reference: Type.String(),
  },
  {
    description:
      "The erasure statement (erasure-statement/v1, docs/evidence-format.md section 17), notarized like a record: its bundle verifies with it as the record.",
  },
);

export const Erasure = Type.Object({
  id: Type.String(),
  status: Type.Literal("erased"),
  erasedAt: Timestamp,
  reference: Type.String(),
  statement: ErasureStatement,
});

export const BulkErasureResult = Type.Object({
  id: Type.String(),
  status: Type.Union([
    Type.Literal("erased"),
    Type.Literal("already_erased"),
    Type.Literal("not_found"),
    Type.Literal("legal_hold"),
  ]),
  erasedAt: Type.Optional(Timestamp),
  reference: Type.Optional(
    Type.String({ description: "The erasure's reference; for legal_hold, the hold's" }),
  ),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const BulkErasureAnswer = Type.Object({
  erased: Type.Integer(),
  alreadyErased: Type.Integer(),
  notFound: Type.Integer(),
  held: Type.Integer(),
  results: Type.Array(BulkErasureResult, { description: "One per id, in order" }),
});

export const ErasureEvidence = Type.Object({
  ...Erasure.properties,
  erasedRecord: Type.Object(
    {
      leafHash: Hex32,
      batch: Type.Union([Type.Null(), Type.Object({ seq: Type.Integer(), leafIndex: Type.Integer() })]),
    },
    { description: "Where the erased record's leaf stays (batch null while it is pending)" },
  ),
  anchoring: Type.Union([Type.Literal("pending"), Type.Literal("anchored")], {
    description: "Whether the erasure's own entry is anchored yet",
  }),
  bundle: Type.Union([Type.Null(), Type.Unsafe<Bundle>(BundleInline)], {
    description: "The evidence bundle of the statement, once anchored",
  }),
});

export const ErasureQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 60,
      description: "Long-poll: wait up to this many seconds for the erasure to be anchored",
    }),
  ),
});

export const HoldRequest = Type.Object({ reference: Reference }, { additionalProperties: false });

export const Hold = Type.Object({
  id: Type.String(),
  hold: Type.Object({ reference: Type.String(), placedAt: Timestamp }),
});
