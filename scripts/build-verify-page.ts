// Part of `npm run build`: bundles the verification page's script (browser-entry.ts and the
// core it runs) with esbuild and writes it to build/verify-page/verify-page.js, which the
// service reads at start (service/verify-page/prebuilt-script.ts). Exit 1 when it fails.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { VERIFY_PAGE_SCRIPT_FILE } from "../service/verify-page/prebuilt-script.ts";
import { buildVerifyPageScript } from "./build/verify-page-script.ts";

try {
  const script = await buildVerifyPageScript();
  await mkdir(dirname(VERIFY_PAGE_SCRIPT_FILE), { recursive: true });
  // Written whole, then renamed: a service starting meanwhile reads the old file or the new one.
  const partial = `${VERIFY_PAGE_SCRIPT_FILE}.partial`;
  await writeFile(partial, script);
  await rename(partial, VERIFY_PAGE_SCRIPT_FILE);
} catch (error) {
  console.error(`cannot build the verification page's script: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
