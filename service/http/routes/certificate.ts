// GET /v1/records/:id/certificate: the printable evidence certificate (HTML) of an
// anchored record. The bundle is verified against the chain at request time, so the page
// states what the chain says now. While the record is pending the answer is the same as
// /proof's: 202 {id, status:"pending"} (JSON) with Retry-After; unknown: 404; erased: 410.
// A chain that cannot be asked gives 503 rather than a certificate with unchecked steps.
import { Type } from "typebox";
import { verifyBundle } from "../../core/verify.ts";
import { erasedError } from "../../erasure/erased-error.ts";
import { CERTIFICATE_SCRIPT_HASH, renderCertificate } from "../../evidence/certificate.ts";
import { pageCsp } from "../../html/html.ts";
import { NotFoundError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY } from "../schemas/common.ts";
import { IdParams, PendingProof } from "../schemas/records.ts";

export async function certificateRoutes({ app, deps, auth, evidence: reader }: AppContext): Promise<void> {
  app.get(
    "/v1/records/:id/certificate",
    {
      preHandler: auth(["reader"]),
      schema: {
        tags: ["records"],
        security: SECURITY,
        summary: "Printable evidence certificate (HTML) of an anchored record",
        description:
          "200 text/html once anchored: the record's digest, times (UTC and the viewer's local time), batch, root, transaction, block and contract, every verification step with its result (checked against the chain now), and the evidence bundle, embedded and downloadable. 202 while pending; 410 once erased; 503 when the chain cannot be reached.",
        params: IdParams,
        response: {
          200: {
            description: "The certificate, an HTML page",
            content: { "text/html": { schema: Type.String() } },
          },
          202: PendingProof,
          404: ErrorResponse,
          410: ErrorResponse,
          503: ErrorResponse,
          ...AUTH_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const evidence = await reader.read(id);
      if (evidence.status === "unknown") throw new NotFoundError(`no record with id ${id}`);
      if (evidence.status === "erased") throw await erasedError(deps.db, id);
      if (evidence.status === "pending") {
        return reply.code(202).header("retry-after", "1").send({ id, status: "pending" });
      }
      const chain = deps.chain;
      const report = await verifyBundle(
        evidence.bundle,
        chain === undefined ? {} : { chain: chain.reader, trustedNotary: chain.notary },
      );
      const html = renderCertificate({
        bundle: evidence.bundle,
        receivedAt: evidence.row.receivedAt.toISOString(),
        report,
        issuedAt: new Date().toISOString(),
      });
      return reply
        .code(200)
        .type("text/html; charset=utf-8")
        .header("content-security-policy", pageCsp({ scriptHashes: [CERTIFICATE_SCRIPT_HASH] }))
        .header("cache-control", "no-store")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .send(html);
    },
  );
}
