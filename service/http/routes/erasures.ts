// Erasure (issue 13): POST /v1/records/:id/erasure and POST /v1/erasures remove records'
// digests and salts (service/erasure/erase-records.ts), each erasure notarized by a statement
// of its own; GET /v1/records/:id/erasure serves that statement and, once anchored, its
// evidence bundle. Erasing is for the eraser role (and admin); reading an erasure, for reader
// and eraser. The reason given is stored for the operator and never returned.
import type { Bundle } from "../../core/bundle.ts";
import { getErasure } from "../../db/erasures.ts";
import { getRecord } from "../../db/records.ts";
import { type ErasureOutcome, type ErasureView, eraseRecords, viewOf } from "../../erasure/erase-records.ts";
import { readEntryEvidence } from "../../evidence/record-evidence.ts";
import { LegalHoldError, NotFoundError, PayloadTooLargeError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY } from "../schemas/common.ts";
import {
  BulkErasureAnswer,
  BulkErasureRequest,
  Erasure,
  ErasureEvidence,
  ErasureQuery,
  ErasureRequest,
} from "../schemas/erasures.ts";
import { IdParams } from "../schemas/records.ts";
import { waitUntilAnchored } from "../wait-anchored.ts";

export async function erasureRoutes(ctx: AppContext): Promise<void> {
  const { app, deps, auth } = ctx;
  const tags = ["erasure"];

  /** Erases, forgets the bundles this process keeps at once (the others hear it at commit), counts. */
  const erase = async (
    ids: readonly string[],
    body: { reason: string; reference: string },
    keyId: string,
  ) => {
    const outcomes = await eraseRecords(deps.db, ids, { ...body, erasedBy: keyId });
    for (const outcome of outcomes) {
      if (outcome.outcome === "erased") ctx.bundles.cache.invalidate(outcome.id);
      deps.metrics.erasures.inc({ outcome: outcome.outcome });
    }
    return outcomes;
  };

  app.post(
    "/v1/records/:id/erasure",
    {
      preHandler: auth(["eraser"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Erase a record: remove its digest and salt, keep its leaf, notarize the erasure",
        description:
          "200 with the erasure; the same answer again once erased (the first erasure's time and reference). 409 legal_hold while the record is on hold. From then on the record's status, proof and certificate answer 410.",
        params: IdParams,
        body: ErasureRequest,
        response: {
          200: Erasure,
          400: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request) => {
      const [outcome] = await erase([request.params.id], request.body, keyIdOf(request.apiKey));
      return answerOf(outcome as ErasureOutcome);
    },
  );

  app.post(
    "/v1/erasures",
    {
      preHandler: auth(["eraser"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Erase up to MAX_RECORDS_PER_CALL records in one call",
        description:
          "Validation is all or nothing: one invalid id refuses the call and erases nothing. Then every record found and not on hold is erased, in one transaction, under the one reason and reference; the answer has one result per id, in order.",
        body: BulkErasureRequest,
        response: { 200: BulkErasureAnswer, 400: ErrorResponse, 413: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { ids, ...body } = request.body;
      if (ids.length > deps.config.maxRecordsPerCall) {
        throw new PayloadTooLargeError(
          `an erasure call takes at most ${deps.config.maxRecordsPerCall} ids, got ${ids.length}`,
        );
      }
      const outcomes = await erase(ids, body, keyIdOf(request.apiKey));
      const count = (status: ErasureOutcome["outcome"]) =>
        outcomes.filter((o) => o.outcome === status).length;
      return {
        erased: count("erased"),
        alreadyErased: count("already_erased"),
        notFound: count("not_found"),
        held: count("legal_hold"),
        results: outcomes.map(resultOf),
      };
    },
  );

  app.get(
    "/v1/records/:id/erasure",
    {
      preHandler: auth(["reader", "eraser"]),
      schema: {
        tags,
        security: SECURITY,
        summary: "A record's erasure: its statement and, once anchored, the statement's evidence bundle",
        description:
          "The bundle verifies like any other, with the statement given as the record (`npm run verify -- bundle.json --record statement.json`). 404 when the record is unknown or not erased. `wait=N` long-polls up to N seconds for the erasure to be anchored.",
        params: IdParams,
        querystring: ErasureQuery,
        response: { 200: ErasureEvidence, 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const record = await getRecord(deps.db, id);
      if (record === null) throw new NotFoundError(`no record with id ${id}`);
      const erasure = await getErasure(deps.db, id);
      if (erasure === null) throw new NotFoundError(`record ${id} is not erased`);
      const view = viewOf(id, erasure);
      let anchored: Bundle | null = null;
      await waitUntilAnchored(ctx, reply, request.query.wait ?? 0, async () => {
        const evidence = await readEntryEvidence(deps.db, erasure.erasureIndex);
        if (evidence.status === "anchored") anchored = evidence.bundle;
        return anchored ?? undefined;
      });
      return {
        ...erasureAnswer(view),
        erasedRecord: {
          leafHash: view.statement.erasedLeaf,
          batch:
            record.seq === null || record.leafIndex === null
              ? null
              : { seq: record.seq, leafIndex: record.leafIndex },
        },
        anchoring: anchored === null ? ("pending" as const) : ("anchored" as const),
        bundle: anchored,
      };
    },
  );
}

function keyIdOf(key: { id: string } | undefined): string {
  // The route's preHandler admitted a key: there is one.
  return key?.id ?? "unknown";
}

function erasureAnswer(view: ErasureView) {
  return {
    id: view.id,
    status: "erased" as const,
    erasedAt: view.erasedAt,
    reference: view.reference,
    statement: view.statement,
  };
}

/** One record's erasure: the erasure, made now or before (the same answer), or the error. */
function answerOf(outcome: ErasureOutcome) {
  switch (outcome.outcome) {
    case "erased":
    case "already_erased":
      return erasureAnswer(outcome.erasure);
    case "not_found":
      throw new NotFoundError(`no record with id ${outcome.id}`);
    case "legal_hold":
      throw legalHoldError(outcome);
  }
}

function legalHoldError(outcome: Extract<ErasureOutcome, { outcome: "legal_hold" }>): LegalHoldError {
  return new LegalHoldError(
    `record ${outcome.id} is on legal hold (reference ${JSON.stringify(outcome.hold.reference)}): it cannot be erased until the hold is lifted`,
    { reference: outcome.hold.reference, placedAt: outcome.hold.placedAt.toISOString() },
  );
}

function resultOf(outcome: ErasureOutcome) {
  switch (outcome.outcome) {
    case "erased":
    case "already_erased":
      return {
        id: outcome.id,
        status: outcome.outcome,
        erasedAt: outcome.erasure.erasedAt,
        reference: outcome.erasure.reference,
      };
    case "not_found":
      return {
        id: outcome.id,
        status: outcome.outcome,
        error: { code: "not_found", message: `no record with id ${outcome.id}` },
      };
    case "legal_hold": {
      const error = legalHoldError(outcome);
      return {
        id: outcome.id,
        status: outcome.outcome,
        reference: outcome.hold.reference,
        error: { code: error.code, message: error.message },
      };
    }
  }
}
