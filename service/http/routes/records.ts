// /v1/records: submit (one or many), read status, fetch the evidence bundle. An erased record
// (routes/erasures.ts) answers 410 Gone with when and under which reference, and nothing of
// its content.
import { InvalidArgumentError } from "../../core/errors.ts";
import { toHex } from "../../core/hex.ts";
import type { NewRecord } from "../../db/log.ts";
import { getRecord, listRecordsReceived } from "../../db/records.ts";
import { contentGoneWithoutErasure, erasedError, erasedErrorOf } from "../../erasure/erased-error.ts";
import { isErased, recordStatusView } from "../../evidence/record-evidence.ts";
import type { IngestResult } from "../../ingest/ingestor.ts";
import { prepareRecords } from "../../ingest/prepare-record.ts";
import { ConflictError, NotFoundError, PayloadTooLargeError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY } from "../schemas/common.ts";
import {
  BatchAck,
  BatchSubmission,
  BundleResponse,
  IdParams,
  PendingProof,
  ProofQuery,
  RecordAck,
  RecordListQuery,
  RecordPage,
  RecordStatus,
  RecordSubmission,
} from "../schemas/records.ts";
import { waitUntilAnchored } from "../wait-anchored.ts";

function ackOf(result: Exclude<IngestResult, { outcome: "conflict" }>, anchored = false) {
  return {
    id: result.id,
    digest: result.digest,
    leafHash: result.leafHash,
    status: anchored ? ("anchored" as const) : ("pending" as const),
  };
}

export async function recordRoutes(ctx: AppContext): Promise<void> {
  const { app, deps, auth } = ctx;
  const tags = ["records"];

  app.post(
    "/v1/records",
    {
      preHandler: auth(["submitter"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Submit one record (or its digest) for notarization",
        description:
          "Answers 202 once the record is durably stored. Retrying with the same id and content returns the original answer; the same id with different content is a 409.",
        body: RecordSubmission,
        response: {
          202: RecordAck,
          400: ErrorResponse,
          409: ErrorResponse,
          413: ErrorResponse,
          503: ErrorResponse,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const rows = prepareRecords([request.body], deps.config.maxRecordBytes);
      const [result] = await deps.ingestor.submit(rows);
      if (result === undefined) throw new Error("ingestor returned no result");
      deps.metrics.ingestRequests.inc({ outcome: result.outcome });
      if (result.outcome === "conflict") {
        throw new ConflictError(conflictMessage(result), {
          id: result.id,
          storedDigest: result.digest,
        });
      }
      return reply.code(202).send(ackOf(result));
    },
  );

  app.post(
    "/v1/records/batch",
    {
      preHandler: auth(["submitter"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Submit up to MAX_RECORDS_PER_CALL records in one call",
        description:
          "Validation is all or nothing: one invalid item rejects the call and stores nothing. The answer has one result per item, in order; an item whose id exists with different content gets status conflict.",
        body: BatchSubmission,
        response: {
          202: BatchAck,
          400: ErrorResponse,
          413: ErrorResponse,
          503: ErrorResponse,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { records } = request.body;
      if (records.length > deps.config.maxRecordsPerCall) {
        throw new PayloadTooLargeError(
          `a batch call takes at most ${deps.config.maxRecordsPerCall} records, got ${records.length}`,
        );
      }
      const rows = prepareRecords(records, deps.config.maxRecordBytes, (i) => `records/${i}`);
      const results = await deps.ingestor.submit(rows);
      let created = 0;
      let duplicates = 0;
      let conflicts = 0;
      const items = results.map((r, i) => {
        if (r.outcome === "conflict") {
          conflicts++;
          return {
            id: r.id,
            status: "conflict" as const,
            digest: r.digest ?? toHex((rows[i] as NewRecord).digest),
            error: { code: "conflict", message: conflictMessage(r) },
          };
        }
        if (r.outcome === "created") created++;
        else duplicates++;
        return ackOf(r);
      });
      deps.metrics.ingestRequests.inc({ outcome: "created" }, created);
      deps.metrics.ingestRequests.inc({ outcome: "duplicate" }, duplicates);
      deps.metrics.ingestRequests.inc({ outcome: "conflict" }, conflicts);
      return reply.code(202).send({ created, duplicates, conflicts, results: items });
    },
  );

  app.get(
    "/v1/records",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Records received in a time window, oldest first, paged",
        description:
          "Records with receivedFrom <= receivedAt < receivedTo, in the order they were received. Used by the case export (`npm run export -- --from … --to …`).",
        querystring: RecordListQuery,
        response: { 200: RecordPage, 400: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { receivedFrom, receivedTo, after } = request.query;
      const limit = request.query.limit ?? 100;
      const rows = await listRecordsReceived(deps.db, {
        from: instant(receivedFrom, "receivedFrom"),
        to: instant(receivedTo, "receivedTo"),
        ...(after === undefined ? {} : { after }),
        limit,
      });
      const last = rows[rows.length - 1];
      return { records: rows.map(recordStatusView), next: rows.length === limit && last ? last.index : null };
    },
  );

  app.get(
    "/v1/records/:id",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Status of a record: pending or anchored, with its batch and any legal hold",
        description: "410 once the record is erased: when, and under which reference.",
        params: IdParams,
        response: { 200: RecordStatus, 404: ErrorResponse, 410: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await getRecord(deps.db, id);
      if (row === null) throw new NotFoundError(`no record with id ${id}`);
      if (isErased(row)) {
        if (row.erasedAt === null || row.erasureReference === null) throw contentGoneWithoutErasure(id);
        throw erasedErrorOf(id, row.erasedAt, row.erasureReference);
      }
      return recordStatusView(row);
    },
  );

  app.get(
    "/v1/records/:id/proof",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "The evidence bundle of an anchored record",
        description:
          "200 with the evidence bundle (evidence-bundle/v1) once anchored; 202 while pending; 410 once erased. `wait=N` long-polls up to N seconds.",
        params: IdParams,
        querystring: ProofQuery,
        response: {
          200: BundleResponse,
          202: PendingProof,
          404: ErrorResponse,
          410: ErrorResponse,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // An anchored bundle never changes (until an erasure, which announces itself): one
      // served before goes out again as the same bytes, without a database round trip.
      await ctx.bundles.ready();
      const cached = ctx.bundles.cache.get(id);
      if (cached !== undefined) return reply.code(200).type(JSON_TYPE).send(cached);
      const bytes = await waitUntilAnchored(ctx, reply, request.query.wait ?? 0, async () => {
        // Taken before the read: a bundle read before an erasure's announcement is not kept.
        const stamp = ctx.bundles.cache.stamp();
        const evidence = await ctx.evidence.read(id);
        if (evidence.status === "unknown") throw new NotFoundError(`no record with id ${id}`);
        if (evidence.status === "erased") throw await erasedError(deps.db, id);
        if (evidence.status !== "anchored") return undefined;
        // The route's own serializer, so the bytes kept are the bytes it would send.
        const serialized = Buffer.from(reply.code(200).serialize(evidence.bundle) as string);
        ctx.bundles.cache.set(id, serialized, stamp);
        return serialized;
      });
      if (bytes === undefined) return reply.code(202).send({ id, status: "pending" });
      return reply.code(200).type(JSON_TYPE).send(bytes);
    },
  );
}

const JSON_TYPE = "application/json; charset=utf-8";

function conflictMessage(result: Extract<IngestResult, { outcome: "conflict" }>): string {
  if (result.digest !== null) return `record ${result.id} already exists with different content`;
  return result.erased
    ? `record ${result.id} was erased: its id cannot be used again`
    : `record ${result.id} exists, but its content is no longer kept here (archived): its id cannot be used again`;
}

const FIRST_INSTANT = new Date("0001-01-01T00:00:00Z"); // the database has no year 0

/**
 * A query timestamp as a Date. RFC 3339 allows a leap second (…T23:59:60Z), which Date
 * cannot hold: 400. Year 0 means "from the start": it is read as the first instant of year 1.
 */
function instant(value: string, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      "invalid_request",
      `${field} is not an instant this service can represent`,
      {
        details: { field: `querystring/${field}` },
      },
    );
  }
  return date < FIRST_INSTANT ? FIRST_INSTANT : date;
}
