// POST /v1/keys (admin): create an API key. The secret is in this one answer only.
import { Type } from "typebox";
import { revokeApiKey } from "../../db/api-keys.ts";
import { createApiKey } from "../../keys/api-keys.ts";
import { NotFoundError } from "../../service-errors.ts";
import type { AppContext } from "../app-context.ts";
import { AUTH_ERRORS, ErrorResponse, SECURITY, Timestamp } from "../schemas/common.ts";

const Role = Type.Union([
  Type.Literal("admin"),
  Type.Literal("submitter"),
  Type.Literal("reader"),
  Type.Literal("eraser"),
]);
const CreateKey = Type.Object(
  { role: Role, name: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);
const CreatedKey = Type.Object({
  id: Type.String(),
  role: Role,
  name: Type.Union([Type.Null(), Type.String()]),
  createdAt: Timestamp,
  key: Type.String({ description: "The secret. Shown once: store it now." }),
});
const KeyParams = Type.Object({ id: Type.String({ pattern: "^[0-9a-f]{8}$" }) });

export async function keyRoutes({ app, deps, auth }: AppContext): Promise<void> {
  const tags = ["keys"];
  app.post(
    "/v1/keys",
    {
      preHandler: auth([]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Create an API key (admin only)",
        body: CreateKey,
        response: { 201: CreatedKey, 400: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      const { key, record } = await createApiKey(deps.db, request.body.role, request.body.name ?? null);
      request.log.info({ keyId: record.id, role: record.role }, "API key created");
      return reply.code(201).send({
        id: record.id,
        role: record.role,
        name: record.name,
        createdAt: record.createdAt.toISOString(),
        key,
      });
    },
  );

  app.delete(
    "/v1/keys/:id",
    {
      preHandler: auth([]),
      schema: {
        tags,
        security: SECURITY,
        summary: "Revoke an API key (admin only)",
        params: KeyParams,
        response: { 204: Type.Null(), 404: ErrorResponse, ...AUTH_ERRORS },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiKey(deps.db, request.params.id))) {
        throw new NotFoundError(`no active API key with id ${request.params.id}`);
      }
      request.log.info({ keyId: request.params.id }, "API key revoked");
      return reply.code(204).send(null);
    },
  );
}
