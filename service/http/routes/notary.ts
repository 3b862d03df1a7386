// GET /v1/notary: this notary's profile (notary-profile/v1), the trust root verifiers pin.
// Public, like the chain itself: no key. The body is the profile as the service holds it
// (DATA_DIR/notary.json), so it can be saved as notary.json; its fingerprint (SHA-256 of its
// RFC 8785 form, so independent of spacing and member order) is also in the
// Notary-Fingerprint header. A verifier should compare that
// fingerprint with one the operator publishes elsewhere, not trust this answer alone.
import { Type } from "typebox";
import { notaryFingerprint } from "../../core/notary-profile.ts";
import { NotFoundError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { ErrorResponse } from "../schemas/common.ts";

export async function notaryRoutes({ app, deps }: AppContext): Promise<void> {
  const notary = deps.chain?.notary;
  const fingerprint = notary === undefined ? undefined : notaryFingerprint(notary);

  app.get(
    "/v1/notary",
    {
      schema: {
        tags: ["verification"],
        summary: "This notary's profile: the trust root to pin when verifying its evidence",
        description:
          "The notary profile (notary-profile/v1, specified in docs/evidence-format.md): the chain (id and genesis block hash) and the EvidenceAnchor contract (address, deployment, code hash) whose anchors count as this notary's evidence. No key needed. Save it as notary.json and pass it to `npm run verify -- --notary notary.json`, after comparing its fingerprint (Notary-Fingerprint header; SHA-256 of the profile's RFC 8785 form) with the one the operator publishes out of band.",
        response: {
          200: {
            description: "The profile",
            headers: { "notary-fingerprint": Type.String({ pattern: "^[0-9a-f]{64}$" }) },
            content: { "application/json": { schema: Type.Object({}, { additionalProperties: true }) } },
          },
          404: ErrorResponse,
        },
      },
    },
    async (_request, reply) => {
      if (notary === undefined || fingerprint === undefined) {
        throw new NotFoundError("this service has no notary profile (it runs without a chain)");
      }
      return reply
        .type("application/json; charset=utf-8")
        .header("notary-fingerprint", fingerprint)
        .header("cache-control", "no-cache")
        .send(notary);
    },
  );
}
