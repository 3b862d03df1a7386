import { Type } from "typebox";
import { BUNDLE_SCHEMA } from "../../core/bundle.ts";
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
  status: Type.Union([Type.Literal("pending"), Type.Literal("anchored"), Type.Literal("erased")], {
    description: "erased only in lists: GET /v1/records/:id answers 410 for an erased record",
  }),
  digest: Type.Optional({ ...Hex32, description: "Absent once erased" }),
  leafHash: Type.Optional({ ...Hex32, description: "Absent once erased" }),
  receivedAt: Timestamp,
  erasure: Type.Union([Type.Null(), Type.Object({ erasedAt: Timestamp, reference: Type.String() })]),
  hold: Type.Union([
    Type.Null(),
    Type.Object({ reference: Type.String(), placedAt: Timestamp }, { description: "A legal hold" }),
  ]),
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

/** The bundle JSON Schema (evidence-bundle/v1), minus the keywords Fastify's serializer does not take. */
export const BundleResponse: object = (() => {
  const { $schema: _schema, $id: _id, ...rest } = BUNDLE_SCHEMA as Record<string, unknown>;
  return rest;
})();

/** The bundle schema with its `#/definitions/…` references written out, to nest it in another answer's schema. */
export const BundleInline: object = inlineDefinitions(BundleResponse);

function inlineDefinitions(schema: object): object {
  const { definitions, ...root } = schema as { definitions?: Record<string, unknown> };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    const { $ref, ...rest } = node as { $ref?: unknown };
    const target =
      typeof $ref === "string" && $ref.startsWith("#/definitions/")
        ? walk(definitions?.[$ref.slice("#/definitions/".length)])
        : {};
    return {
      ...(target as object),
      ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, walk(v)])),
    };
  };
  return walk(root) as object;
}
