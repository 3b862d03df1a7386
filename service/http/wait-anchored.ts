// A long poll (`?wait=N`, at most 60 s): read, and while the answer is not final, wait for the
// next batch anchored in any process (batch-anchored-signal.ts) and read again, until the
// deadline, the client leaving, or the app closing. Shared by the proof of a record and the
// evidence of an erasure.
import type { FastifyReply } from "fastify";
import type { AppContext } from "./app-context.ts";

/**
 * Calls `read` until it returns a value (final) or the wait is over (undefined: not yet). An
 * error `read` throws (404, 410) ends the wait and goes to the client.
 */
export async function waitUntilAnchored<T>(
  ctx: AppContext,
  reply: FastifyReply,
  waitSeconds: number,
  read: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const deadline = Date.now() + waitSeconds * 1000;
  // The client went away: stop waiting for it.
  const gone = new AbortController();
  if (deadline > Date.now()) reply.raw.once("close", () => gone.abort());
  // Listen before the first read, so a batch anchored right after it is not missed.
  let seen = deadline > Date.now() ? await ctx.batchAnchored.ready() : 0;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() >= deadline || gone.signal.aborted || ctx.isClosing()) return undefined;
    seen = await ctx.batchAnchored.next(seen, deadline, gone.signal);
  }
}
