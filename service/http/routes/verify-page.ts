// GET /verify: the browser verification page (no key needed). The page is static and
// self-contained; its script is bundled from the core code on the first request and kept.

import { NotFoundError } from "../../service-errors.ts";
import { buildVerifyPageScript } from "../../verify-page/build-script.ts";
import { renderVerifyPage, type VerifyPage } from "../../verify-page/page.ts";
import type { AppContext } from "../app-context.ts";

export async function verifyPageRoutes({ app, deps }: AppContext): Promise<void> {
  let page: Promise<VerifyPage> | undefined;
  const rpcUrl = deps.chain?.rpcUrl ?? "";
  const notary = deps.chain?.notary;

  app.get(
    "/verify",
    {
      schema: {
        tags: ["verification"],
        summary: "Verification page: check an evidence bundle in your browser",
        description:
          "A static HTML page that verifies an evidence bundle (and optionally its record) in the browser, with the CLI's code, against a JSON-RPC endpoint the user can change (default: this service's chain). Nothing is sent to the service.",
        produces: ["text/html"],
      },
    },
    async (_request, reply) => {
      if (notary === undefined)
        throw new NotFoundError("this service has no notary profile to pin (it runs without a chain)");
      page ??= buildVerifyPageScript().then((script) => renderVerifyPage({ script, rpcUrl, notary }));
      let built: VerifyPage;
      try {
        built = await page;
      } catch (error) {
        page = undefined; // let the next request try again
        throw error;
      }
      return reply
        .type("text/html; charset=utf-8")
        .header("content-security-policy", built.csp)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-cache")
        .send(built.html);
    },
  );
}
