// The only place that wires real dependencies together. `npm start` runs this file.
//
//   startService(config) -> local chain (unless CHAIN_RPC_URL) -> database + migrations ->
//   admin key -> HTTP app -> leader election (batcher + anchorer) -> listen
//
// SIGTERM/SIGINT drain: stop taking requests, let in-flight requests and their commits
// finish, stop sealing/anchoring after the current step, close the database, exit 0.
import { join } from "node:path";
import { JsonRpcProvider, Wallet } from "ethers";
import { Anchorer } from "./anchorer/anchorer.ts";
import { AnchoringHealth } from "./anchorer/anchoring-health.ts";
import { readAnchoringStatus } from "./anchorer/anchoring-status.ts";
import { countStep } from "./anchorer/step-metrics.ts";
import { Batcher } from "./batcher/batcher.ts";
import { AnchorClient } from "./chain/anchor-client.ts";
import { createChainReader } from "./chain/chain-reader.ts";
import { readDeployment } from "./chain/deployment.ts";
import { readKey, readOrCreateKey } from "./chain/key-file.ts";
import { notaryProfilePath } from "./chain/notary-file.ts";
import { loadServiceNotary } from "./chain/service-notary.ts";
import { type Config, ConfigError, loadDotEnv, parseConfig, redactUrl } from "./config.ts";
import type { Hex } from "./core/hex.ts";
import { formatFingerprint, type NotaryProfile, notaryFingerprint } from "./core/notary-profile.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { countPending } from "./db/log.ts";
import { migrate } from "./db/migrate.ts";
import { ensurePartitionsAhead } from "./db/partitions.ts";
import { buildApp } from "./http/app.ts";
import { Ingestor } from "./ingest/ingestor.ts";
import { ApiKeyAuthenticator, ensureAdminKey } from "./keys/api-keys.ts";
import { Leader } from "./leader.ts";
import type { JournalFaults } from "./local-chain/journal.ts";
import { type LocalChain, startLocalChain } from "./local-chain/local-chain.ts";
import { createMetrics } from "./metrics.ts";

export interface RunningService {
  url: string;
  chainUrl: string;
  contract: Hex;
  chainId: number;
  /** The notary profile the service pins and serves at GET /v1/notary. */
  notary: NotaryProfile;
  /** Set on the first start only: the admin key that was created (also in DATA_DIR/admin.key). */
  adminKey: string | undefined;
  leader: Leader;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Fastify/pino logger option; false silences the service (tests). */
  logger?: boolean | { level: string; stream?: { write(line: string): void } };
  /** Where start-up lines go. */
  print?: (line: string) => void;
  /** An already open database to use instead of opening one from the config; the caller closes it. */
  database?: Database;
  /** Fault injection for tests, passed to the in-process local chain. */
  journalFaults?: JournalFaults;
}

interface ChainSetup {
  rpcUrl: string;
  chainId: number;
  contract: Hex;
  wallet: Wallet;
  /** The notary profile the service pins (DATA_DIR/notary.json). */
  notary: NotaryProfile;
  local: LocalChain | undefined;
}

async function setUpChain(
  config: Config,
  print: (line: string) => void,
  journalFaults: JournalFaults | undefined,
): Promise<ChainSetup> {
  if (config.chainRpcUrl === undefined) {
    const wallet = config.anchorPrivateKey
      ? new Wallet(config.anchorPrivateKey)
      : await readOrCreateKey(config.anchorKeyFile);
    const local = await startLocalChain({
      dataDir: config.dataDir,
      port: config.chainPort,
      host: config.chainHost,
      keyFile: config.anchorKeyFile,
      allowedSenders: [...config.chainAllowedSenders, wallet.address],
      log: print,
      journalFaults,
    });
    return {
      rpcUrl: local.url,
      chainId: local.deployment.chainId,
      contract: local.deployment.contract,
      wallet,
      notary: local.notary,
      local,
    };
  }
  const deployment = await readDeployment(config.dataDir);
  const contract = config.anchorContract ?? deployment?.contract;
  if (contract === undefined) {
    throw new ConfigError([
      `ANCHOR_CONTRACT is required with CHAIN_RPC_URL (no deployment record in ${config.dataDir}/chain)`,
    ]);
  }
  let wallet: Wallet;
  if (config.anchorPrivateKey) wallet = new Wallet(config.anchorPrivateKey);
  else {
    try {
      wallet = await readKey(config.anchorKeyFile);
    } catch (error) {
      throw new ConfigError([
        `set ANCHOR_PRIVATE_KEY, or put the anchoring key in ${config.anchorKeyFile} (ANCHOR_KEY_FILE): ${(error as Error).message}`,
      ]);
    }
  }
  const probe = new JsonRpcProvider(config.chainRpcUrl);
  try {
    const chainId = deployment?.chainId ?? Number((await probe.getNetwork()).chainId);
    const notary = await loadServiceNotary({
      path: config.notaryProfileFile,
      rpcUrl: config.chainRpcUrl,
      chainId,
      contract,
      deployment,
      log: print,
    });
    return { rpcUrl: config.chainRpcUrl, chainId, contract, wallet, notary, local: undefined };
  } finally {
    probe.destroy();
  }
}

export async function startService(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const print = options.print ?? (() => {});
  const chain = await setUpChain(config, print, options.journalFaults);
  const ownsDatabase = options.database === undefined;
  const db =
    options.database ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  try {
    await migrate(db);
  } catch (error) {
    if (ownsDatabase) await db.close();
    await chain.local?.close();
    throw error;
  }
  await ensurePartitionsAhead(db);
  const adminKey = await ensureAdminKey(db, config.dataDir);

  let batcher: Batcher | undefined;
  const ingestor: Ingestor = new Ingestor({
    db,
    queueLimit: config.ingestQueueLimit,
    onCommitted: (created) => {
      metrics.recordsIngested.inc(created);
      pendingSinceSeal += created;
      if (pendingSinceSeal >= config.maxBatch) batcher?.poke();
    },
  });
  let pendingSinceSeal = 0;
  // The leader's anchorer reports here; /readyz and /metrics read it, with the database.
  const health = new AnchoringHealth();
  let leading = () => false;
  const anchoringStatus = readAnchoringStatus(db, health, () => leading(), config.anchorStallMs);
  const metrics = createMetrics({
    ingestQueueDepth: () => ingestor.depth,
    pendingRecords: () => countPending(db),
    anchoringStatus,
  });

  const provider = new JsonRpcProvider(chain.rpcUrl, chain.chainId, {
    staticNetwork: true,
    batchMaxCount: 1,
    pollingInterval: 100,
    // ethers caches identical calls for 250 ms by default; a cached nonce or block number
    // would make the anchorer reuse a nonce or miss a confirmation.
    cacheTimeout: -1,
  });
  const client = new AnchorClient(provider, chain.contract, chain.chainId, chain.wallet);
  const chainReader = createChainReader(chain.rpcUrl, chain.chainId);

  const { app, beginClose } = await buildApp(
    {
      db,
      ingestor,
      authenticator: new ApiKeyAuthenticator(db),
      metrics,
      config,
      chain: { reader: chainReader, notary: chain.notary, rpcUrl: chain.rpcUrl },
      anchoringStatus,
    },
    { logger: options.logger ?? { level: config.logLevel } },
  );
  const log = app.log;
  // Fail-stop (local-chain/journaled-chain.ts): /readyz reports the chain down from then on.
  void chain.local?.stopped.then((error) => {
    metrics.errors.inc({ component: "local-chain", code: "journal_failed" });
    log.error(`${error.message} (restart the service to recover)`);
  });

  const leader = new Leader({
    db,
    log,
    makeWork: async () => {
      let anchorer: Anchorer | undefined;
      const sealer = new Batcher({
        db,
        maxBatch: config.maxBatch,
        intervalMs: config.batchIntervalMs,
        log,
        onSealed: (batch) => {
          pendingSinceSeal = 0;
          metrics.batchSize.observe(batch.size);
          metrics.batchesSealed.inc();
          anchorer?.poke();
        },
        onError: () => metrics.errors.inc({ component: "batcher", code: "seal_failed" }),
      });
      anchorer = new Anchorer({
        db,
        client,
        confirmations: config.confirmations,
        timeoutMs: config.anchorTimeoutMs,
        idleMs: config.batchIntervalMs,
        log,
        trustedNotary: chain.notary,
        health,
        onStep: (outcome) => countStep(metrics, outcome),
      });
      batcher = sealer;
      const work = anchorer;
      return {
        start: () => {
          sealer.start();
          work.start();
        },
        stop: async () => {
          batcher = undefined;
          await sealer.stop();
          await work.stop();
        },
      };
    },
  });
  leading = () => leader.isLeader;
  leader.start();

  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

  print(`Evidence Notary listening on ${url}`);
  print(`  API docs (OpenAPI):  ${url}/docs`);
  print(`  metrics:             ${url}/metrics`);
  print(
    `  database:            ${config.databaseUrl ? redactUrl(config.databaseUrl) : `PGlite in ${join(config.dataDir, "pglite")}`}`,
  );
  print(`  chain:               ${chain.rpcUrl} (chain id ${chain.chainId}${chain.local ? ", local" : ""})`);
  print(`  EvidenceAnchor:      ${chain.contract}`);
  print(
    `  notary:              ${chain.notary.name} (${chain.local ? notaryProfilePath(config.dataDir) : config.notaryProfileFile}, GET /v1/notary)`,
  );
  print(`  notary fingerprint:  ${formatFingerprint(notaryFingerprint(chain.notary))}`);
  print(`  anchoring account:   ${chain.wallet.address}`);
  if (adminKey !== undefined) {
    print(`  admin API key (shown once, also saved to ${join(config.dataDir, "admin.key")}):`);
    print(`    ${adminKey}`);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      beginClose();
      await app.close();
      await ingestor.drain();
      await leader.stop();
      chainReader.destroy();
      provider.destroy();
      if (ownsDatabase) await db.close();
      await chain.local?.close();
    })();
    return stopping;
  };

  return {
    url,
    chainUrl: chain.rpcUrl,
    contract: chain.contract,
    chainId: chain.chainId,
    notary: chain.notary,
    adminKey,
    leader,
    stop,
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = parseConfig(process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  let service: RunningService;
  try {
    service = await startService(config, { print: (line) => console.log(line) });
  } catch (error) {
    console.error(`Evidence Notary failed to start: ${(error as Error).message}`);
    process.exit(1);
  }
  const shutdown = (signal: string) => {
    console.log(`${signal}: draining (no new requests; finishing in-flight commits)`);
    service.stop().then(
      () => {
        console.log("stopped cleanly");
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

if (import.meta.main) await main();
