import { EventEmitter } from 'node:events';
import { createPrng, type Prng } from './prng.ts';
import { RateLimiter } from './rate-limiter.ts';
import { FaultInjector } from './faults.ts';
import {
  OrderGenerator,
  type CatalogItem,
  type FulfillmentStatus,
  type OrderOverrides,
  type ScenarioOptions,
  type SimOrder,
} from './scenario.ts';
import { DEFAULT_MARKETPLACE_ID } from './marketplaces.ts';
import { NotificationHub } from './notifications.ts';
import { DocumentStore } from './documents.ts';
import { ListingStore } from './listings.ts';
import { seedFbaStock, type FbaStock } from './fba-stock.ts';

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

export const DEFAULT_SELLER: SimSeller = {
  sellerId: 'A1SIMSELLER0001',
  refreshToken: 'Atzr|sim-refresh-token',
  marketplaceIds: [DEFAULT_MARKETPLACE_ID],
};
export { SIM_APPLICATION_ID } from './constants.ts';

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

export class SimulatorState {
  readonly options: SimulatorOptions;
  readonly prng: Prng;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly events = new EventEmitter();
  readonly sellers: SimSeller[];
  readonly tokens = new Map<string, AccessToken>();
  readonly orders = new Map<string, SimOrder>();
  readonly generators = new Map<string, OrderGenerator>();
  readonly now: () => number;
  /** Resolvers of hung requests, released when the simulator closes. */
  readonly hung = new Set<() => void>();
  readonly timers = new Set<NodeJS.Timeout>();
  readonly idPrng: Prng;
  readonly notifications: NotificationHub;
  readonly documents: DocumentStore;
  readonly listings: ListingStore;
  readonly feeds = new Map<string, SimFeed>();
  readonly reports = new Map<string, SimReport>();
  /** FBA stock per `${sellerId}\u0000${sku}` (getInventorySummaries). */
  readonly fbaStock: Map<string, FbaStock>;
  /** Whether feed processing reports are gzip-compressed (and flagged GZIP). */
  gzipFeedResults = false;
  #closed = false;

  constructor(options: SimulatorOptions = {}) {
    this.options = options;
    this.prng = createPrng(options.seed ?? 1);
    this.idPrng = this.prng.fork('ids');
    this.now = options.now ?? Date.now;
    this.limiter = new RateLimiter({
      timeScale: options.timeScale ?? 1,
      enabled: options.limits ?? true,
      now: this.now,
    });
    this.faults = new FaultInjector(this.prng.fork('faults'));
    this.sellers = [...(options.sellers?.length ? options.sellers : [DEFAULT_SELLER])];
    this.events.setMaxListeners(0);
    this.notifications = new NotificationHub(this);
    for (const seller of this.sellers) {
      const generator = new OrderGenerator(this.prng.fork(`orders:${seller.sellerId}`), {
        ...options.scenario,
        marketplaceIds: options.scenario?.marketplaceIds ?? seller.marketplaceIds,
        sellerId: seller.sellerId,
      });
      this.generators.set(seller.sellerId, generator);
      for (let i = 0; i < (options.orders ?? 0); i++) this.putOrder(generator.generate(this.now()));
    }
    this.documents = new DocumentStore(this);
    this.listings = new ListingStore(this);
    this.fbaStock = seedFbaStock(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get timeScale(): number {
    return this.limiter.timeScale;
  }

  /** The usage plan in force for an operation (Amazon's default, or the `usagePlans` override). */
  plan(op: { readonly name: string; readonly rate: number; readonly burst: number }): { rate: number; burst: number } {
    const override = this.options.usagePlans?.[op.name];
    return { rate: override?.rate ?? op.rate, burst: override?.burst ?? op.burst };
  }

  /** Real milliseconds for a simulated duration. */
  scaled(simulatedMs: number): number {
    return simulatedMs / this.timeScale;
  }

  defaultSeller(): SimSeller {
    return this.sellers[0]!;
  }

  seller(sellerId: string | undefined): SimSeller {
    return this.sellers.find((s) => s.sellerId === sellerId) ?? this.defaultSeller();
  }

  generator(sellerId?: string): OrderGenerator {
    return this.generators.get(this.seller(sellerId).sellerId)!;
  }

  catalogue(sellerId?: string): readonly CatalogItem[] {
    return this.generator(sellerId).catalogue;
  }

  putOrder(order: SimOrder): SimOrder {
    this.orders.set(order.orderId, order);
    return order;
  }

  addOrder(overrides: OrderOverrides & { sellerId?: string } = {}): SimOrder {
    const order = this.putOrder(this.generator(overrides.sellerId).generate(this.now(), overrides));
    this.events.emit('order-change', order, 'OrderStatusChange');
    return order;
  }

  setOrderStatus(orderId: string, status: FulfillmentStatus): SimOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`no simulated order ${orderId}`);
    order.status = status;
    if (status === 'CANCELLED') order.cancelReason ??= 'BUYER_CANCELED';
    if (status === 'SHIPPED') for (const item of order.items) item.quantityShipped = item.quantity;
    this.touch(order);
    this.events.emit('order-change', order, 'OrderStatusChange');
    return order;
  }

  /** The buyer asks to cancel: ORDER_CHANGE with OrderChangeType BuyerRequestedChange; the order keeps its status. */
  requestCancellation(orderId: string, reason = 'Buyer Requested Cancel'): SimOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`no simulated order ${orderId}`);
    order.buyerCancelRequest = reason;
    this.touch(order);
    this.events.emit('order-change', order, 'BuyerRequestedChange');
    return order;
  }

  /**
   * One step of the order life cycle, as Amazon moves orders on its own: PENDING -> UNSHIPPED (payment
   * authorized) and, for AFN orders, UNSHIPPED -> SHIPPED. MFN orders wait for confirmShipment. Returns the
   * orders that changed; each publishes ORDER_CHANGE.
   */
  advanceOrders(sellerId?: string): SimOrder[] {
    const changed: SimOrder[] = [];
    for (const order of this.orders.values()) {
      if (sellerId !== undefined && order.sellerId !== sellerId) continue;
      if (order.status === 'PENDING' || order.status === 'PENDING_AVAILABILITY')
        changed.push(this.setOrderStatus(order.orderId, 'UNSHIPPED'));
      else if (order.status === 'UNSHIPPED' && order.fulfilledBy === 'AMAZON')
        changed.push(this.setOrderStatus(order.orderId, 'SHIPPED'));
    }
    return changed;
  }

  /** Live traffic for demos: a new order every `newOrderEveryMs` and a life-cycle step every `advanceEveryMs` (simulated ms). */
  startTraffic(options: { newOrderEveryMs?: number; advanceEveryMs?: number }): void {
    const repeat = (everyMs: number | undefined, fn: () => void): void => {
      if (!everyMs || everyMs <= 0) return;
      const tick = (): void => {
        fn();
        this.later(everyMs, tick);
      };
      this.later(everyMs, tick);
    };
    repeat(options.newOrderEveryMs, () => {
      for (const seller of this.sellers)
        this.addOrder({ sellerId: seller.sellerId, createdTime: new Date(this.now()).toISOString() });
    });
    repeat(options.advanceEveryMs, () => this.advanceOrders());
  }

  /** Moves lastUpdatedTime forward (strictly, so watermarks see the change). */
  touch(order: SimOrder): void {
    const now = this.now();
    const previous = Date.parse(order.lastUpdatedTime);
    order.lastUpdatedTime = new Date(Math.max(now, previous + 1)).toISOString();
  }

  requestId(): string {
    return this.idPrng.uuid();
  }

  /** Runs `fn` after a simulated delay; cancelled when the simulator closes. */
  later(simulatedMs: number, fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.#closed) fn();
      },
      Math.max(0, this.scaled(simulatedMs)),
    );
    timer.unref();
    this.timers.add(timer);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const release of this.hung) release();
    this.hung.clear();
    this.events.emit('close');
  }
}
