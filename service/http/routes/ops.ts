// Operations: liveness, readiness, Prometheus metrics. No API key needed.
import { type TSchema, Type } from "typebox";
import type { AppContext } from "../app-context.ts";

const Health = Type.Object({ status: Type.Literal("ok") });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Anchoring = Type.Object({
  state: Type.Union([Type.Literal("ok"), Type.Literal("failing"), Type.Literal("stalled")]),
  leader: Type.Boolean(),
  reason: Nullable(
    Type.Object({
      cause: Type.String(),
      needsOperator: Nullable(Type.Boolean()),
      message: Type.String(),
      fix: Nullable(Type.String()),
      since: Nullable(Type.String()),
      attempts: Type.Integer(),
    }),
  ),
  oldestUnanchoredBatch: Nullable(Type.Object({ seq: Type.Integer(), ageSeconds: Type.Number() })),
  noProgressSeconds: Nullable(Type.Number()),
  stallAfterSeconds: Type.Number(),
});
const Ready = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
  anchoring: Type.Optional(Anchoring),
});

export async function opsRoutes({ app, deps, isClosing }: AppContext): Promise<void> {
  const tags = ["operations"];
  app.get("/healthz", { schema: { tags, summary: "Liveness", response: { 200: Health } } }, async () => ({
    status: "ok" as const,
  }));

  app.get(
    "/readyz",
    {
      schema: {
        tags,
        summary: "Readiness: the database and the chain are reachable, and anchoring is not stalled",
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, boolean> = {};
      checks.database = await deps.db.ping().then(
        () => true,
        () => false,
      );
      if (deps.chain !== undefined) {
        const { notary } = deps.chain;
        checks.chain = await deps.chain.reader.getChainId().then(
          (id) => id === notary.chainId,
          () => false,
        );
      }
      const anchoring = await deps.anchoringStatus?.();
      if (anchoring !== undefined) checks.anchoring = anchoring.state !== "stalled";
      checks.accepting = !isClosing();
      const ready = Object.values(checks).every(Boolean);
      if (!ready) reply.header("retry-after", "2");
      return reply.code(ready ? 200 : 503).send({ ready, checks, anchoring });
    },
  );

  app.get(
    "/metrics",
    { schema: { tags, summary: "Prometheus metrics", hide: false } },
    async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(body);
    },
  );
}
