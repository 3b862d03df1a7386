// /v1/batches: sealed batches and their anchoring state, for auditors and operators.
import { Type } from "typebox";
import { toHex } from "../../core/hex.ts";
import { type BatchRow, getBatch, listBatches } from "../../db/batches.ts";
import { NotFoundError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import {
  Address,
  AUTH_ERRORS,
  ErrorResponse,
  Hex32,
  MAX_SAFE_INTEGER,
  SECURITY,
  Timestamp,
} from "../schemas/common.ts";

const BatchView = Type.Object({
  seq: Type.Integer(),
  root: Hex32,
  size: Type.Integer(),
  state: Type.String({ description: "sealed, sent or anchored" }),
  sealedAt: Timestamp,
  chainId: Type.Union([Type.Null(), Type.Integer()]),
  contract: Type.Union([Type.Null(), Address]),
  txHash: Type.Union([Type.Null(), Hex32]),
  blockNumber: Type.Union([Type.Null(), Type.Integer()]),
  blockHash: Type.Union([Type.Null(), Hex32]),
  blockTimestamp: Type.Union([Type.Null(), Type.Integer()]),
  anchoredAt: Type.Union([Type.Null(), Timestamp]),
  attempts: Type.Integer(),
});

const SeqParams = Type.Object({ seq: Type.Integer({ minimum: 0, maximum: MAX_SAFE_INTEGER }) });
const ListQuery = Type.Object({
  after: Type.Optional(
    Type.Integer({
      minimum: -1,
      maximum: MAX_SAFE_INTEGER,
      description: "Return batches with seq greater than this",
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
const BatchPage = Type.Object({
  batches: Type.Array(BatchView),
  next: Type.Union([Type.Null(), Type.Integer()], { description: "Pass as `after` for the next page" }),
});

const hexOrNull = (b: Uint8Array | null) => (b === null ? null : toHex(b));

function batchView(b: BatchRow) {
  return {
    seq: b.seq,
    root: toHex(b.root),
    size: b.size,
    state: b.state,
    sealedAt: b.sealedAt.toISOString(),
    chainId: b.chainId,
    contract: hexOrNull(b.contract),
    txHash: hexOrNull(b.txHash),
    blockNumber: b.blockNumber,
    blockHash: hexOrNull(b.blockHash),
    blockTimestamp: b.blockTimestamp,
    anchoredAt: b.anchoredAt?.toISOString() ?? null,
    attempts: b.attempts,
  };
}

export async function batchRoutes({ app, deps, auth }: AppContext): Promise<void> {
  const tags = ["batches"];
  app.get(
    "/v1/batches/:seq",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "One batch",
        params: SeqParams,
        response: { 200: BatchView, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const batch = await getBatch(deps.db, request.params.seq);
      if (batch === null) throw new NotFoundError(`no batch with seq ${request.params.seq}`);
      return batchView(batch);
    },
  );

  app.get(
    "/v1/batches",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Batches in seq order, paged",
        querystring: ListQuery,
        response: { 200: BatchPage, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const batches = await listBatches(deps.db, { after: request.query.after ?? -1, limit });
      const last = batches[batches.length - 1];
      return { batches: batches.map(batchView), next: batches.length === limit && last ? last.seq : null };
    },
  );
}
