// Bundles the verification page's script (browser-entry.ts and, through it, the very same
// service/core code the CLI runs) for browsers with esbuild, into one IIFE that the page
// carries inline. Built once per process on first use (about a second), so the page always
// matches the code of the running service and there is no build artefact to go stale.
//
// Ajv compiles schemas with `new Function`, which a strict CSP forbids ('unsafe-eval').
// So the bundle swaps the `ajv` import of core/bundle.ts for Ajv's standalone code of the
// evidence-bundle schema, generated here with the same options core/bundle.ts uses: the
// page then needs no eval, and validates exactly as the CLI does.
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { build, type Plugin } from "esbuild";
import { BUNDLE_SCHEMA } from "../core/bundle.ts";

/** Must stay equal to the options of core/bundle.ts's validator. */
const CORE_AJV_OPTIONS = { allErrors: true, strict: true } as const;

const ENTRY = fileURLToPath(new URL("./browser-entry.ts", import.meta.url));
const CORE_BUNDLE_FILE = fileURLToPath(new URL("../core/bundle.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function standaloneBundleValidator(): string {
  const ajv = new Ajv({ ...CORE_AJV_OPTIONS, code: { source: true, esm: true } });
  return standaloneCode.default(ajv, ajv.compile(BUNDLE_SCHEMA));
}

const ajvStandalone: Plugin = {
  name: "ajv-standalone",
  setup(b) {
    b.onResolve({ filter: /^ajv$/ }, (args) =>
      args.importer === CORE_BUNDLE_FILE ? { path: "ajv", namespace: "ajv-standalone" } : undefined,
    );
    b.onResolve({ filter: /^standalone-validator$/, namespace: "ajv-standalone" }, () => ({
      path: "validator",
      namespace: "ajv-standalone",
    }));
    b.onLoad({ filter: /^validator$/, namespace: "ajv-standalone" }, () => ({
      contents: standaloneBundleValidator(),
      resolveDir: REPO_ROOT,
      loader: "js",
    }));
    b.onLoad({ filter: /^ajv$/, namespace: "ajv-standalone" }, () => ({
      contents: `import validate from "standalone-validator";
const SCHEMA_ID = ${JSON.stringify(BUNDLE_SCHEMA.$id)};
export class Ajv {
  compile(schema) {
    if (schema.$id !== SCHEMA_ID) throw new Error("the browser build only carries the evidence-bundle schema");
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
  const script = result.outputFiles[0]?.text ?? "";
  if (script === "" || /<\/script|<!--/i.test(script)) {
    throw new Error("the verification page script cannot be inlined");
  }
  return script;
}
