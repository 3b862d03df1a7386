// `npm run audit` end to end: a real service on PostgreSQL (the audit runs beside it as a
// second process, which PGlite cannot allow) and on the real local chain, records submitted
// over HTTP and anchored; then the database is tampered with in fourteen ways, one at a time
// and reverted after, and the audit must name the batch and the record every time. The
// audit pins the notary profile: a batch row naming another contract or chain is a finding,
// and an endpoint that is not the profile's chain and contract (a look-alike chain with the
// same chain id and contract address included) decides nothing. An erased record is listed
// with its erasure's anchor; content removed by hand, or an erasure statement edited, is
// tampering.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../../service/audit/run-audit.ts";
import { fromHex } from "../../service/core/hex.ts";
import { hashLeaf, newSalt } from "../../service/core/leaf.ts";
import { formatFingerprint, notaryFingerprint } from "../../service/core/notary-profile.ts";
import { forPostgres } from "../helpers/databases.ts";
import { startLookAlikeChain } from "../helpers/look-alike-chain.ts";
import { closedPort, runScript, type ScriptRun } from "../helpers/processes.ts";
import { startTestService, type TestService } from "../helpers/service.ts";

const AUDIT = "scripts/audit.ts";

interface StoredRow {
  id: string;
  index: number;
  digest: Uint8Array;
  salt: Uint8Array;
  leaf: Uint8Array;
  receivedAt: Date;
  seq: number;
  leafIndex: number;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

forPostgres((target) => {
  let s: TestService;
  let env: Record<string, string | undefined>;
  let batch: number;
  let batchRoot: Uint8Array;
  let batchTx: Uint8Array;
  let rows: StoredRow[];
  let reportPath: string;

  const audit = async (...args: string[]): Promise<ScriptRun & { report: AuditReport }> => {
    const run = await runScript(AUDIT, ["--rpc", s.service.chainUrl, "--json", reportPath, ...args], env);
    if (run.code === 2) throw new Error(`audit could not run:\n${run.stderr}`);
    return { ...run, report: JSON.parse(await readFile(reportPath, "utf8")) as AuditReport };
  };
  const row = (i: number) => rows[i] as StoredRow;
  const sql = (text: string, params: unknown[]) => s.database.db.query(text, params);

  beforeAll(async () => {
    s = await startTestService(target);
    reportPath = join(s.dataDir, "audit.json");
    env = {
      DATABASE_URL: s.database.url,
      DATA_DIR: s.dataDir,
      CHAIN_RPC_URL: undefined,
      ANCHOR_CONTRACT: undefined,
      NOTARY_PROFILE: undefined,
    };
    for (const [prefix, count] of [
      ["a", 6],
      ["b", 3],
    ] as const) {
      const records = Array.from({ length: count }, (_, i) => ({
        id: `${prefix}-${i}`,
        record: { prefix, i },
      }));
      const res = await s.call("POST", "/v1/records/batch", { key: s.keys.submitter, body: { records } });
      expect(res.status).toBe(202);
      const proof = await s.call("GET", `/v1/records/${prefix}-${count - 1}/proof?wait=20`, {
        key: s.keys.reader,
      });
      expect(proof.status).toBe(200);
    }
    await until("every batch anchored", async () => {
      const [n] = await sql(
        `SELECT (SELECT count(*) FROM batches WHERE state <> 'anchored')
           + (SELECT next_index FROM log_state) - (SELECT coalesce(max(first_index + size), 0) FROM batches) AS n`,
        [],
      );
      return (n as { n: number }).n === 0;
    });
    rows = await s.database.db.query<StoredRow>(
      `SELECT e.id, e.idx AS "index", e.digest, e.salt, e.leaf, e.received_at AS "receivedAt", b.seq,
         e.idx - b.first_index AS "leafIndex"
       FROM batches b JOIN entries e ON e.idx >= b.first_index AND e.idx < b.first_index + b.size
       WHERE b.first_index <= (SELECT idx FROM entry_ids WHERE id = 'a-0')
         AND b.first_index + b.size > (SELECT idx FROM entry_ids WHERE id = 'a-0')
       ORDER BY e.idx`,
    );
    batch = row(0).seq;
    const [stored] = await sql('SELECT root, tx_hash AS "txHash" FROM batches WHERE seq = $1', [batch]);
    ({ root: batchRoot, txHash: batchTx } = stored as { root: Uint8Array; txHash: Uint8Array });
    expect(rows.length).toBeGreaterThanOrEqual(4);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("finds nothing in an untouched ledger and exits 0, with a summary and a JSON report", async () => {
    const run = await audit();
    expect(run.stdout).toMatch(/RESULT: CLEAN/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/audit: \d+\/\d+ batches/); // plain progress lines: not a terminal
    expect(run.report).toMatchObject({
      ok: true,
      findings: [],
      chain: { contract: s.service.contract, chainId: s.service.chainId },
      totals: { records: 9 },
    });
    expect(run.report.totals.batches).toBe(run.report.chain.nextSeq);

    const sampled = await audit("--sample", "1", "--seed", "42");
    expect(sampled.code).toBe(0);
    expect(sampled.report.scope).toMatchObject({ sample: 1, seed: 42, batches: 1 });
  });

  it("lists an erased record with its erasure's anchor, and finds nothing; content removed by hand or a statement edited is tampering", async () => {
    const id = "erase-me";
    const ack = await s.call("POST", "/v1/records", { key: s.keys.submitter, body: { id, record: { id } } });
    expect(ack.status).toBe(202);
    const proof = await s.call("GET", `/v1/records/${id}/proof?wait=20`, { key: s.keys.reader });
    const erased = await s.call("POST", `/v1/records/${id}/erasure`, {
      key: s.keys.eraser,
      body: { reason: "asked", reference: "DSR-77" },
    });
    expect(erased.status).toBe(200);
    const erasure = await s.call("GET", `/v1/records/${id}/erasure?wait=20`, { key: s.keys.reader });
    expect(erasure.json.anchoring).toBe("anchored");
    const { bundle } = erasure.json;

    const lawful = await audit();
    expect(lawful.code, lawful.stdout).toBe(0);
    expect(lawful.report).toMatchObject({
      ok: true,
      findings: [],
      totals: { erased: 1 },
      erased: [
        {
          seq: proof.json.batch,
          recordId: id,
          leafIndex: proof.json.leafIndex,
          erasedAt: erased.json.erasedAt,
          reference: "DSR-77",
          erasure: { seq: bundle.batch, anchored: true, txHash: bundle.anchor.txHash },
        },
      ],
    });
    expect(lawful.stdout).toMatch(/Erased records .*: 1\./);
    expect(lawful.stdout).toContain(
      `record ${id} [batch ${proof.json.batch}, leaf ${proof.json.leafIndex}] erased ${erased.json.erasedAt} under "DSR-77"; erasure anchored in batch ${bundle.batch}, tx ${bundle.anchor.txHash}`,
    );

    // A salt deleted by hand, with no erasure: tampering.
    await sql("UPDATE entries SET salt = NULL WHERE id = $1", [row(2).id]);
    let byHand: Awaited<ReturnType<typeof audit>>;
    try {
      byHand = await audit();
    } finally {
      await sql("UPDATE entries SET salt = $2 WHERE id = $1", [row(2).id, row(2).salt]);
    }
    expect(byHand.code).toBe(1);
    expect(byHand.report.findings).toEqual([
      expect.objectContaining({ kind: "content_missing", seq: batch, recordId: row(2).id }),
    ]);
    expect(byHand.stdout).toMatch(new RegExp(`content_missing \\[batch ${batch}, record ${row(2).id}`));

    // The erasure's statement edited (another reference): it no longer matches its entry.
    const edit = (from: string, to: string) =>
      sql("UPDATE erasures SET statement = replace(statement, $1, $2)", [from, to]);
    await edit("DSR-77", "DSR-78");
    let edited: Awaited<ReturnType<typeof audit>>;
    try {
      edited = await audit();
    } finally {
      await edit("DSR-78", "DSR-77");
    }
    expect(edited.code).toBe(1);
    expect(edited.report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "erasure_mismatch", seq: proof.json.batch, recordId: id }),
        expect.objectContaining({ kind: "erasure_mismatch", seq: bundle.batch, recordId: `erasure:${id}` }),
      ]),
    );
    expect((await audit()).code).toBe(0);
  });

  const insertEntry = (r: StoredRow) =>
    sql("INSERT INTO entries (idx, id, digest, salt, leaf, received_at) VALUES ($1, $2, $3, $4, $5, $6)", [
      r.index,
      r.id,
      r.digest,
      r.salt,
      r.leaf,
      r.receivedAt,
    ]);
  const forged = (index: number, id: string): StoredRow => {
    const digest = new Uint8Array(32).fill(5);
    const salt = newSalt();
    return { ...row(0), index, id, digest, salt, leaf: hashLeaf(salt, digest) };
  };

  const tampers: Array<{
    name: string;
    apply: () => Promise<unknown>;
    revert: () => Promise<unknown>;
    /** Audit only the tampered batch (--from/--to). */
    rangeOnly?: boolean;
    /** The finding names no batch (an entry outside every batch). */
    outsideBatches?: boolean;
    expect: () => Array<Record<string, unknown>>;
  }> = [
    {
      name: "a changed digest",
      apply: () =>
        sql("UPDATE entries SET digest = $2 WHERE id = $1", [row(1).id, new Uint8Array(32).fill(7)]),
      revert: () => sql("UPDATE entries SET digest = $2 WHERE id = $1", [row(1).id, row(1).digest]),
      expect: () => [{ kind: "leaf_mismatch", seq: batch, recordId: row(1).id }],
    },
    {
      name: "a changed salt",
      apply: () => sql("UPDATE entries SET salt = $2 WHERE id = $1", [row(2).id, newSalt()]),
      revert: () => sql("UPDATE entries SET salt = $2 WHERE id = $1", [row(2).id, row(2).salt]),
      expect: () => [{ kind: "leaf_mismatch", seq: batch, recordId: row(2).id }],
    },
    {
      name: "a changed leaf",
      apply: () => sql("UPDATE entries SET leaf = $2 WHERE id = $1", [row(0).id, new Uint8Array(32).fill(9)]),
      revert: () => sql("UPDATE entries SET leaf = $2 WHERE id = $1", [row(0).id, row(0).leaf]),
      expect: () => [
        { kind: "leaf_mismatch", seq: batch, recordId: row(0).id },
        { kind: "tree_leaf_mismatch", seq: batch, recordId: row(0).id },
        { kind: "root_mismatch", seq: batch },
      ],
    },
    {
      name: "a deleted record",
      apply: () => sql("DELETE FROM entries WHERE idx = $1", [row(3).index]),
      revert: () => insertEntry(row(3)),
      // The entry is gone, so the record is named by its place in the batch.
      expect: () => [{ kind: "record_missing", seq: batch, leafIndex: 3 }],
    },
    {
      name: "a record replaced by a consistent forgery",
      apply: async () => {
        await sql("DELETE FROM entries WHERE idx = $1", [row(3).index]);
        await insertEntry(forged(row(3).index, "forged-1"));
      },
      revert: async () => {
        await sql("DELETE FROM entries WHERE idx = $1", [row(3).index]);
        await insertEntry(row(3));
      },
      expect: () => [
        { kind: "tree_leaf_mismatch", seq: batch, recordId: "forged-1", leafIndex: 3 },
        { kind: "root_mismatch", seq: batch },
      ],
    },
    {
      name: "a record inserted past the end of the log",
      apply: async () => {
        const [log] = await sql("SELECT next_index AS n FROM log_state", []);
        await insertEntry(forged((log as { n: number }).n + 5, "forged-2"));
      },
      revert: () => sql("DELETE FROM entries WHERE id = 'forged-2'", []),
      outsideBatches: true,
      expect: () => [{ kind: "record_unexpected", seq: null, recordId: "forged-2" }],
    },
    {
      name: "two leaves swapped",
      apply: () => swapIndexes(row(0), row(3)),
      revert: () => swapIndexes(row(0), row(3)),
      expect: () => [
        { kind: "tree_leaf_mismatch", seq: batch, recordId: row(0).id, leafIndex: 3 },
        { kind: "tree_leaf_mismatch", seq: batch, recordId: row(3).id, leafIndex: 0 },
        { kind: "root_mismatch", seq: batch },
      ],
    },
    {
      name: "a batch moved to another range of the log",
      apply: () => sql("UPDATE batches SET first_index = first_index + 1 WHERE seq = $1", [batch]),
      revert: () => sql("UPDATE batches SET first_index = first_index - 1 WHERE seq = $1", [batch]),
      expect: () => [
        { kind: "batch_range_mismatch", seq: batch },
        { kind: "root_mismatch", seq: batch },
      ],
    },
    {
      name: "a batch row naming another contract than the notary profile's",
      apply: () =>
        sql("UPDATE batches SET contract = $2 WHERE seq = $1", [batch, fromHex(`0x${"5a".repeat(20)}`)]),
      revert: () =>
        sql("UPDATE batches SET contract = $2 WHERE seq = $1", [batch, fromHex(s.service.notary.contract)]),
      expect: () => [
        {
          kind: "anchor_elsewhere",
          seq: batch,
          expected: `${s.service.notary.contract}@${s.service.notary.chainId}`,
          actual: `0x${"5a".repeat(20)}@${s.service.notary.chainId}`,
        },
      ],
    },
    {
      name: "a batch row naming another chain id than the notary profile's",
      apply: () => sql("UPDATE batches SET chain_id = 1 WHERE seq = $1", [batch]),
      revert: () => sql("UPDATE batches SET chain_id = $2 WHERE seq = $1", [batch, s.service.notary.chainId]),
      expect: () => [{ kind: "anchor_elsewhere", seq: batch, actual: `${s.service.notary.contract}@1` }],
    },
    {
      name: "a batch row naming a transaction the chain does not have",
      apply: () => sql("UPDATE batches SET tx_hash = $2 WHERE seq = $1", [batch, newSalt()]),
      revert: () => sql("UPDATE batches SET tx_hash = $2 WHERE seq = $1", [batch, batchTx]),
      expect: () => [{ kind: "anchor_tx_mismatch", seq: batch, actual: "no such transaction" }],
    },
    {
      name: "a batch row naming another block than the anchor's",
      apply: () => sql("UPDATE batches SET block_number = block_number + 1 WHERE seq = $1", [batch]),
      revert: () => sql("UPDATE batches SET block_number = block_number - 1 WHERE seq = $1", [batch]),
      expect: () => [{ kind: "anchor_block_mismatch", seq: batch }],
    },
    {
      name: "a batch row with another block timestamp than the anchor's",
      apply: () => sql("UPDATE batches SET block_timestamp = block_timestamp + 3600 WHERE seq = $1", [batch]),
      revert: () =>
        sql("UPDATE batches SET block_timestamp = block_timestamp - 3600 WHERE seq = $1", [batch]),
      expect: () => [{ kind: "anchor_block_mismatch", seq: batch }],
    },
    {
      name: "a batch root edited",
      apply: () => sql("UPDATE batches SET root = $2 WHERE seq = $1", [batch, new Uint8Array(32).fill(3)]),
      revert: () => sql("UPDATE batches SET root = $2 WHERE seq = $1", [batch, batchRoot]),
      rangeOnly: true,
      expect: () => [
        { kind: "root_mismatch", seq: batch },
        { kind: "anchor_root_mismatch", seq: batch },
      ],
    },
  ];

  /** Swaps two entries' places in the log (through a free index: the index is the primary key). */
  async function swapIndexes(a: StoredRow, b: StoredRow): Promise<void> {
    await s.database.db.transaction(async (tx) => {
      const [free] = await tx.query<{ n: number }>("SELECT next_index + 100 AS n FROM log_state");
      const parked = (free as { n: number }).n;
      const [ia, ib] = await Promise.all(
        [a, b].map(async ({ id }) => {
          const [r] = await tx.query<{ i: number }>('SELECT idx AS "i" FROM entries WHERE id = $1', [id]);
          return (r as { i: number }).i;
        }),
      );
      await tx.query("UPDATE entries SET idx = $2 WHERE id = $1", [a.id, parked]);
      await tx.query("UPDATE entries SET idx = $2 WHERE id = $1", [b.id, ia]);
      await tx.query("UPDATE entries SET idx = $2 WHERE id = $1", [a.id, ib]);
    });
  }

  for (const tamper of tampers) {
    it(`reports ${tamper.name}, naming its batch and record, and exits 1`, async () => {
      await tamper.apply();
      let run: Awaited<ReturnType<typeof audit>>;
      try {
        run = await audit(...(tamper.rangeOnly ? ["--from", String(batch), "--to", String(batch)] : []));
      } finally {
        await tamper.revert();
      }
      expect(run.code, run.stdout).toBe(1);
      expect(run.report.ok).toBe(false);
      for (const expected of tamper.expect()) {
        expect(run.report.findings).toContainEqual(expect.objectContaining(expected));
      }
      expect(run.stdout).toMatch(/RESULT: FINDINGS/);
      if (!tamper.outsideBatches) expect(run.stdout).toContain(`batch ${batch}`);
      const named = tamper.expect().find((e) => typeof e.recordId === "string")?.recordId;
      if (typeof named === "string") expect(run.stdout).toContain(`record ${named}`);
      if (tamper.rangeOnly) expect(run.report.scope).toMatchObject({ from: batch, to: batch, batches: 1 });
    });
  }

  it("finds nothing again once every tampering is reverted", async () => {
    const run = await audit();
    expect(run.report.findings).toEqual([]);
    expect(run.code).toBe(0);
  });

  describe("the notary profile it pins", () => {
    const profilePath = () => join(s.dataDir, "notary.json");
    const fingerprint = () => formatFingerprint(notaryFingerprint(s.service.notary));

    it("pins --notary, names the notary and its fingerprint, and audits its contract on its chain", async () => {
      const run = await audit("--notary", profilePath());
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Notary: ${s.service.notary.name}\n  profile ${profilePath()}\n`);
      expect(run.stdout).toContain(`fingerprint ${fingerprint()}`);
      expect(run.report).toMatchObject({
        notary: { name: s.service.notary.name, fingerprint: notaryFingerprint(s.service.notary) },
        chain: { chainId: s.service.notary.chainId, contract: s.service.notary.contract },
      });
    });

    it("without --notary, pins NOTARY_PROFILE, else DATA_DIR/notary.json, and says so", async () => {
      const fromDataDir = await audit();
      expect(fromDataDir.stdout).toContain(
        `profile ${profilePath()} (NOTARY_PROFILE or DATA_DIR's, since no --notary was given)`,
      );
      const copy = join(s.dataDir, "pinned-notary.json");
      await writeFile(copy, JSON.stringify(s.service.notary));
      const run = await runScript(AUDIT, ["--rpc", s.service.chainUrl], { ...env, NOTARY_PROFILE: copy });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`profile ${copy} (NOTARY_PROFILE or DATA_DIR's`);
    });

    it("with no profile at all, decides nothing: exit 2", async () => {
      const missing = join(s.dataDir, "no-such-notary.json");
      const run = await runScript(AUDIT, ["--rpc", s.service.chainUrl], { ...env, NOTARY_PROFILE: missing });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /audit could not run \(nothing was decided\): no trusted notary profile given: pass --notary <notary.json>/,
      );
      expect(run.stdout).toBe("");
      const given = await runScript(AUDIT, ["--rpc", s.service.chainUrl, "--notary", missing], env);
      expect(given).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/no-such-notary.json: no such file/),
      });
    });

    it("refuses a file that is not a notary profile: exit 2", async () => {
      const bad = join(s.dataDir, "bad-notary.json");
      await writeFile(bad, JSON.stringify({ ...s.service.notary, chainId: "31337" }));
      const run = await runScript(AUDIT, ["--rpc", s.service.chainUrl, "--notary", bad], env);
      expect(run).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/bad-notary.json is invalid: .*\/chainId/),
      });
    });

    it("decides nothing when the chain does not hold the profile's contract code: exit 2", async () => {
      const other = join(s.dataDir, "other-code-notary.json");
      await writeFile(other, JSON.stringify({ ...s.service.notary, codeHash: `0x${"ab".repeat(32)}` }));
      const run = await runScript(AUDIT, ["--rpc", s.service.chainUrl, "--notary", other], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /is not the notary .*'s chain and contract as its profile pins them: the code at 0x/,
      );
    });

    it("decides nothing on a look-alike chain (same chain id, contract address and code): exit 2, naming the genesis", async () => {
      const lookAlike = await startLookAlikeChain(s.dataDir);
      try {
        expect(lookAlike.chain.deployment).toMatchObject({
          chainId: s.service.chainId,
          contract: s.service.contract,
        });
        const run = await runScript(AUDIT, ["--rpc", lookAlike.chain.url], env);
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(
          /another chain with the same chain id: its genesis block is not the notary/,
        );
        expect(run.stderr).toContain(`found genesis ${lookAlike.chain.notary.genesisHash}`);
        // …and the look-alike's own profile, against the service's chain, the same.
        const theirs = join(lookAlike.dataDir, "notary.json");
        const swapped = await runScript(AUDIT, ["--rpc", s.service.chainUrl, "--notary", theirs], env);
        expect(swapped.code).toBe(2);
        expect(swapped.stderr).toMatch(/its genesis block is not the notary "Look-alike notary"/);
      } finally {
        await lookAlike.stop();
      }
    });
  });

  describe("usage and I/O errors exit 2, deciding nothing", () => {
    it("rejects a bad option", async () => {
      const run = await runScript(AUDIT, ["--from", "x"], env);
      expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/--from must be an integer/) });
    });

    it("says so when the chain cannot be reached", async () => {
      const run = await runScript(AUDIT, ["--rpc", `http://127.0.0.1:${await closedPort()}`], env);
      expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/could not read the chain/) });
    });

    it("says so when the database cannot be reached", async () => {
      const url = `postgres://postgres@127.0.0.1:${await closedPort()}/test`;
      const run = await runScript(AUDIT, ["--rpc", s.service.chainUrl], { ...env, DATABASE_URL: url });
      expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot reach the database/) });
    });
  });
});
