// /v1/records: submit (one or many), read status, fetch the evidence bundle.
import { BUNDLE_SCHEMA } from "../../core/bundle.ts";
import { InvalidArgumentError } from "../../core/errors.ts";
import { toHex } from "../../core/hex.ts";
import type { NewRecord } from "../../db/log.ts";
import { getRecord, listRecordsReceived } from "../../db/records.ts";
import { recordStatusView } from "../../evidence/record-evidence.ts";
import type { IngestResult } from "../../ingest/ingestor.ts";
import { prepareRecords } from "../../ingest/prepare-record.ts";
import { ConflictError, NotFoundError, PayloadTooLargeError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY } from "../schemas/common.ts";
import {
  BatchAck,
  BatchSubmission,
  IdParams,
  PendingProof,
  ProofQuery,
  RecordAck,
  RecordListQuery,
  RecordPage,
  RecordStatus,
  RecordSubmission,
} from "../schemas/records.ts";

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
        throw new ConflictError(conflictMessage(result.id, result.digest), {
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
            error: { code: "conflict", message: conflictMessage(r.id, r.digest) },
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
        summary: "Status of a record: pending or anchored, with its batch",
        params: IdParams,
        response: { 200: RecordStatus, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const row = await getRecord(deps.db, request.params.id);
      if (row === null) throw new NotFoundError(`no record with id ${request.params.id}`);
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
          "200 with the evidence bundle (evidence-bundle/v1) once anchored; 202 while pending. `wait=N` long-polls up to N seconds.",
        params: IdParams,
        querystring: ProofQuery,
        response: { 200: bundleResponseSchema(), 202: PendingProof, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      // An anchored bundle never changes (until an erasure, which announces itself): one
      // served before goes out again as the same bytes, without a database round trip.
      await ctx.bundles.ready();
      const cached = ctx.bundles.cache.get(id);
      if (cached !== undefined) return reply.code(200).type(JSON_TYPE).send(cached);
      const deadline = Date.now() + (request.query.wait ?? 0) * 1000;
      // The client went away: stop waiting for it.
      const gone = new AbortController();
      if (deadline > Date.now()) reply.raw.once("close", () => gone.abort());
      // Listen before the first read, so a batch anchored right after it is not missed.
      let seen = deadline > Date.now() ? await ctx.batchAnchored.ready() : 0;
      for (;;) {
        const evidence = await ctx.evidence.read(id);
        if (evidence.status === "unknown") throw new NotFoundError(`no record with id ${id}`);
        if (evidence.status === "shredded") {
          throw new NotFoundError(
            `record ${id} was erased (its salt was deleted); no evidence can be issued`,
          );
        }
        if (evidence.status === "anchored") {
          // The route's own serializer, so the bytes kept are the bytes it would send.
          const bytes = Buffer.from(reply.code(200).serialize(evidence.bundle) as string);
          ctx.bundles.cache.set(id, bytes);
          return reply.type(JSON_TYPE).send(bytes);
        }
        if (Date.now() >= deadline || gone.signal.aborted || ctx.isClosing()) {
          return reply.code(202).send({ id, status: "pending" });
        }
        seen = await ctx.batchAnchored.next(seen, deadline, gone.signal);
      }
    },
  );
}

const JSON_TYPE = "application/json; charset=utf-8";

function conflictMessage(id: string, storedDigest: string | null): string {
  return storedDigest === null
    ? `record ${id} exists, but its content is no longer kept here (archived): its id cannot be used again`
    : `record ${id} already exists with different content`;
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

/** The bundle JSON Schema, minus the keywords Fastify's serializer does not take. */
function bundleResponseSchema(): object {
  const { $schema: _schema, $id: _id, ...rest } = BUNDLE_SCHEMA as Record<string, unknown>;
  return rest;
}
