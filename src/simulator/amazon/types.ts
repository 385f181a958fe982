import type { EventEmitter } from 'node:events';
import type { FaultInjector } from './faults.ts';
import type { Prng } from './prng.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { SimRegion } from './marketplaces.ts';
import type { CatalogItem, OrderGenerator, ScenarioOptions } from './scenario.ts';

/**
 * The simulator's shared types, a leaf: the parts of the simulator that `SimulatorState` builds (documents,
 * listings, notifications, FBA stock, the HTTP helpers) depend on `SimulatorContext`, not on state.ts, so no
 * import circle runs through the state.
 */

/** One request/response pair, recorded for the conformance suite (never logged: bodies may hold fake PII). */
export interface Exchange {
  /** `sp-api` for model operations, `lwa`, `sqs`, `document` (presigned URLs), `control`, or `unknown`. */
  readonly kind: 'sp-api' | 'lwa' | 'sqs' | 'document' | 'unknown';
  /** `<api>.<operationId>` for sp-api exchanges. */
  readonly operation?: string;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly requestHeaders: Readonly<Record<string, string | string[] | undefined>>;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, unknown>>;
  /** Parsed JSON when the response is JSON, else the text (or undefined for binary/empty). */
  readonly responseBody: unknown;
}

export interface SimSeller {
  readonly sellerId: string;
  readonly refreshToken: string;
  readonly marketplaceIds: readonly string[];
  /**
   * The region the seller authorized the application in (a seller authorizes per region): its calls are answered
   * at that region's endpoint only. Default: the region of its first marketplace.
   */
  readonly region?: SimRegion;
  /** This seller's usage plans where they differ from the defaults (Amazon's dynamic usage plans are per seller). */
  readonly usagePlans?: Readonly<Record<string, { readonly rate?: number; readonly burst?: number }>>;
}

export interface SimulatorOptions {
  /** Seed for every random choice (orders, ids, probabilistic faults). Default 1. */
  readonly seed?: number | string;
  /** Simulated seconds per real second, for rate limits and processing delays. Default 1. */
  readonly timeScale?: number;
  /** Enforce usage plans (429 when a bucket is empty). Default true. */
  readonly limits?: boolean;
  /** Per-operation overrides of Amazon's default plans, e.g. `{ 'orders.getOrder': { rate: 5, burst: 10 } }` (a seller with a raised plan). */
  readonly usagePlans?: Readonly<Record<string, { readonly rate?: number; readonly burst?: number }>>;
  /** Sellers (refresh token -> seller id). Default: one seller `A1SIMSELLER0001` with refresh token `Atzr|sim-refresh-token`. */
  readonly sellers?: readonly SimSeller[];
  /** When set, LWA checks client id and secret; otherwise any non-empty pair is accepted. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Reject refresh tokens that are not in `sellers` (default false: unknown tokens act for the first seller). */
  readonly strictRefreshTokens?: boolean;
  /** Access-token lifetime reported in `expires_in` and enforced (real seconds). Default 3600. */
  readonly tokenLifetimeSeconds?: number;
  /** Status for an expired access token. Amazon answers 403 Unauthorized; 401 is the default here so clients can test refresh-on-401. */
  readonly expiredTokenStatus?: 401 | 403;
  /** Orders generated per seller at start. Default 0. */
  readonly orders?: number;
  /** Scenario generator settings (SKUs to draw from, rates of unknown SKUs, AFN, business orders...). */
  readonly scenario?: Omit<ScenarioOptions, 'sellerId'>;
  /** Simulated milliseconds a feed or report takes to process. Default 60 000 (1 simulated minute). */
  readonly processingDelayMs?: number;
  /** Where Amazon's models live (for JSON_LISTINGS_FEED validation). Default `../shared/sp-api-models` beside the repo. */
  readonly modelsDir?: string;
  /** EventBridge destinations are delivered as POSTs of the EventBridge envelope to this URL. */
  readonly eventBridgeWebhook?: { readonly url: string; readonly headers?: Readonly<Record<string, string>> };
  /** Called for every request the simulator answers. */
  readonly onExchange?: (exchange: Exchange) => void;
  /** Called for every notification document the simulator publishes (before transport faults). */
  readonly onNotification?: (notification: PublishedNotification) => void;
  /** Clock (epoch ms). Default Date.now. */
  readonly now?: () => number;
}

export interface PublishedNotification {
  readonly notificationType: string;
  readonly destinationId: string;
  readonly transport: 'sqs' | 'eventBridge';
  readonly document: Record<string, unknown>;
}

export type ProcessingStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';

export interface SimFeed {
  readonly feedId: string;
  readonly sellerId: string;
  readonly feedType: string;
  readonly marketplaceIds: readonly string[];
  readonly createdTime: string;
  readonly inputFeedDocumentId: string;
  processingStatus: ProcessingStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
}

export interface SimReport {
  readonly reportId: string;
  readonly sellerId: string;
  readonly reportType: string;
  readonly marketplaceIds: readonly string[];
  readonly createdTime: string;
  dataStartTime?: string;
  dataEndTime?: string;
  processingStatus: ProcessingStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  reportDocumentId?: string;
}

export interface AccessToken {
  readonly token: string;
  readonly kind: 'seller' | 'grantless' | 'rdt';
  readonly sellerId?: string;
  readonly clientId: string;
  readonly scope?: string;
  expiresAtMs: number;
}

/** What the simulator's parts read from the state they belong to (`SimulatorState` implements it). */
export interface SimulatorContext {
  readonly options: SimulatorOptions;
  readonly prng: Prng;
  readonly idPrng: Prng;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly events: EventEmitter;
  readonly sellers: readonly SimSeller[];
  readonly tokens: Map<string, AccessToken>;
  /** Resolvers of hung requests, released when the simulator closes. */
  readonly hung: Set<() => void>;
  readonly now: () => number;
  readonly closed: boolean;
  /** The usage plan in force for an operation (Amazon's default, or the `usagePlans` override). */
  plan(
    op: { readonly name: string; readonly rate: number; readonly burst: number },
    sellerId?: string,
  ): { rate: number; burst: number };
  /** The region a seller's calls are answered in. */
  regionOf(seller: SimSeller): SimRegion;
  /** Real milliseconds for a simulated duration. */
  scaled(simulatedMs: number): number;
  generator(sellerId?: string): OrderGenerator;
  catalogue(sellerId?: string): readonly CatalogItem[];
  requestId(): string;
}
