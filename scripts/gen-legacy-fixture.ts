// Writes test/fixtures/legacy-data-dir/: a data directory made by the code of this commit
// (chain journal format v1, Hardhat's default genesis), with bundles anchored through it, so
// that later code can prove it still replays the chain and verifies the bundles.
// Usage: node scripts/gen-legacy-fixture.ts
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../service/config.ts";
import { startService } from "../service/main.ts";
import { waitForBundle } from "../test/helpers/fault-checks.ts";
import { httpCaller } from "../test/helpers/service.ts";

const out = join(import.meta.dirname, "..", "test", "fixtures", "legacy-data-dir");
const dataDir = await mkdtemp(join(tmpdir(), "en-legacy-"));
const service = await startService(
  parseConfig({ DATA_DIR: dataDir, PORT: "0", CHAIN_PORT: "0", BATCH_INTERVAL_MS: "100" }),
  { logger: false },
);
try {
  const call = httpCaller(service.url);
  const admin = service.adminKey as string;
  const key = async (role: string) =>
    (await call("POST", "/v1/keys", { key: admin, body: { role } })).json.key;
  const submitter = await key("submitter");
  const reader = await key("reader");
  const records: Record<string, unknown> = {
    "legacy-1": {
      id: "legacy-1",
      case: "A-17",
      sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    },
    "legacy-2": { id: "legacy-2", case: "A-17", note: "second record, same batch or the next" },
    "legacy-3": { id: "legacy-3", case: "B-2", amount: "12.50" },
  };
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, "bundles"), { recursive: true });
  for (const [i, [id, record]] of Object.entries(records).entries()) {
    const res = await call("POST", "/v1/records", { key: submitter, body: { id, record } });
    if (res.status !== 202) throw new Error(`submit ${id}: ${res.status} ${res.text}`);
    if (i === 1) continue; // legacy-1 and legacy-2 may share a batch; legacy-3 gets its own
    await waitForBundle(call, reader, id, 30_000);
  }
  for (const [id, record] of Object.entries(records)) {
    const bundle = await waitForBundle(call, reader, id, 30_000);
    await writeFile(join(out, "bundles", `${id}.bundle.json`), `${JSON.stringify(bundle, null, 2)}\n`);
    await writeFile(join(out, "bundles", `${id}.record.json`), `${JSON.stringify(record, null, 2)}\n`);
  }
} finally {
  await service.stop();
}
await cp(join(dataDir, "chain"), join(out, "chain"), { recursive: true });
await cp(join(dataDir, "anchorer.key"), join(out, "anchorer.key"));
await cp(join(dataDir, "notary.json"), join(out, "notary.json"));
await rm(dataDir, { recursive: true, force: true });
console.log(`legacy data directory written to ${out}`);
