// Bundles the verification page's script (service/verify-page/browser-entry.ts and, through
// it, the very same service/core code the CLI runs) for browsers with esbuild, into one IIFE
// that the page carries inline. Run at build time only (`npm run build`, through
// scripts/build-verify-page.ts): the service reads the file it writes and never loads
// esbuild, which is a devDependency.
//
// Ajv compiles schemas with `new Function`, which a strict CSP forbids ('unsafe-eval').
// So the bundle swaps the `ajv` import of core/bundle.ts and core/notary-profile.ts for
// Ajv's standalone code of their two schemas (evidence bundle, notary profile), generated
// here with the same options the core uses: the page then needs no eval, and validates
// exactly as the CLI does.
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { build, type Plugin } from "esbuild";
import { BUNDLE_SCHEMA } from "../../service/core/bundle.ts";
import { NOTARY_PROFILE_SCHEMA } from "../../service/core/notary-profile.ts";
import { checkInlineScript } from "../../service/verify-page/prebuilt-script.ts";

/** Must stay equal to the options of core/bundle.ts's validator. */
const CORE_AJV_OPTIONS = { allErrors: true, strict: true } as const;

const ENTRY = fileURLToPath(new URL("../../service/verify-page/browser-entry.ts", import.meta.url));
/** The core files that validate with Ajv, and the schema each compiles. */
const AJV_IMPORTERS = new Set(
  ["../../service/core/bundle.ts", "../../service/core/notary-profile.ts"].map((f) =>
    fileURLToPath(new URL(f, import.meta.url)),
  ),
);
const SCHEMAS = { bundle: BUNDLE_SCHEMA, notary: NOTARY_PROFILE_SCHEMA };
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function standaloneValidators(): string {
  const ajv = new Ajv({ ...CORE_AJV_OPTIONS, code: { source: true, esm: true } });
  for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);
  return standaloneCode.default(
    ajv,
    Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, schema.$id])),
  );
}

const ajvStandalone: Plugin = {
  name: "ajv-standalone",
  setup(b) {
    b.onResolve({ filter: /^ajv$/ }, (args) =>
      AJV_IMPORTERS.has(args.importer) ? { path: "ajv", namespace: "ajv-standalone" } : undefined,
    );
    b.onResolve({ filter: /^standalone-validator$/, namespace: "ajv-standalone" }, () => ({
      path: "validator",
      namespace: "ajv-standalone",
    }));
    b.onLoad({ filter: /^validator$/, namespace: "ajv-standalone" }, () => ({
      contents: standaloneValidators(),
      resolveDir: REPO_ROOT,
      loader: "js",
    }));
    b.onLoad({ filter: /^ajv$/, namespace: "ajv-standalone" }, () => ({
      contents: `import * as validators from "standalone-validator";
const BY_ID = { ${Object.entries(SCHEMAS)
        .map(([name, schema]) => `${JSON.stringify(schema.$id)}: validators.${name}`)
        .join(", ")} };
export class Ajv {
  compile(schema) {
    const validate = BY_ID[schema.$id];
    if (validate === undefined) throw new Error("the browser build carries no validator for " + schema.$id);
    return validate;
  }
}`,
      resolveDir: REPO_ROOT,
      loader: "js",
    }));
  },
};

/** The page's script: one minified IIFE, safe to place inside <script>…</script>. */
export async function buildVerifyPageScript(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "eof",
    charset: "utf8",
    logLevel: "silent",
    plugins: [ajvStandalone],
  });
  return checkInlineScript(result.outputFiles[0]?.text ?? "");
}
