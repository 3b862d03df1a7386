// The verification page's script as `npm run build` wrote it (scripts/build-verify-page.ts
// bundles browser-entry.ts and the core with esbuild). The service reads the file once at
// start and never bundles anything itself, so production needs no esbuild; a missing file
// stops the start with a message that says how to make it.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** Where the build writes the page's script (build/ is not committed). */
export const VERIFY_PAGE_SCRIPT_FILE = fileURLToPath(
  new URL("../../build/verify-page/verify-page.js", import.meta.url),
);

/** The page's script as built; throws an Error naming `npm run build` when there is none. */
export async function readVerifyPageScript(path = VERIFY_PAGE_SCRIPT_FILE): Promise<string> {
  let script: string;
  try {
    script = await readFile(path, "utf8");
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : String(error);
    throw new Error(
      `the verification page's script ${path} cannot be read (${why}): run \`npm run build\`, which bundles it`,
    );
  }
  try {
    return checkInlineScript(script);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}; run \`npm run build\` again`);
  }
}

/** Returns `script` when it can sit inside <script>…</script>; throws otherwise. */
export function checkInlineScript(script: string): string {
  if (script.trim() === "") throw new Error("the verification page's script is empty");
  if (/<\/script|<!--/i.test(script)) {
    throw new Error("the verification page's script contains </script or <!--, so it cannot be inlined");
  }
  return script;
}
