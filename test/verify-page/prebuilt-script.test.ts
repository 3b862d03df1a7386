// The page's script as `npm run build` writes it, and what the service says when it is
// missing or broken (the service reads it at start: test/http/verify-page.test.ts shows it
// serves exactly this file).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkInlineScript,
  readVerifyPageScript,
  VERIFY_PAGE_SCRIPT_FILE,
} from "../../service/verify-page/prebuilt-script.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

describe("readVerifyPageScript", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "en-page-script-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads what the build wrote, under build/ (not committed)", async () => {
    expect(VERIFY_PAGE_SCRIPT_FILE).toBe(join(REPO_ROOT, "build", "verify-page", "verify-page.js"));
    const script = await readVerifyPageScript();
    // The bundle carries the core's checks and Ajv's standalone validators, never Ajv's compiler.
    expect(script).toContain("evidence-bundle/v1");
    expect(script).toContain("notary-profile/v1");
    expect(script).not.toMatch(/new Function|\beval\(/);
  });

  it("says to run npm run build when the file is missing", async () => {
    await expect(readVerifyPageScript(join(dir, "nothing.js"))).rejects.toThrow(
      /nothing\.js cannot be read \(it does not exist\): run `npm run build`/,
    );
  });

  it("refuses an empty file or one that would close its <script> element", async () => {
    const empty = join(dir, "empty.js");
    await writeFile(empty, "\n");
    await expect(readVerifyPageScript(empty)).rejects.toThrow(/is empty; run `npm run build` again/);
    expect(() => checkInlineScript('alert("</script><script>evil()")')).toThrow(/cannot be inlined/);
    expect(() => checkInlineScript("a<!--b")).toThrow(/cannot be inlined/);
    expect(checkInlineScript("void 0;")).toBe("void 0;");
  });
});
