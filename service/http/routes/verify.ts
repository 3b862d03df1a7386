// POST /v1/verify: the same checks as `npm run verify`, as JSON. The service only runs
// the core verifier against the chain; it does not consult its own database.
import { Type } from "typebox";
import { CHECK_NAMES, type CheckName, verifyBundle } from "../../core/verify.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY } from "../schemas/common.ts";

const VerifyRequest = Type.Object(
  {
    bundle: Type.Unknown({
      description: "An evidence bundle (evidence-bundle/v1), checked against its schema",
    }),
    record: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: "The record, if you have it" }),
    ),
  },
  { additionalProperties: false, required: ["bundle"] },
);

const VerifyReport = Type.Object({
  ok: Type.Boolean(),
  checks: Type.Array(
    Type.Object({
      // Unsafe: the same anyOf of literals, typed as CheckName (a mapped array types as never).
      name: Type.Unsafe<CheckName>(Type.Union(CHECK_NAMES.map((n) => Type.Literal(n)))),
      status: Type.Union([Type.Literal("pass"), Type.Literal("fail"), Type.Literal("skip")]),
      message: Type.String(),
      expected: Type.Optional(Type.String()),
      actual: Type.Optional(Type.String()),
    }),
  ),
});

export async function verifyRoutes({ app, deps, auth }: AppContext): Promise<void> {
  app.post(
    "/v1/verify",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags: ["verification"],
        security: SECURITY,
        summary: "Verify an evidence bundle (and optionally its record) against the chain",
        description:
          "Runs every check of the auditor's CLI. 200 with ok=false when the evidence is invalid; 503 when the chain cannot be reached.",
        body: VerifyRequest,
        response: { 200: VerifyReport, 400: ErrorResponse, 503: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { bundle, record } = request.body;
      const options = {
        ...(record === undefined ? {} : { record }),
        ...(deps.chainReader ? { chain: deps.chainReader } : {}),
      };
      return verifyBundle(bundle, options);
    },
  );
}
