// GET /verify: the browser verification page (no key needed). The page is static and
// self-contained; its script was bundled from the core code by `npm run build` and is read
// once, when the app is built (so a missing build stops the start, saying to run it).

import { NotFoundError } from "../../service-errors.ts";
import { renderVerifyPage, type VerifyPage } from "../../verify-page/page.ts";
import { readVerifyPageScript } from "../../verify-page/prebuilt-script.ts";
import type { AppContext } from "../app-context.ts";

export async function verifyPageRoutes({ app, deps }: AppContext): Promise<void> {
  const chain = deps.chain;
  // Without a chain there is no notary profile to pin, and so no page to serve.
  const page: VerifyPage | undefined =
    chain === undefined
      ? undefined
      : renderVerifyPage({
          script: await readVerifyPageScript(),
          rpcUrl: chain.rpcUrl,
          notary: chain.notary,
        });

  app.get(
    "/verify",
    {
      schema: {
        tags: ["verification"],
        summary: "Verification page: check an evidence bundle in your browser",
        description:
          "A static HTML page that verifies an evidence bundle (and optionally its record) in the browser, with the CLI's code, pinned to this service's notary profile (or to a profile file the user loads), against a JSON-RPC endpoint the user can change (default: this service's chain). Nothing is sent to the service.",
        produces: ["text/html"],
      },
    },
    async (_request, reply) => {
      if (page === undefined)
        throw new NotFoundError("this service has no notary profile to pin (it runs without a chain)");
      return reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", page.csp)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-cache")
        .send(page.html);
    },
  );
}
