// After a record is erased, its neighbours' evidence still verifies (issue 13): a sibling in
// the same batch, whose audit path holds the erased record's leaf, verifies in the auditor's
// CLI (`npm run verify`, a child process reading only files and the chain) and in the
// verification page in a real headless Chromium; its bundle is served unchanged. The erasure's
// own bundle verifies the same way, with its statement as the record. A bundle of the erased
// record handed out before the erasure still verifies too: an erasure cannot recall copies
// (docs/reliability.md section 6 says so).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_NAMES } from "../../service/core/verify.ts";
import { hasChromium } from "../helpers/chromium.ts";
import { forEachDatabase, onlyOn } from "../helpers/databases.ts";
import { runScript } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";
import { openVerifyPage, verifyInPage } from "../helpers/verify-page.ts";

const RECORDS = [
  { id: "n-0", record: { amount: "12.50", iban: "DE89370400440532013000", name: "Erika Mustermann" } },
  { id: "n-1", record: { amount: "7.00", iban: "FR1420041010050500013M02606", name: "Jean Dupont" } },
  { id: "n-2", record: { amount: "1.99", iban: "GB29NWBK60161331926819", name: "John Smith" } },
];
const ALL_PASS = Object.fromEntries(CHECK_NAMES.map((name) => [name, "pass"]));

forEachDatabase((target) => {
  let s: TestService;
  // biome-ignore lint/suspicious/noExplicitAny: bundles and answers as served
  let before: Record<string, any>;
  // biome-ignore lint/suspicious/noExplicitAny: the erasure as served
  let erasure: any;
  let siblingText: string;

  /** `npm run verify` as an auditor runs it: a child process with the files and the chain. */
  async function verifyCli(name: string, bundle: unknown, record: unknown) {
    const bundlePath = join(s.dataDir, `${name}-bundle.json`);
    const recordPath = join(s.dataDir, `${name}-record.json`);
    await writeFile(bundlePath, typeof bundle === "string" ? bundle : JSON.stringify(bundle));
    await writeFile(recordPath, JSON.stringify(record));
    // Asynchronous (the chain answering the CLI runs in this very process); exit 1 (invalid) is an answer.
    const { code, stdout } = await runScript("scripts/verify.ts", [
      bundlePath,
      "--record",
      recordPath,
      "--rpc",
      s.service.chainUrl,
      "--notary",
      join(s.dataDir, "notary.json"),
      "--json",
    ]);
    const report = JSON.parse(stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(code).toBe(report.ok ? 0 : 1);
    return report;
  }

  beforeAll(async () => {
    s = await startTestService(target, { BATCH_INTERVAL_MS: "100" });
    const ack = await s.call("POST", "/v1/records/batch", {
      key: s.keys.submitter,
      body: { records: RECORDS },
    });
    expect(ack.status).toBe(202);
    before = {};
    for (const { id } of RECORDS) {
      const proof = await s.call("GET", `/v1/records/${id}/proof?wait=20`, { key: s.keys.reader });
      expect(proof.status).toBe(200);
      before[id] = proof.json;
      if (id === "n-1") siblingText = proof.text;
    }
    // One batch, and n-0's leaf is n-1's first path node.
    expect(new Set(RECORDS.map(({ id }) => before[id].batch)).size).toBe(1);
    expect(before["n-1"].proof[0]).toBe(before["n-0"].leafHash);

    const erased = await s.call("POST", "/v1/records/n-0/erasure", {
      key: s.keys.eraser,
      body: { reason: "Erika Mustermann asked", reference: "DSR-neighbours" },
    });
    expect(erased.status).toBe(200);
    erasure = (await s.call("GET", "/v1/records/n-0/erasure?wait=20", { key: s.keys.reader })).json;
    expect(erasure.anchoring).toBe("anchored");
  });
  afterAll(async () => {
    await s?.stop();
  });

  describe("after a record is erased", () => {
    it("its sibling's bundle is served unchanged, and verifies in the CLI", async () => {
      expect((await s.call("GET", "/v1/records/n-0/proof", { key: s.keys.reader })).status).toBe(410);
      const again = await s.call("GET", "/v1/records/n-1/proof", { key: s.keys.reader });
      expect(again.text).toBe(siblingText);
      const report = await verifyCli("sibling", again.text, RECORDS[1]?.record);
      expect(report.checks.map((c) => [c.name, c.status])).toEqual(CHECK_NAMES.map((name) => [name, "pass"]));
      expect(report.ok).toBe(true);
    });

    it("the erasure's bundle verifies in the CLI with its statement as the record", async () => {
      const report = await verifyCli("erasure", erasure.bundle, erasure.statement);
      expect(report.ok).toBe(true);
      expect(report.checks.every((c) => c.status === "pass")).toBe(true);
      // And it does not verify against the erased content.
      expect((await verifyCli("erasure-vs-content", erasure.bundle, RECORDS[0]?.record)).ok).toBe(false);
    });

    it("the erased record's bundle handed out before still verifies: copies cannot be recalled", async () => {
      expect((await verifyCli("handed-out", before["n-0"], RECORDS[0]?.record)).ok).toBe(true);
    });
  });

  // The page reads nothing from the database: one database kind is enough.
  onlyOn(
    "pglite",
    target,
    describe.skipIf(!hasChromium),
  )("in the verification page (Chromium)", () => {
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      ({ browser, page } = await openVerifyPage(s.url));
    });
    afterAll(async () => {
      await browser?.close();
    });

    const statusesOf = async (bundle: unknown, record: unknown) =>
      (await verifyInPage(page, { bundle, record, rpcUrl: s.service.chainUrl })).statuses;

    it("the sibling's bundle is green, every check", async () => {
      expect(await statusesOf(JSON.parse(siblingText), RECORDS[1]?.record)).toEqual(ALL_PASS);
      expect(await page.textContent("#verdict")).toMatch(/^VALID/);
    });

    it("the erasure's bundle is green with its statement as the record", async () => {
      expect(await statusesOf(erasure.bundle, erasure.statement)).toEqual(ALL_PASS);
      expect(await page.textContent("#verdict")).toMatch(/^VALID/);
    });
  });
});
