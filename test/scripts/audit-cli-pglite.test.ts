// `npm run audit` on the default install: PGlite files in DATA_DIR and the local chain. PGlite
// is one process's database, so the audit refuses while the service has it open, and runs
// once the service is stopped and only the local chain (`npm run chain`) is up. It pins
// DATA_DIR/notary.json there: a batch row naming another contract is a finding, and with no
// profile at all nothing is decided.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../service/audit/run-audit.ts";
import { parseConfig } from "../../service/config.ts";
import { fromHex, type Hex } from "../../service/core/hex.ts";
import type { Database } from "../../service/db/database.ts";
import { openPglite } from "../../service/db/pglite.ts";
import { type LocalChain, startLocalChain } from "../../service/local-chain/local-chain.ts";
import { type RunningService, startService } from "../../service/main.ts";
import { pgliteTemplateDump } from "../helpers/databases.ts";
import { makeDataDir } from "../helpers/local-chain.ts";
import { runScript } from "../helpers/processes.ts";

const AUDIT = "scripts/audit.ts";
const NO_OVERRIDES = {
  DATABASE_URL: undefined,
  CHAIN_RPC_URL: undefined,
  ANCHOR_CONTRACT: undefined,
  NOTARY_PROFILE: undefined,
};

describe("npm run audit on PGlite in DATA_DIR and the local chain", () => {
  let dataDir: string;
  let db: Database | undefined;
  let service: RunningService | undefined;
  let chain: LocalChain | undefined;

  beforeAll(async () => {
    dataDir = await makeDataDir("en-audit-pglite-");
    db = await openPglite(join(dataDir, "pglite"), { loadDataDir: await pgliteTemplateDump() });
    const config = parseConfig({ DATA_DIR: dataDir, PORT: "0", CHAIN_PORT: "0", BATCH_INTERVAL_MS: "100" });
    service = await startService(config, { database: db, logger: false });
    const admin = `Bearer ${service.adminKey}`;
    const submitted = await fetch(`${service.url}/v1/records/batch`, {
      method: "POST",
      headers: { authorization: admin, "content-type": "application/json" },
      body: JSON.stringify({ records: [1, 2, 3].map((i) => ({ id: `p-${i}`, record: { i } })) }),
    });
    expect(submitted.status).toBe(202);
    const proof = await fetch(`${service.url}/v1/records/p-3/proof?wait=20`, {
      headers: { authorization: admin },
    });
    expect(proof.status).toBe(200);
  });
  afterAll(async () => {
    await service?.stop();
    await db?.close();
    await chain?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses while the service has the database open, saying what to do", async () => {
    const run = await runScript(AUDIT, ["--rpc", (service as RunningService).chainUrl], {
      ...NO_OVERRIDES,
      DATA_DIR: dataDir,
    });
    expect(run.stderr).toMatch(/open in another process.*stop the service.*DATABASE_URL/s);
    expect(run.code).toBe(2);
  });

  it("audits once the service is stopped, reading the local chain on CHAIN_PORT", async () => {
    await (service as RunningService).stop();
    await (db as Database).close();
    service = undefined;
    db = undefined;
    expect(existsSync(join(dataDir, "pglite", "postmaster.pid"))).toBe(false);
    chain = await startLocalChain({ dataDir, port: 0 });

    const run = await runScript(AUDIT, ["--json", "-"], {
      ...NO_OVERRIDES,
      DATA_DIR: dataDir,
      CHAIN_PORT: new URL(chain.url).port,
    });
    expect(run.stderr).toMatch(/RESULT: CLEAN/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as AuditReport & { database: string };
    expect(report).toMatchObject({
      ok: true,
      totals: { records: 3 },
      chain: { contract: chain.deployment.contract },
    });
    expect(report.database).toBe(`PGlite in ${join(dataDir, "pglite")}`);
    expect(report.notary.name).toBe((chain as LocalChain).notary.name);
    expect(run.stderr).toContain(`profile ${join(dataDir, "notary.json")} (NOTARY_PROFILE or DATA_DIR's`);
  });

  it("reports a batch row naming another contract than the notary profile's, with its seq", async () => {
    const auditEnv = {
      ...NO_OVERRIDES,
      DATA_DIR: dataDir,
      CHAIN_PORT: new URL((chain as LocalChain).url).port,
    };
    const contract = (chain as LocalChain).notary.contract;
    const setContract = async (value: string) => {
      const offline = await openPglite(join(dataDir, "pglite"));
      try {
        await offline.query("UPDATE batches SET contract = $1 WHERE seq = 0", [fromHex(value as Hex)]);
      } finally {
        await offline.close();
      }
    };
    await setContract(`0x${"5a".repeat(20)}`);
    let run: Awaited<ReturnType<typeof runScript>>;
    try {
      run = await runScript(AUDIT, ["--json", "-"], auditEnv);
    } finally {
      await setContract(contract);
    }
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: "anchor_elsewhere", seq: 0, expected: `${contract}@31337` }),
    ]);
    expect(run.stderr).toMatch(/✘ anchor_elsewhere \[batch 0\] batch 0 was sent to contract 0x5a5a/);
    const again = await runScript(AUDIT, [], auditEnv);
    expect(again.code).toBe(0);
  });

  it("with no notary profile (NOTARY_PROFILE names no file), decides nothing: exit 2", async () => {
    const run = await runScript(AUDIT, [], {
      ...NO_OVERRIDES,
      DATA_DIR: dataDir,
      CHAIN_PORT: new URL((chain as LocalChain).url).port,
      NOTARY_PROFILE: join(dataDir, "missing.json"),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no trusted notary profile given: .*there is none at .*missing\.json/);
  });
});
