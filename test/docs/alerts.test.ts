// docs/alerts/evidence-notary.rules.yml: the example alert rules. promtool checks them and
// runs their unit tests (docs/alerts/evidence-notary.rules.test.yml) where Debian's
// prometheus package is installed (/usr/bin/promtool), and the test says it was skipped
// elsewhere. Everywhere, every metric and label the rules name must be one the service
// exports, so the rules cannot drift from service/metrics.ts.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { createMetrics } from "../../service/metrics.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

const PROMTOOL = "/usr/bin/promtool";
const ALERTS = join(REPO_ROOT, "docs", "alerts");
const run = promisify(execFile);

it.skipIf(!existsSync(PROMTOOL))("promtool checks the rules and passes their unit tests", async () => {
  const check = await run(PROMTOOL, ["check", "rules", "evidence-notary.rules.yml"], { cwd: ALERTS });
  expect(check.stdout).toContain("SUCCESS: 5 rules found");
  const tests = await run(PROMTOOL, ["test", "rules", "evidence-notary.rules.test.yml"], { cwd: ALERTS });
  expect(tests.stdout).toContain("SUCCESS");
});

it("names only metrics and labels that the service exports", async () => {
  const rules = await readFile(join(ALERTS, "evidence-notary.rules.yml"), "utf8");
  const { registry } = createMetrics({ ingestQueueDepth: () => 0, pendingRecords: async () => 0 });
  const selectors = [...rules.matchAll(/\b(en_[a-z_]+)(?:\{([^}]*)\})?/g)];
  expect(selectors.length).toBeGreaterThanOrEqual(5);
  for (const [, name, labels] of selectors) {
    const metric = registry.getSingleMetric(name as string) as unknown as
      | { labelNames?: string[] }
      | undefined;
    expect(metric, `${name} is not exported`).toBeDefined();
    for (const label of (labels ?? "").matchAll(/([a-z_]+)=/g)) {
      expect(metric?.labelNames, `${name} has no label ${label[1]}`).toContain(label[1]);
    }
  }
});
