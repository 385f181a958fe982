import type { SimFinancialGroup } from './finances.ts';
import type { SimFbaReturn } from './fba-returns.ts';
import { EventEmitter } from 'node:events';
import { createPrng, type Prng } from './prng.ts';
import { RateLimiter } from './rate-limiter.ts';
import { FaultInjector } from './faults.ts';
import {
  OrderGenerator,
  type CatalogItem,
  type FulfillmentStatus,
  type OrderOverrides,
  type SimOrder,
} from './scenario.ts';
import { DEFAULT_MARKETPLACE_ID, regionOfMarketplace, type SimRegion } from './marketplaces.ts';
import { NotificationHub } from './notifications.ts';
import { DocumentStore } from './documents.ts';
import { ListingStore } from './listings.ts';
import { seedFbaStock, type FbaStock } from './fba-stock.ts';
import type { AccessToken, SimFeed, SimReport, SimSeller, SimulatorContext, SimulatorOptions } from './types.ts';

export const DEFAULT_SELLER: SimSeller = {
  sellerId: 'A1SIMSELLER0001',
  refreshToken: 'Atzr|sim-refresh-token',
  marketplaceIds: [DEFAULT_MARKETPLACE_ID],
};
export { SIM_APPLICATION_ID } from './constants.ts';

export class SimulatorState implements SimulatorContext {
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
  /** Closed settlements' financial event groups (Finances listTransactions), oldest first. */
  readonly financialGroups: SimFinancialGroup[] = [];
  /** Items buyers returned to Amazon's fulfilment centres (the FBA customer returns report), oldest first. */
  readonly fbaReturns: SimFbaReturn[] = [];
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
  plan(
    op: { readonly name: string; readonly rate: number; readonly burst: number },
    sellerId?: string,
  ): { rate: number; burst: number } {
    const seller = sellerId === undefined ? undefined : this.sellers.find((s) => s.sellerId === sellerId);
    const own = seller?.usagePlans?.[op.name];
    const override = this.options.usagePlans?.[op.name];
    return { rate: own?.rate ?? override?.rate ?? op.rate, burst: own?.burst ?? override?.burst ?? op.burst };
  }

  regionOf(seller: SimSeller): SimRegion {
    return seller.region ?? regionOfMarketplace(seller.marketplaceIds[0] ?? '') ?? 'na';
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

  /**
   * One line is cancelled before it shipped (the seller or Amazon cancelled part of the order): as Amazon shows a
   * cancelled item, its quantity and amounts become 0; the order keeps its status (cancelling the last open line
   * cancels the order). Publishes ORDER_CHANGE (OrderStatusChange).
   */
  cancelOrderLine(orderId: string, orderItemId: string): SimOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`no simulated order ${orderId}`);
    const item = order.items.find((i) => i.orderItemId === orderItemId);
    if (!item) throw new Error(`order ${orderId} has no item ${orderItemId}`);
    if (item.quantityShipped > 0) throw new Error(`item ${orderItemId} of order ${orderId} has shipped`);
    Object.assign(item, {
      quantity: 0,
      itemTaxMinor: 0,
      shippingMinor: 0,
      shippingTaxMinor: 0,
      shippingDiscountMinor: 0,
      promotionDiscountMinor: 0,
      giftWrapMinor: 0,
      giftWrapTaxMinor: 0,
    });
    if (order.items.every((i) => i.quantity === 0)) return this.setOrderStatus(orderId, 'CANCELLED');
    this.touch(order);
    this.events.emit('order-change', order, 'OrderStatusChange');
    return order;
  }

  /** The buyer changed the ship-to before shipment (fields given replace the address's). Publishes ORDER_CHANGE. */
  changeShipTo(orderId: string, address: Partial<SimOrder['address']>): SimOrder {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`no simulated order ${orderId}`);
    if (order.status === 'SHIPPED' || order.items.some((i) => i.quantityShipped > 0))
      throw new Error(`order ${orderId} has shipped: its address cannot change`);
    order.address = { ...order.address, ...address };
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
