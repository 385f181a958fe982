import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MappingError } from '../../../src/core/errors.ts';
import type { Order, OrderLine } from '../../../src/core/model/order.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../../../src/core/rules/mapping-rules.ts';
import { priceLinesFromOrder } from '../../../src/core/transform/price-lines.ts';
import { salesOrderFromOrder, type SageOrderContext } from '../../../src/core/transform/sales-order-from-order.ts';
import type { CatalogueItem } from '../../../src/core/transform/sku-resolution.ts';
import { orderActionFromStatus, type SageOrderState } from '../../../src/core/transform/status-map.ts';

export const GOLDEN_DIR = fileURLToPath(new URL('../../fixtures/golden/', import.meta.url));

/** The Sage sandbox's demo items (src/connectors/sage500/sandbox/seed.ts): the catalogue when a case gives none. */
export const DEMO_CATALOGUE: readonly CatalogueItem[] = [
  { itemId: 'WIDGET-RED', description: 'Widget, red', upc: '012345678912' },
  { itemId: 'WIDGET-BLUE', description: 'Widget, blue' },
  { itemId: 'GADGET-PRO', description: 'Gadget Pro', upc: '012345678905' },
  { itemId: 'CABLE-USB-C', description: 'USB-C cable 1 m' },
  { itemId: 'MUG-LOGO', description: 'Mug with logo' },
];

export interface GoldenInput {
  readonly description: string;
  /** A canonical Order; line booleans and lists may be left out (defaults: false / []). */
  readonly order: Omit<Order, 'lines' | 'packages'> & {
    readonly lines: readonly Partial<OrderLine>[];
    readonly packages?: Order['packages'];
  };
  /** The Sage order Sellbridge already created, if any. */
  readonly sage?: SageOrderState;
  /** Deep-merged over DEFAULT_MAPPING_RULES. */
  readonly rules?: Record<string, unknown>;
  readonly context?: Partial<SageOrderContext>;
}

export interface GoldenOutput {
  readonly action: unknown;
  readonly draft?: unknown;
  readonly error?: { readonly code: string; readonly issues: unknown };
  readonly totals?: {
    readonly amazonTotal: number;
    readonly sageTotal: number;
    readonly excludedMarketplaceTax: number;
    readonly excludedSellerTax: number;
  };
}

export function goldenCases(): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((name) => statSync(join(GOLDEN_DIR, name)).isDirectory())
    .sort();
}

export function readCase(name: string): { input: GoldenInput; expected: GoldenOutput } {
  const read = (file: string): unknown => JSON.parse(readFileSync(join(GOLDEN_DIR, name, file), 'utf8'));
  return { input: read('input.json') as GoldenInput, expected: read('expected.json') as GoldenOutput };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isObject(base) || !isObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = deepMerge(out[k], v);
  return out as T;
}

export function orderOf(input: GoldenInput): Order {
  const lines = input.order.lines.map(
    (l): OrderLine =>
      ({
        quantityShipped: 0,
        promotionIds: [],
        taxCollectedByMarketplace: false,
        isGift: false,
        buyerRequestedCancel: false,
        ...l,
      }) as OrderLine,
  );
  return { ...input.order, lines, packages: input.order.packages ?? [] } as Order;
}

/** Runs the transforms the order flow runs, in its order: status -> (map) -> draft or one MappingError. */
export function runCase(input: GoldenInput): GoldenOutput {
  const rules = deepMerge<MappingRules>(DEFAULT_MAPPING_RULES, input.rules);
  const order = orderOf(input);
  const context: SageOrderContext = { catalogue: DEMO_CATALOGUE, ...input.context };
  const action = orderActionFromStatus(order, input.sage, rules.status);
  const priced = order.lines.some((l) => l.amounts) ? priceLinesFromOrder(order, rules.pricing) : undefined;
  const totals =
    priced?.ok === true
      ? {
          amazonTotal: priced.value.amazonTotal.minor,
          sageTotal: priced.value.sageTotal.minor,
          excludedMarketplaceTax: priced.value.excluded.marketplaceTax.minor,
          excludedSellerTax: priced.value.excluded.sellerTax.minor,
        }
      : undefined;
  if (action.kind !== 'create' && action.kind !== 'record-fba-shipped')
    return { action, ...(totals ? { totals } : {}) };
  try {
    const draft = salesOrderFromOrder(order, context, rules);
    return { action, draft, ...(totals ? { totals } : {}) };
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    return { action, error: { code: err.code, issues: err.issues }, ...(totals ? { totals } : {}) };
  }
}
