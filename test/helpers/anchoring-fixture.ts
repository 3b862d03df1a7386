// What the anchorStep tests share: a real local chain, its operator as the anchoring
// account, one database per suite, and helpers that put a batch in the states a crash, a
// timeout or an operator leaves behind. Call inside a suite; the hooks are registered there.
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type AnchorStepOptions, anchorStep, type StepOutcome } from "../../service/anchorer/anchor-step.ts";
import { sealBatch } from "../../service/batcher/seal-batch.ts";
import { AnchorClient, type AnchorTxOptions, type SignedAnchor } from "../../service/chain/anchor-client.ts";
import { readOrCreateKey } from "../../service/chain/key-file.ts";
import { fromHex, type Hex } from "../../service/core/hex.ts";
import { markSent } from "../../service/db/batches.ts";
import type { Database } from "../../service/db/database.ts";
import { appendEntries } from "../../service/db/log.ts";
import { newRecord } from "../db/bytes.ts";
import type { DatabaseTarget } from "./databases.ts";
import { startTestChain, type TestChain } from "./local-chain.ts";

export interface AnchoringFixture {
  readonly chain: TestChain;
  readonly client: AnchorClient;
  readonly db: Database;
  /** One anchorStep with CONFIRMATIONS 1 and a 5 s timeout, unless told otherwise. */
  step(options?: Partial<Omit<AnchorStepOptions, "db" | "client">>): Promise<StepOutcome>;
  /** Stores `count` pending records and seals them into the next batch. */
  sealRecords(count: number): Promise<{ seq: number; root: Hex; size: number }>;
  /** Signs this batch's anchor transaction and records it as sent, like the anchorer does. */
  signAndMarkSent(
    batch: { seq: number; root: Hex; size: number },
    options?: AnchorTxOptions,
  ): Promise<SignedAnchor>;
}

export function anchoringFixture(target: DatabaseTarget): AnchoringFixture {
  let chain: TestChain | undefined;
  let client: AnchorClient | undefined;
  let db: Database | undefined;
  let recordCount = 0;
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the anchoring fixture is used before beforeAll ran");
    return value;
  };

  beforeAll(async () => {
    chain = await startTestChain();
    const wallet = await readOrCreateKey(join(chain.dataDir, "anchorer.key"));
    const { contract, chainId } = chain.chain.deployment;
    client = new AnchorClient(chain.provider, contract, chainId, wallet);
    ({ db } = await target.create());
  });
  afterAll(async () => {
    await chain?.stop();
  });

  const fixture: AnchoringFixture = {
    get chain() {
      return ready(chain);
    },
    get client() {
      return ready(client);
    },
    get db() {
      return ready(db);
    },
    step: (options = {}) =>
      anchorStep({ db: fixture.db, client: fixture.client, confirmations: 1, timeoutMs: 5_000, ...options }),
    async sealRecords(count) {
      await appendEntries(
        fixture.db,
        Array.from({ length: count }, () => newRecord(`r-${recordCount++}`)),
      );
      const sealed = await sealBatch(fixture.db, 1000);
      if (sealed === null) throw new Error("nothing was sealed");
      return { seq: sealed.seq, root: sealed.root as Hex, size: sealed.size };
    },
    async signAndMarkSent(batch, options) {
      const { client } = fixture;
      const signed = await client.signAnchor(
        { seq: batch.seq, root: batch.root, treeSize: batch.size },
        options,
      );
      await markSent(fixture.db, batch.seq, {
        txHash: fromHex(signed.txHash),
        nonce: signed.nonce,
        chainId: client.chainId,
        contract: fromHex(client.contract),
      });
      return signed;
    },
  };
  return fixture;
}
