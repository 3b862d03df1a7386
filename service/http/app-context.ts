// What every route module gets: the Fastify instance, the wired dependencies, and the
// auth preHandler factory. Route modules hold no state of their own.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyBaseLogger, FastifyInstance, preHandlerHookHandler, RawServerDefault } from "fastify";
import type { AnchoringStatus } from "../anchorer/anchoring-status.ts";
import type { NotaryProfile } from "../core/notary-profile.ts";
import type { ChainReader } from "../core/verify.ts";
import type { Database } from "../db/database.ts";
import type { BundleCache } from "../evidence/bundle-cache.ts";
import type { EvidenceReader } from "../evidence/record-evidence.ts";
import type { Ingestor } from "../ingest/ingestor.ts";
import type { ApiKeyAuthenticator } from "../keys/api-keys.ts";
import type { ServiceMetrics } from "../metrics.ts";
import type { RouteRoles } from "./auth.ts";
import type { BatchAnchoredSignal } from "./batch-anchored-signal.ts";

export interface HttpConfig {
  bodyLimitBytes: number;
  maxRecordsPerCall: number;
  /** Largest record, as JCS bytes, in either submission route. */
  maxRecordBytes: number;
  rateLimitPerMinute: number;
}

/** The chain this service anchors on, and the notary profile that pins it. */
export interface ChainAccess {
  /** Read-only chain access: POST /v1/verify, certificates, /readyz. */
  reader: ChainReader;
  /** This notary's profile (DATA_DIR/notary.json): every verification the service runs pins it. */
  notary: NotaryProfile;
  /** The JSON-RPC URL auditors should use (shown on the verification page). */
  rpcUrl: string;
}

export interface AppDeps {
  db: Database;
  ingestor: Ingestor;
  authenticator: ApiKeyAuthenticator;
  metrics: ServiceMetrics;
  config: HttpConfig;
  /** Undefined disables the chain checks (tests of other parts). */
  chain?: ChainAccess;
  /**
   * The anchoring state for /readyz (anchorer/anchoring-status.ts): not ready once anchoring
   * has made no progress for ANCHOR_STALL_MS. Undefined leaves anchoring out of /readyz.
   */
  anchoringStatus?: () => Promise<AnchoringStatus>;
  /** Anchored bundles kept in memory; the app makes one when none is given. */
  bundleCache?: BundleCache;
}

/** The Fastify app, typed from the TypeBox schemas: a route's body, params and query have the types its schema declares. */
export type NotaryApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppContext {
  app: NotaryApp;
  deps: AppDeps;
  auth: (roles: RouteRoles) => preHandlerHookHandler;
  /** True once shutdown has begun: long polls return early. */
  isClosing: () => boolean;
  /** Wakes long polls when a batch is anchored (or the app begins to close). */
  batchAnchored: BatchAnchoredSignal;
  /** Records' evidence, concurrent reads sharing one statement. */
  evidence: EvidenceReader;
  /** Anchored bundles as served, and `ready()`, which resolves once the cache hears of every change (call before using it). */
  bundles: { cache: BundleCache; ready(): Promise<void> };
}
