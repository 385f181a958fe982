import type { CatalogItem, OrderOverrides } from '../simulator/amazon/index.ts';

/**
 * The demo's scenario, as data: which orders the simulated marketplace receives and what should become of them.
 * The summary the demo prints and the e2e test's expectations are both derived from this plan (nothing hard-coded
 * elsewhere).
 */

/** The Sage sandbox demo company's stock items (src/connectors/sage500/sandbox/seed.ts), one through its Sage alias. */
export const DEMO_SKUS: readonly CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'WIDGET-BLUE', title: 'Widget, blue', priceMinor: 1999 },
  { sku: 'GADGET-PRO', title: 'Gadget Pro', priceMinor: 14900 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
  { sku: 'AMZ-RED-WIDGET', title: 'Red widget (Sage alias of WIDGET-RED)', priceMinor: 1999 },
];

/** A SellerSKU Sage does not know: the order carrying it is dead-lettered with SB_MAP_SKU_UNKNOWN. */
export const DEMO_BAD_SKU = 'WIDGET-PURPLE';
/** The dead-letter code the bad SKU order is expected to carry. */
export const DEMO_BAD_SKU_CODE = 'SB_MAP_SKU_UNKNOWN';
/** The sandbox warehouse ships every Nth sales order in two shipments (a split shipment: two packages). */
export const DEMO_SPLIT_EVERY = 3;
export const MIN_DEMO_ORDERS = 6;
export const DEFAULT_DEMO_ORDERS = 30;

export interface DemoOrderPlan {
  /** Position in the scenario (0-based). */
  readonly index: number;
  readonly role: 'valid' | 'bad-sku' | 'cancel';
  readonly overrides: OrderOverrides;
}

export interface DemoScenario {
  readonly orders: readonly DemoOrderPlan[];
}

/** What the summary must show at the end of a demo of this scenario. */
export interface DemoExpectations {
  /** Orders the engine saw (every order of the scenario). */
  readonly received: number;
  /** Sales orders created in Sage (every order but the bad-SKU ones). */
  readonly created: number;
  /** Created, then cancelled by the buyer before shipping: cancelled in Sage, never shipped. */
  readonly cancelled: number;
  /** Orders the warehouse ships and Amazon gets confirmations for. */
  readonly shipped: number;
  readonly deadLettered: number;
  readonly deadLetterCodes: readonly string[];
}

/**
 * `count` orders: one with an unknown SKU (position 1), one the buyer cancels after it was created (position 2),
 * the rest plain. Every order has two units or more, so whichever the warehouse splits really ships in two parts.
 */
export function planDemoScenario(count: number): DemoScenario {
  if (!Number.isInteger(count) || count < MIN_DEMO_ORDERS)
    throw new RangeError(`a demo needs at least ${MIN_DEMO_ORDERS} orders, got ${count}`);
  const orders: DemoOrderPlan[] = [];
  for (let i = 0; i < count; i++) {
    const role: DemoOrderPlan['role'] = i === 1 ? 'bad-sku' : i === 2 ? 'cancel' : 'valid';
    const first = DEMO_SKUS[i % DEMO_SKUS.length]!.sku;
    const second = DEMO_SKUS[(i + 2) % DEMO_SKUS.length]!.sku;
    const items =
      role === 'bad-sku'
        ? [
            { sku: 'GADGET-PRO', quantity: 1 },
            { sku: DEMO_BAD_SKU, quantity: 2 },
          ]
        : i % 2 === 0
          ? [{ sku: first, quantity: 2 + (i % 3) }]
          : [
              { sku: first, quantity: 1 },
              { sku: second, quantity: 1 + (i % 2) },
            ];
    orders.push({ index: i, role, overrides: { status: 'UNSHIPPED', items } });
  }
  return { orders };
}

export function expectationsOf(scenario: DemoScenario): DemoExpectations {
  const bad = scenario.orders.filter((o) => o.role === 'bad-sku').length;
  const cancelled = scenario.orders.filter((o) => o.role === 'cancel').length;
  const created = scenario.orders.length - bad;
  return {
    received: scenario.orders.length,
    created,
    cancelled,
    shipped: created - cancelled,
    deadLettered: bad,
    deadLetterCodes: Array.from({ length: bad }, () => DEMO_BAD_SKU_CODE),
  };
}

/**
 * The demo's connections (issue 21): a US seller on Amazon.com into the sandbox's demo company SOA, and a German
 * seller on Amazon.de (EUR, the EU endpoint) into the German company SDE with its own mapping (customer AMAZON-DE,
 * warehouse LEJ, DHL/DPD ship methods). The US connection plays the full scenario (unknown SKU, cancellation,
 * split shipments); the German one plain orders, about a third as many.
 */
export interface DemoConnectionPlan {
  readonly id: string;
  readonly sellerId: string;
  readonly refreshToken: string;
  readonly region: 'na' | 'eu';
  readonly marketplaceId: string;
  readonly marketplace: string;
  readonly currency: string;
  readonly companyId: string;
  readonly scenario: DemoScenario;
}

export const MIN_GERMAN_DEMO_ORDERS = 2;

/** `count` plain orders of the German seller (Amazon.de), each of two units or more. */
export function planGermanScenario(count: number): DemoScenario {
  const orders: DemoOrderPlan[] = [];
  for (let i = 0; i < count; i++) {
    const first = DEMO_SKUS[(i + 1) % DEMO_SKUS.length]!.sku;
    orders.push({
      index: i,
      role: 'valid',
      overrides: {
        status: 'UNSHIPPED',
        marketplaceId: 'A1PA6795UKMFR9',
        items: [{ sku: first, quantity: 2 + (i % 2) }],
      },
    });
  }
  return { orders };
}

/** Totals over the connections' expectations (the summary's first table). */
export function totalExpectations(all: readonly DemoExpectations[]): DemoExpectations {
  const sum = (f: (e: DemoExpectations) => number) => all.reduce((n, e) => n + f(e), 0);
  return {
    received: sum((e) => e.received),
    created: sum((e) => e.created),
    cancelled: sum((e) => e.cancelled),
    shipped: sum((e) => e.shipped),
    deadLettered: sum((e) => e.deadLettered),
    deadLetterCodes: all.flatMap((e) => e.deadLetterCodes),
  };
}
