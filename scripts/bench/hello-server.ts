// The reference ceiling for the single-record API: a Fastify hello-world on the same
// machine, in its own process. `node scripts/bench/hello-server.ts` prints "listening on URL".
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/", async () => ({ hello: "world" }));
const url = await app.listen({ host: "127.0.0.1", port: 0 });
console.log(`listening on ${url}`);
process.once("SIGTERM", () => {
  app.close().then(() => process.exit(0));
});
