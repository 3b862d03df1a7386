// Legal hold (issue 13): PUT /v1/records/:id/hold places a hold (or replaces its reference),
// DELETE lifts it; admin only. A held record cannot be erased (409 legal_hold); an erased
// record cannot be held (410). GET /v1/records/:id shows the hold.
import { Type } from "typebox";
import { erasedErrorOf } from "../../erasure/erased-error.ts";
import { liftLegalHold, placeLegalHold } from "../../erasure/legal-hold.ts";
import { NotFoundError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY } from "../schemas/common.ts";
import { Hold, HoldRequest } from "../schemas/erasures.ts";
import { IdParams } from "../schemas/records.ts";

export async function holdRoutes({ app, deps, auth }: AppContext): Promise<void> {
  const tags = ["erasure"];

  app.put(
    "/v1/records/:id/hold",
    {
      preHandler: auth([]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Place a legal hold on a record (admin only): it cannot be erased until the hold is lifted",
        description:
          "One hold per record: the same reference again changes nothing, another one replaces it. 410 for an erased record.",
        params: IdParams,
        body: HoldRequest,
        response: { 200: Hold, 400: ErrorResponse, 404: ErrorResponse, 410: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { id } = request.params;
      const outcome = await placeLegalHold(deps.db, id, {
        reference: request.body.reference,
        placedBy: request.apiKey?.id ?? "unknown",
      });
      if (outcome.outcome === "not_found") throw new NotFoundError(`no record with id ${id}`);
      if (outcome.outcome === "erased") {
        throw erasedErrorOf(id, outcome.erasure.erasedAt, outcome.erasure.reference);
      }
      request.log.info({ recordId: id, reference: outcome.hold.reference }, "legal hold placed");
      return {
        id,
        hold: { reference: outcome.hold.reference, placedAt: outcome.hold.placedAt.toISOString() },
      };
    },
  );

  app.delete(
    "/v1/records/:id/hold",
    {
      preHandler: auth([]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Lift a record's legal hold (admin only)",
        description: "204 once lifted; 404 when the record is unknown or not on hold.",
        params: IdParams,
        response: { 204: Type.Null(), 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await liftLegalHold(deps.db, id);
      if (outcome.outcome === "not_found") throw new NotFoundError(`no record with id ${id}`);
      if (outcome.outcome === "not_held") throw new NotFoundError(`record ${id} is not on legal hold`);
      request.log.info({ recordId: id, reference: outcome.hold.reference }, "legal hold lifted");
      return reply.code(204).send(null);
    },
  );
}
