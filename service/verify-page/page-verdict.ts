// What the verification page says about a report, as one of four verdicts. Pure: the
// browser script shows it, the tests check it without a browser.
//
//   valid        green: no check failed and every chain check passed, `notary` included, so
//                the evidence is anchored in the pinned notary's contract on its chain. Only
//                `digest` may have been skipped (no record given), and the text says so.
//   invalid      red: a check failed. A bundle that names another contract or chain fails
//                `notary` even without a chain (the claim is compared with the profile).
//   unchecked    amber: nothing failed, but a chain check did not run (no RPC URL, or the
//                chain could not be reached). No verdict on anchoring: never green, since a
//                look-alike anchored anywhere passes every offline check.
//   unsupported  neutral: the bundle's format is one this verifier does not know ("cannot
//                judge", not red).
import { CHAIN_CHECK_NAMES, type VerifyReport } from "../core/verify.ts";

export type PageVerdict = "valid" | "invalid" | "unchecked" | "unsupported";

export function pageVerdict(report: VerifyReport): PageVerdict {
  if (report.verdict === "unsupported_format") return "unsupported";
  if (report.checks.some((c) => c.status === "fail")) return "invalid";
  const chainChecks = report.checks.filter((c) => (CHAIN_CHECK_NAMES as readonly string[]).includes(c.name));
  const anchored =
    chainChecks.length === CHAIN_CHECK_NAMES.length && chainChecks.every((c) => c.status === "pass");
  return anchored ? "valid" : "unchecked";
}

/** The verdict line, in plain words. */
export function verdictText(report: VerifyReport, verdict: PageVerdict): string {
  const check = (name: string) => report.checks.find((c) => c.name === name);
  switch (verdict) {
    case "valid": {
      const skipped = report.checks.filter((c) => c.status === "skip").length;
      const digestSkipped = check("digest")?.status === "skip";
      return `VALID: every check passed, including the notary and the anchoring on its chain${
        skipped === 0
          ? "."
          : digestSkipped && skipped === 1
            ? " (1 not run, in grey: no record was given, so the record itself was not compared)."
            : ` (${skipped} not run, in grey).`
      }`;
    }
    case "invalid": {
      const failed = report.checks.filter((c) => c.status === "fail").map((c) => c.name);
      return `INVALID: failed checks: ${failed.join(", ")}.`;
    }
    case "unchecked": {
      const why = check("notary")?.message.replace(/^not run: /, "") ?? "the chain was not asked";
      return `NOT CHECKED AGAINST THE CHAIN: no verdict on anchoring. The checks that ran passed, but whether this notary anchored the evidence was not checked (${why}). Enter the JSON-RPC URL of the notary's chain and verify again.`;
    }
    case "unsupported":
      return `CANNOT JUDGE: ${check("schema")?.message ?? "this verifier does not know the bundle's format"}.`;
  }
}
