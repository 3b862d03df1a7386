// renderCertificate is pure: every value is escaped, failures are shown as failures.
import { describe, expect, it } from "vitest";
import { formatFingerprint, notaryFingerprint } from "../../service/core/notary-profile.ts";
import type { VerifyReport } from "../../service/core/verify.ts";
import { verifyBundle } from "../../service/core/verify.ts";
import { renderCertificate } from "../../service/evidence/certificate.ts";
import { fakeChain, fakeNotary, makeBatch } from "../core/fixtures.ts";

const [bundle] = makeBatch([{ amount: "1.00" }, { amount: "2.00" }, { amount: "3.00" }]);
if (bundle === undefined) throw new Error("no bundle");
const TIMES = { receivedAt: "2026-03-04T05:06:07.000Z", issuedAt: "2026-11-25T10:00:00.000Z" };

function statuses(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/data-check="(\w+)" data-status="(\w+)"/g)].map((m) => [m[1], m[2]]),
  );
}

describe("renderCertificate", () => {
  it("shows a valid verdict, the UTC times and the local-time slots", async () => {
    const report = await verifyBundle(bundle, { chain: fakeChain(bundle), trustedNotary: fakeNotary() });
    const html = renderCertificate({ bundle, report, ...TIMES });
    expect(html).toContain('data-verdict="valid"');
    expect(html).toContain("all 8 checks that were run passed");
    expect(html).toContain("2026-03-04 05:06:07 UTC");
    expect(html).toContain('data-local="2026-03-04T05:06:07.000Z"');
    expect(html).toContain("against the blockchain itself");
    // The pinned notary, by name and fingerprint.
    expect(html).toContain(fakeNotary().name);
    expect(html).toContain(formatFingerprint(notaryFingerprint(fakeNotary())));
  });

  it("shows failed checks in red with what the evidence says and what was found, escaped", () => {
    const report: VerifyReport = {
      ok: false,
      verdict: "invalid",
      checks: [
        { name: "schema", status: "pass", message: "fine" },
        {
          name: "digest",
          status: "fail",
          message: "the <b>record</b> differs",
          expected: "0x<expected>",
          actual: "0x&actual\"'",
        },
        { name: "anchor_tx", status: "skip", message: "no chain" },
      ],
    };
    const html = renderCertificate({ bundle, report, ...TIMES });
    expect(statuses(html)).toEqual({ schema: "pass", digest: "fail", anchor_tx: "skip" });
    expect(html).toContain('data-verdict="invalid"');
    expect(html).toContain("Failed: the record matches its fingerprint.");
    expect(html).toContain("the &lt;b&gt;record&lt;/b&gt; differs");
    expect(html).toContain("<code>0x&lt;expected&gt;</code>");
    expect(html).toContain("<code>0x&amp;actual&quot;&#39;</code>");
    expect(html).toContain("the blockchain was not consulted");
  });

  it("escapes hostile values in the bundle wherever they appear", () => {
    const hostile = { ...bundle, recordId: `"><img src=x onerror=alert(1)>` };
    const report: VerifyReport = { ok: true, verdict: "valid", checks: [] };
    const html = renderCertificate({ bundle: hostile, report, ...TIMES });
    expect(html).not.toContain("<img");
    expect(html).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain('download="evidence-___img_src_x_onerror_alert_1__.json"');
  });
});
