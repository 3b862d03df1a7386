// Driving the verification page (GET /verify) in Chromium: fill in a bundle, a record and an
// RPC URL, press Verify, and read back each check's status and the verdict.
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { launchChromium } from "./chromium.ts";

export type Statuses = Record<string, string | null>;

/** Verifies in `page` (already on /verify and ready); an empty record field when `record` is undefined. */
export async function verifyInPage(
  page: Page,
  input: { bundle: unknown; record?: unknown; rpcUrl: string },
): Promise<{ statuses: Statuses; verdict: string | null; text: string }> {
  await page.fill("#bundle", JSON.stringify(input.bundle, null, 2));
  await page.fill("#record", input.record === undefined ? "" : JSON.stringify(input.record));
  await page.fill("#rpc", input.rpcUrl);
  await page.click("#verify");
  await page.waitForSelector("#verdict[data-state=done], #verdict[data-state=error]", { timeout: 30_000 });
  expect(await page.getAttribute("#verdict", "data-state")).toBe("done");
  const statuses = await page.$$eval("#checks li", (items) =>
    Object.fromEntries(items.map((li) => [li.getAttribute("data-check"), li.getAttribute("data-status")])),
  );
  return {
    statuses,
    verdict: await page.getAttribute("#verdict", "data-verdict"),
    text: (await page.textContent("#verdict")) ?? "",
  };
}

/** A headless Chromium with one page on `${serviceUrl}/verify`, ready to verify. */
export async function openVerifyPage(serviceUrl: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const res = await page.goto(`${serviceUrl}/verify`);
    expect(res?.status()).toBe(200);
    await page.waitForSelector("#verdict[data-state=ready]", { timeout: 20_000 });
    return { browser, page };
  } catch (error) {
    await browser.close();
    throw error;
  }
}
