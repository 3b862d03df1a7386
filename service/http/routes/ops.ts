// Operations: liveness, readiness, Prometheus metrics. No API key needed.
import { Type } from "typebox";
import type { AppContext } from "../app-context.ts";

const Health = Type.Object({ status: Type.Literal("ok") });
const Ready = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Record(Type.String(), Type.Boolean()),
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
        summary: "Readiness: the database and the chain are reachable",
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
      Object.assign(checks, (await deps.readiness?.()) ?? {});
      checks.accepting = !isClosing();
      const ready = Object.values(checks).every(Boolean);
      if (!ready) reply.header("retry-after", "2");
      return reply.code(ready ? 200 : 503).send({ ready, checks });
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
