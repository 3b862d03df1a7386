// docs/deployment.md names environment variables, contract roles, log lines and the leader
// lock key. Each must exist in the code, so the document cannot silently drift from it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { LOCK_KEYS } from "../../service/db/database.ts";
import { REPO_ROOT } from "../helpers/processes.ts";

const read = (path: string) => readFile(join(REPO_ROOT, path), "utf8");
/** Upper-case words in the document that are SQL or signals, not settings. */
const NOT_SETTINGS = new Set(["INSERT", "COMMIT", "SIGTERM"]);

it("names only environment variables that service/config.ts reads, or the contract's roles", async () => {
  const doc = await read("docs/deployment.md");
  const config = await read("service/config.ts");
  const contract = await read("contracts/EvidenceAnchor.sol");
  const names = new Set([
    ...[...doc.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)].map((m) => m[1] as string),
    ...[...doc.matchAll(/^([A-Z][A-Z0-9_]{2,})=/gm)].map((m) => m[1] as string),
  ]);
  expect(names.size).toBeGreaterThan(10);
  const unknown = [...names].filter(
    (name) => !NOT_SETTINGS.has(name) && !config.includes(`"${name}"`) && !contract.includes(name),
  );
  expect(unknown).toEqual([]);
});

it("quotes the leader's log lines and lock key as the code has them", async () => {
  const doc = await read("docs/deployment.md");
  const leader = await read("service/leader.ts");
  for (const line of [
    "this process is now the leader: sealing and anchoring",
    "leader lock lost; stepping down",
  ]) {
    expect(doc).toContain(line);
    expect(leader).toContain(line);
  }
  expect(doc).toContain(`key \`0x${LOCK_KEYS.leader.toString(16)}\``);
  expect(leader).toContain("retryMs ?? 1000");
});
