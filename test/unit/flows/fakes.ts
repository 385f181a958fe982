import { SellbridgeError } from '../../../src/core/errors.ts';
import { money } from '../../../src/core/model/money.ts';
import type { ItemRef, OrderContext, OrderContextQuery } from '../../../src/core/model/inventory.ts';
import type { Order, OrderLine } from '../../../src/core/model/order.ts';
import type {
  CreateSalesOrderOptions,
  SalesOrder,
  SalesOrderDraft,
  SalesOrderLookup,
} from '../../../src/core/model/sales-order.ts';
import type { ShipmentPage } from '../../../src/core/model/shipment.ts';
import type { PackageShipment } from '../../../src/core/ports/amazon-marketplace.ts';
import { advanceAlong } from '../../../src/core/lifecycle.ts';
import type { OrderKey, OrderLink, OrderLinks } from '../../../src/core/ports/order-links.ts';
import type {
  ConfirmationKey,
  ShipmentConfirmation,
  ShipmentConfirmations,
} from '../../../src/core/ports/shipment-confirmations.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import type { OrderFlowDeps } from '../../../src/flows/index.ts';

export const CONN = 'conn-1';
const NOW = '2026-11-27T12:00:00.000Z';

/** A priced, unshipped, merchant-fulfilled US order of the demo items (canonical terms). */
export function anOrder(
  overrides: Partial<Order> = {},
  lines: readonly Partial<OrderLine>[] = [
    { sku: 'WIDGET-RED', quantityOrdered: 2, unitPriceMinor: 1999 } as Partial<OrderLine>,
  ],
): Order {
  const full: OrderLine[] = lines.map((l, i) => {
    const unit = (l as { unitPriceMinor?: number }).unitPriceMinor ?? 1000;
    const qty = l.quantityOrdered ?? 1;
    const { unitPriceMinor: _u, ...rest } = l as Partial<OrderLine> & { unitPriceMinor?: number };
    return {
      lineId: `1000000000000${i + 1}`,
      sku: 'WIDGET-RED',
      title: 'Widget',
      quantityOrdered: qty,
      quantityShipped: 0,
      unitPrice: money('USD', unit),
      amounts: { item: money('USD', unit * qty) },
      promotionIds: [],
      taxCollectedByMarketplace: false,
      isGift: false,
      buyerRequestedCancel: false,
      ...rest,
    };
  });
  const total = full.reduce((s, l) => s + (l.amounts?.item.minor ?? 0), 0);
  return {
    id: '111-0000001-0000001',
    marketplaceId: 'ATVPDKIKX0DER',
    salesChannel: 'Amazon.com',
    status: 'unshipped',
    fulfilledBy: 'merchant',
    createdAt: '2026-11-20T15:04:05Z',
    lastUpdatedAt: '2026-11-20T15:09:00Z',
    isBusinessOrder: false,
    isPrime: false,
    isPreorder: false,
    currency: 'USD',
    total: money('USD', total),
    shipServiceLevel: 'Standard',
    shipTo: {
      name: 'Jane Doe',
      lines: ['123 Main St'],
      city: 'Seattle',
      stateOrRegion: 'WA',
      postalCode: '98109',
      countryCode: 'US',
    },
    lines: full,
    packages: [],
    ...overrides,
  };
}

const DEMO_ITEMS: Record<string, string> = {
  'WIDGET-RED': 'Widget, red',
  'WIDGET-BLUE': 'Widget, blue',
  'GADGET-PRO': 'Gadget Pro',
  'CABLE-USB-C': 'USB-C cable 1 m',
  'MUG-LOGO': 'Mug with logo',
};

/** An in-memory Sage: items of the demo company, createSalesOrder idempotent by TranNo, optional outage. */
export class FakeSage {
  orders = new Map<string, SalesOrder>();
  creates: { tranNo: string; draft: SalesOrderDraft }[] = [];
  cancels: string[] = [];
  unavailable = false;
  shipmentPages: ShipmentPage[] = [];
  cursorsAsked: (string | undefined)[] = [];

  private check(): void {
    if (this.unavailable)
      throw new SellbridgeError('SB_SAGE_UNAVAILABLE', 'Sage is down (fake)', {
        retryAfterMs: 50,
        context: { operation: 'fake' },
      });
  }
  async loadOrderContext(q: OrderContextQuery): Promise<OrderContext> {
    this.check();
    const items: ItemRef[] = q.skus
      .filter((s) => DEMO_ITEMS[s])
      .map((s) => ({ query: s, itemId: s, matchedBy: 'item-id', description: DEMO_ITEMS[s]!, stockUnit: 'Each' }));
    return { items, unknownItems: q.skus.filter((s) => !DEMO_ITEMS[s]), stock: [] };
  }
  async createSalesOrder(draft: SalesOrderDraft, options: CreateSalesOrderOptions) {
    this.check();
    this.creates.push({ tranNo: options.tranNo, draft });
    const existing = this.orders.get(options.tranNo);
    if (existing) return { outcome: 'existing' as const, order: existing };
    const order: SalesOrder = {
      key: String(5000 + this.orders.size),
      tranNo: options.tranNo,
      tranId: `${options.tranNo}-SO`,
      status: 'open',
      customerId: draft.customerId,
      amazonOrderId: draft.amazonOrderId,
      orderDate: draft.orderDate,
      currency: draft.currency,
      lines: draft.lines
        .filter((l) => !l.charge)
        .map((l) => ({
          lineNo: l.lineNo,
          itemId: l.itemId,
          quantity: l.quantity,
          quantityShipped: 0,
          unitPrice: l.unitPrice,
          warehouseId: draft.warehouseId,
          ...(l.amazonOrderItemId ? { amazonOrderItemId: l.amazonOrderItemId } : {}),
        })),
    };
    this.orders.set(options.tranNo, order);
    return { outcome: 'created' as const, order };
  }
  async findSalesOrder(lookup: SalesOrderLookup) {
    this.check();
    if ('tranNo' in lookup) return this.orders.get(lookup.tranNo);
    return [...this.orders.values()].find((o) => o.amazonOrderId === lookup.amazonOrderId);
  }
  async cancelSalesOrder(tranNo: string) {
    this.check();
    this.cancels.push(tranNo);
    const o = this.orders.get(tranNo)!;
    const cancelled = { ...o, status: 'canceled' as const };
    this.orders.set(tranNo, cancelled);
    return cancelled;
  }
  async listShipments(cursor: string | undefined): Promise<ShipmentPage> {
    this.check();
    this.cursorsAsked.push(cursor);
    return this.shipmentPages.shift() ?? { shipments: [], cursor: cursor ?? '0', more: false };
  }
  ships: string[] = [];
  returns: string[] = [];
  async recordCustomerReturn(_draft: unknown, { tranNo }: { tranNo: string }) {
    this.check();
    const existing = this.returns.includes(tranNo);
    if (!existing) this.returns.push(tranNo);
    return { outcome: existing ? ('existing' as const) : ('created' as const), returnKey: `RK-${tranNo}`, tranNo };
  }
  /** shipSalesOrder: ships everything once; a second call answers `existing` with the same shipment. */
  async shipSalesOrder(tranNo: string, _options: { shipDate: string }) {
    this.check();
    this.ships.push(tranNo);
    const o = this.orders.get(tranNo);
    if (!o) throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `no sales order ${tranNo} (fake)`);
    const done = o.lines.every((l) => l.quantityShipped >= l.quantity);
    if (!done) this.shipAll(tranNo);
    return {
      outcome: done ? ('existing' as const) : ('shipped' as const),
      shipmentKeys: [`S-${tranNo}`],
      order: this.orders.get(tranNo)!,
    };
  }
  shipAll(tranNo: string): void {
    const o = this.orders.get(tranNo)!;
    this.orders.set(tranNo, { ...o, lines: o.lines.map((l) => ({ ...l, quantityShipped: l.quantity })) });
  }
}

/** An in-memory Amazon: orders by id; confirmShipment records calls and may fail after taking effect. */
export class FakeAmazon {
  orders = new Map<string, Order>();
  gets: string[] = [];
  confirms: PackageShipment[] = [];
  /** The next confirmShipment takes effect, then throws a timeout (unknown outcome). */
  failAfterEffect = 0;
  async getOrder(id: string): Promise<Order> {
    this.gets.push(id);
    const o = this.orders.get(id);
    if (!o)
      throw new SellbridgeError('SB_AMZ_REQUEST_REJECTED', `order ${id} not found`, {
        context: { amazonCode: 'NotFound' },
      });
    return o;
  }
  async confirmShipment(s: PackageShipment): Promise<void> {
    this.confirms.push(s);
    const o = this.orders.get(s.orderId)!;
    this.orders.set(s.orderId, {
      ...o,
      packages: [
        ...o.packages,
        {
          packageReferenceId: s.packageReferenceId,
          carrier: s.carrierCode,
          trackingNumber: s.trackingNumber,
          items: s.lines,
        },
      ],
    });
    if (this.failAfterEffect > 0) {
      this.failAfterEffect--;
      throw new SellbridgeError('SB_AMZ_TIMEOUT', 'confirmShipment timed out (fake)', {
        context: { operation: 'confirmShipment' },
      });
    }
  }
}

export class FakeLinks implements OrderLinks {
  rows = new Map<string, OrderLink>();
  sequence = 0;
  reservations = 0;
  history: string[] = [];
  async get(c: string, id: string) {
    return this.rows.get(`${c}|${id}`);
  }
  async findByTranNo(c: string, tranNo: string) {
    return [...this.rows.values()].find((l) => l.connectionId === c && l.tranNo === tranNo);
  }
  async findByTranNos(c: string, tranNos: readonly string[]) {
    const found = new Map<string, OrderLink>();
    for (const l of this.rows.values())
      if (l.connectionId === c && l.tranNo && tranNos.includes(l.tranNo)) found.set(l.tranNo, l);
    return found;
  }
  async reserveTranNo(c: string, id: string) {
    const link = this.rows.get(`${c}|${id}`) ?? (await this.setState(c, id, 'received'));
    if (link.tranNo) return link.tranNo;
    this.reservations++;
    const tranNo = `AMZ${String(++this.sequence).padStart(7, '0')}`;
    this.rows.set(`${c}|${id}`, { ...link, tranNo });
    return tranNo;
  }
  async setState(
    c: string,
    id: string,
    state: OrderLink['state'],
    u: {
      salesOrderKey?: string;
      marketplaceId?: string;
      lastError?: string | null;
      adoptTranNo?: string;
      latestShipDate?: string;
    } = {},
  ) {
    const prev = this.rows.get(`${c}|${id}`);
    const { lastError: _e, ...kept } = prev ?? ({} as Partial<OrderLink>);
    const next: OrderLink = {
      connectionId: c,
      amazonOrderId: id,
      createdAt: NOW,
      ...(u.lastError === null ? kept : (prev ?? {})),
      state,
      updatedAt: NOW,
      ...(u.salesOrderKey ? { salesOrderKey: u.salesOrderKey } : {}),
      ...(u.marketplaceId ? { marketplaceId: u.marketplaceId } : {}),
      ...(u.lastError ? { lastError: u.lastError } : {}),
      ...(u.latestShipDate ? { latestShipDate: u.latestShipDate } : {}),
      ...(u.adoptTranNo && !prev?.tranNo ? { tranNo: u.adoptTranNo } : {}),
    };
    this.rows.set(`${c}|${id}`, next);
    this.history.push(`${id}:${state}`);
    return next;
  }
  async advance(
    key: OrderKey,
    current: OrderLink | undefined,
    to: OrderLink['state'],
    u?: Parameters<FakeLinks['setState']>[3],
  ) {
    return advanceAlong(current, to, u, (state, update) =>
      this.setState(key.connectionId, key.amazonOrderId, state, update),
    );
  }
  /** The store writes this in one statement; here each lifecycle step is recorded, as `history` shows them. */
  async reserve(key: OrderKey, current: OrderLink | undefined, u?: Parameters<FakeLinks['setState']>[3]) {
    const mapped = await this.advance(key, current, 'mapped', u);
    await this.reserveTranNo(key.connectionId, key.amazonOrderId);
    return this.advance(key, this.rows.get(`${key.connectionId}|${key.amazonOrderId}`) ?? mapped, 'reserved');
  }
}

export class FakeConfirmations implements ShipmentConfirmations {
  rows = new Map<string, ShipmentConfirmation>();
  private k = (key: ConfirmationKey) => [key.connectionId, key.amazonOrderId, key.shipmentKey, key.packageNo].join('|');
  async record(key: ConfirmationKey, detail: ShipmentConfirmation['detail']) {
    const existing = this.rows.get(this.k(key));
    if (existing) return existing;
    const n = [...this.rows.values()].filter((r) => r.amazonOrderId === key.amazonOrderId).length + 1;
    const row: ShipmentConfirmation = {
      ...key,
      state: 'pending',
      packageReferenceId: String(n),
      detail,
      sendAttempts: 0,
    };
    this.rows.set(this.k(key), row);
    return row;
  }
  /** Statements recordMany would cost: one per call. */
  recordManyCalls = 0;
  async recordMany(entries: readonly { key: ConfirmationKey; detail: ShipmentConfirmation['detail'] }[]) {
    this.recordManyCalls++;
    const out: ShipmentConfirmation[] = [];
    for (const e of entries) out.push(await this.record(e.key, e.detail));
    return out;
  }
  async get(key: ConfirmationKey) {
    return this.rows.get(this.k(key));
  }
  async setState(key: ConfirmationKey, state: ShipmentConfirmation['state']) {
    const r = this.rows.get(this.k(key))!;
    this.rows.set(this.k(key), { ...r, state, sendAttempts: r.sendAttempts + (state === 'sending' ? 1 : 0) });
  }
  /** Fakes keep no clock: a `sending` record counts as held unless `staleSending` says its worker is gone. */
  staleSending = false;
  async claimSend(key: ConfirmationKey) {
    const r = this.rows.get(this.k(key))!;
    if (!(r.state === 'pending' || r.state === 'unknown' || (r.state === 'sending' && this.staleSending))) return false;
    this.rows.set(this.k(key), { ...r, state: 'sending', sendAttempts: r.sendAttempts + 1 });
    return true;
  }
  async claimPending(key: ConfirmationKey) {
    const r = this.rows.get(this.k(key));
    if (r?.state !== 'pending') return undefined;
    const claimed: ShipmentConfirmation = { ...r, state: 'sending', sendAttempts: r.sendAttempts + 1 };
    this.rows.set(this.k(key), claimed);
    return claimed;
  }
  /** Statements claimPendingMany would cost: one per call. */
  claimPendingManyCalls = 0;
  async claimPendingMany(keys: readonly ConfirmationKey[]) {
    this.claimPendingManyCalls++;
    const out: ShipmentConfirmation[] = [];
    for (const key of keys) {
      const claimed = await this.claimPending(key);
      if (claimed) out.push(claimed);
    }
    return out;
  }
  async releaseClaims(claims: readonly ShipmentConfirmation[]) {
    for (const c of claims) {
      const r = this.rows.get(this.k(c));
      if (r?.state === 'sending' && r.sendAttempts === c.sendAttempts)
        this.rows.set(this.k(c), { ...r, state: 'pending', sendAttempts: r.sendAttempts - 1 });
    }
  }
  async markConfirmed(key: ConfirmationKey) {
    await this.setState(key, 'confirmed');
    return this.listForOrder(key.connectionId, key.amazonOrderId);
  }
  async listForOrders(c: string, ids: readonly string[]) {
    return [...this.rows.values()].filter((r) => r.connectionId === c && ids.includes(r.amazonOrderId));
  }
  async listForOrder(c: string, id: string) {
    return [...this.rows.values()].filter((r) => r.connectionId === c && r.amazonOrderId === id);
  }
}

export interface Fakes {
  amazon: FakeAmazon;
  sage: FakeSage;
  links: FakeLinks;
  confirmations: FakeConfirmations;
  aliases: Map<string, string>;
  watermarks: Map<string, string>;
  enqueued: { queue: string; payload: unknown; key?: string }[];
  deps: OrderFlowDeps;
}

export function fakes(): Fakes {
  const amazon = new FakeAmazon();
  const sage = new FakeSage();
  const links = new FakeLinks();
  const confirmations = new FakeConfirmations();
  const aliases = new Map<string, string>();
  const watermarks = new Map<string, string>();
  const enqueued: Fakes['enqueued'] = [];
  const deps: OrderFlowDeps = {
    amazon,
    sage,
    links,
    confirmations,
    aliases: {
      aliasesFor: async () => Object.fromEntries(aliases),
      setAlias: async (_c, sku, item) => void aliases.set(sku, item),
    },
    catalogue: {
      listItems: async () => Object.entries(DEMO_ITEMS).map(([itemId, description]) => ({ itemId, description })),
    },
    watermarks: {
      get: async (c, n) => watermarks.get(`${c}|${n}`),
      set: async (c, n, v) => void watermarks.set(`${c}|${n}`, v),
    },
    jobs: {
      enqueue: async (queue, payload, o) => (
        enqueued.push({ queue, payload, ...(o?.key ? { key: o.key } : {}) }),
        { id: String(enqueued.length), deduplicated: false }
      ),
      enqueueMany: async (queue, items) =>
        items.map(
          ({ payload, options: o }) => (
            enqueued.push({ queue, payload, ...(o?.key ? { key: o.key } : {}) }),
            { id: String(enqueued.length), deduplicated: false }
          ),
        ),
    },
    rulesFor: async () => DEFAULT_MAPPING_RULES,
    carriersFor: async () => DEFAULT_MAPPING_RULES.carriers,
  };
  return { amazon, sage, links, confirmations, aliases, watermarks, enqueued, deps };
}
