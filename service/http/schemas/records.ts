import { Type } from "typebox";
import { Address, Hex32, MAX_SAFE_INTEGER, RecordId, Timestamp } from "./common.ts";

export const RecordSubmission = Type.Object(
  {
    id: RecordId,
    record: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: true, description: "Any JSON object; hashed as SHA-256(JCS(record))" },
      ),
    ),
    digest: Type.Optional({
      ...Hex32,
      description: "Hash-only submission: SHA-256(JCS(record)) computed by you",
    }),
  },
  { additionalProperties: false, description: "Exactly one of record and digest" },
);

export const RecordAck = Type.Object({
  id: Type.String(),
  digest: Hex32,
  leafHash: Hex32,
  status: Type.Union([Type.Literal("pending"), Type.Literal("anchored")]),
});

export const BatchSubmission = Type.Object(
  { records: Type.Array(RecordSubmission, { minItems: 1 }) },
  { additionalProperties: false },
);

export const BatchItemResult = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal("pending"), Type.Literal("anchored"), Type.Literal("conflict")]),
  digest: Hex32,
  leafHash: Type.Optional(Hex32),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const BatchAck = Type.Object({
  created: Type.Integer(),
  duplicates: Type.Integer(),
  conflicts: Type.Integer(),
  results: Type.Array(BatchItemResult),
});

export const RecordStatus = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal("pending"), Type.Literal("anchored")]),
  digest: Hex32,
  leafHash: Hex32,
  receivedAt: Timestamp,
  batch: Type.Union([
    Type.Null(),
    Type.Object({
      seq: Type.Integer(),
      leafIndex: Type.Integer(),
      state: Type.String(),
      sealedAt: Timestamp,
      anchoredAt: Type.Union([Type.Null(), Timestamp]),
      txHash: Type.Union([Type.Null(), Hex32]),
      blockNumber: Type.Union([Type.Null(), Type.Integer()]),
      contract: Type.Union([Type.Null(), Address]),
    }),
  ]),
});

export const IdParams = Type.Object({ id: RecordId });

export const RecordListQuery = Type.Object({
  receivedFrom: Type.String({
    format: "date-time",
    description: "ISO 8601; records received at or after this instant",
  }),
  receivedTo: Type.String({
    format: "date-time",
    description: "ISO 8601; records received before this instant",
  }),
  after: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_SAFE_INTEGER,
      description: "The `next` of the previous page; omit for the first page",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});

export const RecordPage = Type.Object({
  records: Type.Array(RecordStatus, { description: "Oldest first" }),
  next: Type.Union([Type.Null(), Type.Integer()], {
    description: "Pass as `after` for the next page; null on the last page",
  }),
});

export const ProofQuery = Type.Object({
  wait: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 60,
      description: "Long-poll: wait up to this many seconds to be anchored",
    }),
  ),
});

export const PendingProof = Type.Object({
  id: Type.String(),
  status: Type.Literal("pending"),
});
