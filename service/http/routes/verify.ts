// POST /v1/verify: the same checks as `npm run verify`, as JSON, pinned to this service's own
// notary profile (the bundle's claimed chain and contract are compared with it, never
// trusted). The service only runs the core verifier against the chain; it does not consult
// its own database.
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
  ok: Type.Boolean({ description: "true when the verdict is valid" }),
  verdict: Type.Union([Type.Literal("valid"), Type.Literal("invalid"), Type.Literal("unsupported_format")], {
    description:
      "valid: no check failed; invalid: a check failed; unsupported_format: the bundle's format is not evidence-bundle/v1, so no verdict",
  }),
  notary: Type.Optional(
    Type.Object({ name: Type.String(), fingerprint: Type.String({ pattern: "^[0-9a-f]{64}$" }) }),
  ),
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
          "Runs every check of the auditor's CLI, pinned to this service's notary profile (GET /v1/notary): a bundle anchored in another contract or on another chain fails the `notary` check. 200 with ok=false when the evidence is invalid or its format unknown (see verdict); 503 when the chain cannot be reached.",
        body: VerifyRequest,
        response: { 200: VerifyReport, 400: ErrorResponse, 503: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request) => {
      const { bundle, record } = request.body;
      const chain = deps.chain;
      return chain === undefined
        ? verifyBundle(bundle, { record })
        : verifyBundle(bundle, { record, chain: chain.reader, trustedNotary: chain.notary });
    },
  );
}
