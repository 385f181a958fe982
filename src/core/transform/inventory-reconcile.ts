import type { ListingLink, ListingState, SentListingState } from '../model/listing.ts';
import { listingKey } from './listing-delta.ts';

/**
 * Sage's available quantity vs what Amazon shows, per SKU and marketplace, with the likely cause of each
 * difference (issue 7 "reconciliation"): Listings (getListingsItem) for merchant-fulfilled SKUs,
 * getInventorySummaries for FBA. Pure: the caller reads both sides and passes them in.
 *
 * Causes, first match wins:
 *  - `unmapped-sku`      Amazon has the SKU, no Sage item is linked to it;
 *  - `missing-on-amazon` a linked SKU Amazon does not list;
 *  - `fba-owned`         FBA: Amazon's fulfillable units differ from Sage's (Amazon owns that stock; Sage's
 *                        FBA warehouse is out of date, or the units are in transit);
 *  - `pending-feed`      a feed carrying this SKU is not final yet;
 *  - `buffer-rule`       Amazon shows exactly the quantity the rules allow (safety stock, expose %, cap, split,
 *                        floor, hold) — the difference is intended;
 *  - `open-orders`       Amazon is below the rule quantity by no more than the units of Amazon orders not yet
 *                        in Sage (Amazon already took them off, Sage has not);
 *  - `not-sent-yet`      the rule quantity changed since the last accepted send (the next sync sends it);
 *  - `not-applied`       the last accepted send equals the rule quantity but Amazon shows something else
 *                        (accepted but not applied, or edited in Seller Central);
 *  - `unknown`.
 * `fixable` says whether sending the rule quantity again is the correction (`--fix`).
 */

export type DiscrepancyCause =
  | 'unmapped-sku'
  | 'missing-on-amazon'
  | 'fba-owned'
  | 'pending-feed'
  | 'buffer-rule'
  | 'open-orders'
  | 'not-sent-yet'
  | 'not-applied'
  | 'unknown';

export interface AmazonQuantity {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly channel: 'MFN' | 'FBA';
  /** Undefined when the listing exists without a quantity. */
  readonly quantity?: number;
}

export interface ReconcileInput {
  readonly links: readonly ListingLink[];
  /** Raw Sage available per item (sum over the connection's warehouses, before any rule). */
  readonly sageAvailable: ReadonlyMap<string, number>;
  /** What the rules say Amazon should show (listingDeltaFromSage targets). */
  readonly targets: readonly ListingState[];
  readonly lastSent: readonly SentListingState[];
  /** Everything read from Amazon; a linked SKU missing here is `missing-on-amazon`. */
  readonly amazon: readonly AmazonQuantity[];
  /** Keys (listingKey) of SKUs in feeds that are not final. */
  readonly pendingFeedKeys?: ReadonlySet<string>;
  /** Units of Amazon orders not yet imported into Sage, by listingKey. */
  readonly openOrderUnits?: ReadonlyMap<string, number>;
}

export interface Discrepancy {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly itemId?: string;
  readonly channel: 'MFN' | 'FBA';
  readonly sageAvailable?: number;
  readonly ruleQuantity?: number;
  readonly lastSent?: number;
  readonly amazon?: number;
  readonly cause: DiscrepancyCause;
  readonly explanation: string;
  readonly fixable: boolean;
}

export interface ReconcileReport {
  readonly checked: number;
  readonly matching: number;
  readonly discrepancies: readonly Discrepancy[];
  readonly byCause: Readonly<Partial<Record<DiscrepancyCause, number>>>;
}

export function reconcileInventory(input: ReconcileInput): ReconcileReport {
  const linkByKey = new Map(input.links.map((l) => [listingKey(l.marketplaceId, l.sku), l]));
  const targetByKey = new Map(input.targets.map((t) => [listingKey(t.marketplaceId, t.sku), t]));
  const lastByKey = new Map(input.lastSent.map((s) => [listingKey(s.marketplaceId, s.sku), s]));
  const amazonByKey = new Map(input.amazon.map((a) => [listingKey(a.marketplaceId, a.sku), a]));
  const out: Discrepancy[] = [];
  let checked = 0;

  for (const a of input.amazon) {
    if (linkByKey.has(listingKey(a.marketplaceId, a.sku))) continue;
    checked += 1;
    out.push({
      sku: a.sku,
      marketplaceId: a.marketplaceId,
      channel: a.channel,
      ...(a.quantity === undefined ? {} : { amazon: a.quantity }),
      cause: 'unmapped-sku',
      explanation: `Amazon lists ${a.sku} (${a.quantity ?? 'no'} units) but no Sage item is linked to it; link it (SKU alias) or close the listing`,
      fixable: false,
    });
  }

  for (const [key, link] of linkByKey) {
    checked += 1;
    const sage = input.sageAvailable.get(link.itemId) ?? 0;
    const target = targetByKey.get(key)?.quantity;
    const last = lastByKey.get(key)?.quantity;
    const seen = amazonByKey.get(key);
    const base = {
      sku: link.sku,
      marketplaceId: link.marketplaceId,
      itemId: link.itemId,
      channel: link.fulfillment,
      sageAvailable: sage,
      ...(target === undefined ? {} : { ruleQuantity: target }),
      ...(last === undefined ? {} : { lastSent: last }),
      ...(seen?.quantity === undefined ? {} : { amazon: seen.quantity }),
    };
    if (!seen) {
      out.push({
        ...base,
        cause: 'missing-on-amazon',
        explanation: `Sage item ${link.itemId} is linked to ${link.sku}, but Amazon has no listing for it in ${link.marketplaceId}`,
        fixable: false,
      });
      continue;
    }
    const shown = seen.quantity ?? 0;
    if (link.fulfillment === 'FBA') {
      if (shown !== sage)
        out.push({
          ...base,
          cause: 'fba-owned',
          explanation: `FBA: Amazon holds ${shown} fulfillable, Sage shows ${sage} available; Amazon owns FBA stock (Sage's FBA warehouse is behind, or units are inbound/reserved)`,
          fixable: false,
        });
      continue;
    }
    if (shown === sage) continue;
    if (input.pendingFeedKeys?.has(key)) {
      out.push({
        ...base,
        cause: 'pending-feed',
        explanation: `a feed carrying ${link.sku} is still processing; Amazon shows ${shown} until it is done`,
        fixable: false,
      });
      continue;
    }
    if (target !== undefined && shown === target) {
      out.push({
        ...base,
        cause: 'buffer-rule',
        explanation: `Sage ${sage} available, the rules list ${target} (safety stock, expose %, cap, split or hold); intended`,
        fixable: false,
      });
      continue;
    }
    const open = input.openOrderUnits?.get(key) ?? 0;
    if (target !== undefined && shown < target && target - shown <= open) {
      out.push({
        ...base,
        cause: 'open-orders',
        explanation: `Amazon shows ${target - shown} fewer: ${open} units in Amazon orders not yet in Sage`,
        fixable: false,
      });
      continue;
    }
    if (target !== undefined && last !== target) {
      out.push({
        ...base,
        cause: 'not-sent-yet',
        explanation: `the rule quantity is ${target}, the last accepted send was ${last ?? 'never'}; the next sync sends it`,
        fixable: true,
      });
      continue;
    }
    if (target !== undefined && last === target) {
      out.push({
        ...base,
        cause: 'not-applied',
        explanation: `Amazon accepted ${target} but shows ${shown} (accepted but not applied, or edited in Seller Central)`,
        fixable: true,
      });
      continue;
    }
    out.push({
      ...base,
      cause: 'unknown',
      explanation: `Sage ${sage}, Amazon ${shown}, no rule quantity`,
      fixable: false,
    });
  }

  out.sort((x, y) =>
    x.marketplaceId < y.marketplaceId
      ? -1
      : x.marketplaceId > y.marketplaceId
        ? 1
        : x.sku < y.sku
          ? -1
          : x.sku > y.sku
            ? 1
            : 0,
  );
  const byCause: Partial<Record<DiscrepancyCause, number>> = {};
  for (const d of out) byCause[d.cause] = (byCause[d.cause] ?? 0) + 1;
  return { checked, matching: checked - out.length, discrepancies: out, byCause };
}

const CSV_COLUMNS = [
  'marketplaceId',
  'sku',
  'itemId',
  'channel',
  'sageAvailable',
  'ruleQuantity',
  'lastSent',
  'amazon',
  'cause',
  'fixable',
  'explanation',
] as const;

/** RFC 4180 CSV of the discrepancies (header row first). */
export function discrepanciesCsv(list: readonly Discrepancy[]): string {
  const cell = (v: unknown): string => {
    const s = v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [CSV_COLUMNS.join(','), ...list.map((d) => CSV_COLUMNS.map((c) => cell(d[c])).join(','))].join('\r\n') + '\r\n'
  );
}
