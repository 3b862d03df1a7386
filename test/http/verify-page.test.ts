// GET /verify in a real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): the page verifies bundles in the browser with the core code against
// the real local chain, and shows the right check red for each kind of tampering. The run
// saves test-results/verify-page.png (and -tampered.png) and the evidence certificate
// printed to test-results/certificate.pdf.
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_NAMES } from "../../service/core/verify.ts";
import { VERIFY_PAGE_SCRIPT_FILE } from "../../service/verify-page/prebuilt-script.ts";
import { hasChromium, launchChromium } from "../helpers/chromium.ts";
import { forEachDatabase } from "../helpers/databases.ts";
import { REPO_ROOT } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const RESULTS = join(REPO_ROOT, "test-results");
const RECORDS = [
  { id: "wire-1", record: { amount: "12.50", currency: "EUR", to: "FR1420041010050500013M02606" } },
  { id: "wire-2", record: { amount: "7.00", currency: "EUR", to: "DE89370400440532013000" } },
  { id: "wire-3", record: { amount: "1.99", currency: "USD", to: "GB29NWBK60161331926819" } },
];
type Statuses = Record<string, string>;

/** Flips the last hex digit of a 0x… value. */
function flipLastHexDigit(hex: string): string {
  const last = hex.at(-1) === "0" ? "1" : "0";
  return `${hex.slice(0, -1)}${last}`;
}

forEachDatabase((target) => {
  // The page reads nothing from the database: one database kind is enough.
  describe.skipIf(target.kind !== "pglite" || !hasChromium)("verification page in Chromium", () => {
    let s: TestService;
    let browser: Browser;
    let page: Page;
    // biome-ignore lint/suspicious/noExplicitAny: the bundle as served by /proof
    let bundle: any;
    const cspViolations: string[] = [];
    const requests: string[] = [];

    beforeAll(async () => {
      s = await startTestService(target);
      const ack = await s.call("POST", "/v1/records/batch", {
        key: s.keys.submitter,
        body: { records: RECORDS },
      });
      expect(ack.status).toBe(202);
      const proof = await s.call("GET", "/v1/records/wire-2/proof?wait=20", { key: s.keys.reader });
      expect(proof.status).toBe(200);
      bundle = proof.json;
      expect(bundle.proof.length).toBeGreaterThan(0);
      await mkdir(RESULTS, { recursive: true });
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
      page.on("console", (message) => {
        if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      page.on("request", (request) => requests.push(request.url()));
      const res = await page.goto(`${s.url}/verify`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector("#verdict[data-state=ready]", { timeout: 20_000 });
    });
    afterAll(async () => {
      await browser?.close();
      await s?.stop();
    });

    async function verifyInPage(untrustedBundle: unknown, record?: unknown): Promise<Statuses> {
      await page.fill("#bundle", JSON.stringify(untrustedBundle, null, 2));
      await page.fill("#record", record === undefined ? "" : JSON.stringify(record));
      await page.click("#verify");
      await page.waitForSelector("#verdict[data-state=done], #verdict[data-state=error]", {
        timeout: 30_000,
      });
      expect(await page.getAttribute("#verdict", "data-state")).toBe("done");
      return page.$$eval("#checks li", (items) =>
        Object.fromEntries(
          items.map((li) => [li.getAttribute("data-check"), li.getAttribute("data-status")]),
        ),
      );
    }

    it("serves the script that npm run build wrote, byte for byte (nothing is bundled at run time)", async () => {
      const html = await (await fetch(`${s.url}/verify`)).text();
      const inline = /<script>([\s\S]*)<\/script>\s*<\/body>/.exec(html)?.[1];
      expect(inline).toBe(await readFile(VERIFY_PAGE_SCRIPT_FILE, "utf8"));
    });

    it("defaults the RPC URL to the service's chain", async () => {
      expect(await page.inputValue("#rpc")).toBe(s.service.chainUrl);
    });

    it("shows every check green for a valid bundle and its record", async () => {
      const statuses = await verifyInPage(bundle, RECORDS[1]?.record);
      expect(statuses).toEqual(Object.fromEntries(CHECK_NAMES.map((name) => [name, "pass"])));
      expect(await page.textContent("#verdict")).toMatch(/^VALID/);
      // Green means green on screen, too.
      const colour = await page.$eval(
        '#checks li[data-check="anchor_root"] .badge',
        (e) => getComputedStyle(e).backgroundColor,
      );
      expect(colour).toBe("rgb(46, 125, 50)");
      await page.screenshot({ path: join(RESULTS, "verify-page.png"), fullPage: true });
    });

    it("takes the bundle as a dropped file and the record from the file picker", async () => {
      await page.fill("#bundle", "");
      await page.fill("#record", "");
      const bundleText = JSON.stringify(bundle);
      const dataTransfer = await page.evaluateHandle((text) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], "bundle.json", { type: "application/json" }));
        return transfer;
      }, bundleText);
      await page.dispatchEvent("#bundle", "drop", { dataTransfer });
      const recordText = JSON.stringify(RECORDS[1]?.record);
      await page.setInputFiles("#record-file", {
        name: "record.json",
        mimeType: "application/json",
        buffer: Buffer.from(recordText),
      });
      await page.waitForFunction(
        ([b, r]) =>
          (document.getElementById("bundle") as HTMLTextAreaElement).value === b &&
          (document.getElementById("record") as HTMLTextAreaElement).value === r,
        [bundleText, recordText],
        { timeout: 10_000 },
      );
    });

    it("shows digest red for a tampered record", async () => {
      const statuses = await verifyInPage(bundle, { ...RECORDS[1]?.record, amount: "7000.00" });
      expect(statuses).toMatchObject({
        digest: "fail",
        leaf: "pass",
        root: "pass",
        onchain_inclusion: "pass",
      });
      expect(await page.textContent("#verdict")).toMatch(/^INVALID: failed checks: digest\./);
      await page.screenshot({ path: join(RESULTS, "verify-page-tampered.png"), fullPage: true });
    });

    it("shows leaf red for a tampered salt", async () => {
      const statuses = await verifyInPage(
        { ...bundle, salt: flipLastHexDigit(bundle.salt) },
        RECORDS[1]?.record,
      );
      expect(statuses).toMatchObject({ digest: "pass", leaf: "fail", root: "pass" });
    });

    it("shows root red (and the contract's inclusion check red) for a tampered path node", async () => {
      const proof = [flipLastHexDigit(bundle.proof[0]), ...bundle.proof.slice(1)];
      const statuses = await verifyInPage({ ...bundle, proof }, RECORDS[1]?.record);
      expect(statuses).toMatchObject({
        leaf: "pass",
        root: "fail",
        onchain_inclusion: "fail",
        anchor_root: "pass",
      });
    });

    it("greys the chain checks when the chain cannot be reached, and decides nothing about them", async () => {
      await page.fill("#rpc", "http://127.0.0.1:9/");
      try {
        const statuses = await verifyInPage(bundle, RECORDS[1]?.record);
        expect(statuses).toMatchObject({ root: "pass", anchor_tx: "skip", onchain_inclusion: "skip" });
      } finally {
        await page.fill("#rpc", s.service.chainUrl);
      }
    });

    it("runs under its strict CSP (no eval) and sends nothing to the service", () => {
      expect(cspViolations).toEqual([]);
      const afterLoad = requests.slice(1);
      expect(afterLoad.filter((url) => url.startsWith(s.url))).toEqual([]);
      expect(afterLoad.some((url) => url.startsWith(s.service.chainUrl))).toBe(true);
    });

    it("prints the evidence certificate to an A4 PDF, with the viewer's local time filled in", async () => {
      const context = await browser.newContext({
        extraHTTPHeaders: { authorization: `Bearer ${s.keys.reader}` },
      });
      try {
        const certificate = await context.newPage();
        const res = await certificate.goto(`${s.url}/v1/records/wire-2/certificate`);
        expect(res?.status()).toBe(200);
        const local = await certificate.$$eval("[data-local]", (cells) => cells.map((c) => c.textContent));
        expect(local).toHaveLength(3);
        for (const text of local) expect(text).not.toBe("(shown in a browser)");
        expect(await certificate.isVisible("#print")).toBe(true);
        const path = join(RESULTS, "certificate.pdf");
        await certificate.pdf({ path, format: "A4", printBackground: true });
        const pdf = await readFile(path);
        expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
        // The bundle starts on its own page: at least two A4 pages.
        expect((pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBeGreaterThanOrEqual(2);
      } finally {
        await context.close();
      }
    });
  });
});
