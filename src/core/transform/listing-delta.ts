import { SellbridgeError } from '../errors.ts';
import type { ItemPrice, StockLevel } from '../model/inventory.ts';
import type {
  AttributeValue,
  ListingAttributes,
  ListingLink,
  ListingState,
  ListingSyncRules,
  PriceRules,
  SentListingState,
} from '../model/listing.ts';
import { currencyExponent, money, moneyToDecimal, type Money } from '../model/money.ts';

/**
 * Sage stock and prices + what was last sent + the rules -> what Amazon should show, and only the changes that
 * get it there (issue 7 "delta sync"). Unchanged values are never sent; each change says what changed, from
 * what, to what and why, so `inventory sync --dry-run` can show it and a dead letter can explain it.
 *
 * Quantity of a merchant-fulfilled SKU, in this order (every step rounds toward "sell less"):
 *  1. pool = Σ floor(QtyAvailable) over the rule's warehouses (a negative warehouse lowers the pool), at least 0;
 *  2. minus the safety stock (units) and minus ceil(pool × safetyStockPercent / 100);
 *  3. × exposePercent / 100, rounded down;
 *  4. split between the distinct SKUs that draw on the same Sage item (any marketplace: in a unified account
 *     one quantity serves them all, and two SKUs must never both sell the same unit);
 *  5. capped at maxQuantity (per-SKU override first); below zeroBelow -> 0.
 * FBA quantities are Amazon's and are never sent. Prices: per-SKU fixed price, else the price sheet row in
 * the marketplace currency, marked up and rounded in integer minor units, then the guard rails (outside
 * min/max, or a jump above maxChangePercent -> held, not sent).
 */

export type FieldChange =
  | { readonly kind: 'quantity'; readonly from?: number; readonly to: number; readonly why: string }
  | { readonly kind: 'price'; readonly from?: Money; readonly to: Money; readonly why: string }
  | {
      readonly kind: 'attribute';
      readonly name: string;
      readonly from?: readonly AttributeValue[];
      readonly to: readonly AttributeValue[];
      readonly why: string;
    };

/** Everything to send for one SKU in one marketplace. */
export interface ListingChange {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly itemId: string;
  readonly productType: string;
  readonly currency: string;
  readonly changes: readonly FieldChange[];
  /** The quantity drops to 0 from a positive or unknown value: send it on the fast lane, ahead of bulk work. */
  readonly toZero: boolean;
}

/** A change computed but not sent: a price outside the guard rails, or a jump that needs a person's approval. */
export interface HeldChange {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly reason: 'price-below-min' | 'price-above-max' | 'price-not-positive' | 'price-jump';
  readonly change: FieldChange;
  readonly why: string;
}

/** Something worth telling about a SKU that caused no change (no stock row, no price, FBA, opted out …). */
export interface ListingNote {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly note: string;
}

export interface ListingDeltaInput {
  readonly links: readonly ListingLink[];
  readonly stock: readonly StockLevel[];
  readonly prices: readonly ItemPrice[];
  readonly lastSent: readonly SentListingState[];
  readonly rules: ListingSyncRules;
  /** Prices a person approved (a replayed SB_LIST_PRICE_HELD): this exact price skips the guard rails. */
  readonly approvedPrices?: readonly { readonly sku: string; readonly marketplaceId: string; readonly price: Money }[];
}

export interface ListingDelta {
  /** What Amazon shows once `changes` are applied (held changes are not part of it). */
  readonly targets: readonly ListingState[];
  /** Only SKUs with at least one change; drops to zero first, then by marketplace and SKU. */
  readonly changes: readonly ListingChange[];
  readonly held: readonly HeldChange[];
  readonly notes: readonly ListingNote[];
}

export function listingKey(marketplaceId: string, sku: string): string {
  return `${marketplaceId}\u0000${sku}`;
}

/** The field a block names: `quantity`, `price` or `attribute:<name>`. */
export const fieldOf = (c: FieldChange): string => (c.kind === 'attribute' ? `attribute:${c.name}` : c.kind);

/** An open block as the filter reads it (the listing-state port's ListingBlock). */
export interface OpenBlock {
  readonly marketplaceId: string;
  readonly sku: string;
  /** quantity | price | attribute:<name> */
  readonly field: string;
  /** canonicalJson of the value blocked. */
  readonly target: string;
  readonly reason: string;
}

export interface BlockedChange {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly field: string;
  readonly reason: string;
}

/**
 * The changes minus those an open block holds back (the same field of the same listing, to the same value), and
 * minus field changes `keep` refuses (a sync's scope). A listing left with no field change drops out; `toZero`
 * stays only while its quantity change does.
 */
export function applyBlocks(
  changes: readonly ListingChange[],
  blocks: readonly OpenBlock[],
  keep: (c: FieldChange) => boolean = () => true,
): { changes: ListingChange[]; blocked: BlockedChange[] } {
  const blockByField = new Map<string, OpenBlock>(
    blocks.map((b) => [`${listingKey(b.marketplaceId, b.sku)}\u0000${b.field}`, b]),
  );
  const blocked: BlockedChange[] = [];
  const out: ListingChange[] = [];
  for (const change of changes) {
    const kept = change.changes.filter((c) => {
      if (!keep(c)) return false;
      const block = blockByField.get(`${listingKey(change.marketplaceId, change.sku)}\u0000${fieldOf(c)}`);
      if (block && block.target === canonicalJson(c.to)) {
        blocked.push({
          sku: change.sku,
          marketplaceId: change.marketplaceId,
          field: block.field,
          reason: block.reason,
        });
        return false;
      }
      return true;
    });
    if (kept.length === 0) continue;
    const q = kept.find((c) => c.kind === 'quantity');
    out.push({ ...change, changes: kept, toZero: change.toZero && q !== undefined });
  }
  return { changes: out, blocked };
}

/** Deterministic JSON (sorted keys) so attribute values compare by content, not key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const EMPTY_ATTRIBUTES: Record<string, readonly AttributeValue[]> = Object.freeze({});

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface QuantityResult {
  readonly quantity: number;
  readonly why: string;
}

/** Steps 1-3 for one item: the quantity that may be listed across all its SKUs. */
function listablePool(
  itemId: string,
  stockByItem: ReadonlyMap<string, StockLevel[]>,
  rules: ListingSyncRules,
  safetyStock: number,
): { pool: number; why: string[] } {
  const rows = (stockByItem.get(itemId) ?? []).filter((s) => rules.warehouseIds.includes(s.warehouseId));
  const why: string[] = [];
  if (rows.length === 0)
    why.push(`no stock row for item ${itemId} in ${rules.warehouseIds.join('+') || 'no warehouse'}: 0`);
  const sum = rows.reduce((s, r) => s + Math.floor(r.available), 0);
  let pool = Math.max(0, sum);
  if (rows.length)
    why.push(
      `available ${sum} in ${rows
        .map((r) => r.warehouseId)
        .sort(compareText)
        .join('+')}`,
    );
  if (safetyStock > 0) {
    pool = Math.max(0, pool - safetyStock);
    why.push(`- safety ${safetyStock}`);
  }
  if (rules.safetyStockPercent > 0) {
    const held = Math.ceil((Math.max(0, sum) * rules.safetyStockPercent) / 100);
    pool = Math.max(0, pool - held);
    why.push(`- ${rules.safetyStockPercent}% (${held})`);
  }
  if (rules.exposePercent < 100) {
    pool = Math.floor((pool * Math.max(0, rules.exposePercent)) / 100);
    why.push(`x ${rules.exposePercent}%`);
  }
  return { pool, why };
}

/** Integer price arithmetic: markup in basis points, rounding, price ending. */
export function priceFromSheet(sheet: Money, rules: PriceRules): Money {
  const n = sheet.minor * (10_000 + rules.markupBasisPoints);
  let q = Math.floor(n / 10_000);
  const r = n - q * 10_000;
  if (r > 0 && (rules.rounding === 'up' || (rules.rounding === 'half-up' && r * 2 >= 10_000))) q += 1;
  if (rules.endingMinor !== undefined && rules.endingMinor >= 0) {
    const digits = Math.max(currencyExponent(sheet.currency), String(rules.endingMinor).length);
    const modulus = 10 ** digits;
    let p = Math.floor(q / modulus) * modulus + rules.endingMinor;
    if (p < q) p += modulus;
    q = p;
  }
  return money(sheet.currency, q);
}

function sameMoney(a: Money | undefined, b: Money | undefined): boolean {
  return a?.minor === b?.minor && a?.currency === b?.currency;
}

const show = (m: Money): string => `${moneyToDecimal(m)} ${m.currency}`;

export function listingDeltaFromSage(input: ListingDeltaInput): ListingDelta {
  const { rules } = input;
  const notes: ListingNote[] = [];
  const held: HeldChange[] = [];

  // One link per (marketplace, SKU); a repeated one is reported and ignored.
  const links: ListingLink[] = [];
  const seen = new Set<string>();
  for (const link of input.links) {
    const key = listingKey(link.marketplaceId, link.sku);
    if (seen.has(key)) {
      notes.push({
        sku: link.sku,
        marketplaceId: link.marketplaceId,
        note: 'listed twice in the SKU links; the first link is used',
      });
      continue;
    }
    seen.add(key);
    links.push(link);
  }

  const stockByItem = new Map<string, StockLevel[]>();
  for (const s of input.stock) {
    const rows = stockByItem.get(s.itemId);
    if (rows) rows.push(s);
    else stockByItem.set(s.itemId, [s]);
  }
  const lastByKey = new Map(input.lastSent.map((s) => [listingKey(s.marketplaceId, s.sku), s]));

  // Which distinct SKUs share each item's pool (merchant-fulfilled, quantity managed).
  const quantityManaged = (link: ListingLink): boolean => {
    const optOut = rules.overrides[link.sku]?.optOut;
    return !(link.fulfillment === 'FBA' && rules.skipFbaQuantity) && optOut !== 'quantity' && optOut !== 'all';
  };
  const skusByItem = new Map<string, string[]>();
  for (const link of links) {
    if (!quantityManaged(link)) continue;
    const list = skusByItem.get(link.itemId) ?? [];
    if (!list.includes(link.sku)) list.push(link.sku);
    skusByItem.set(link.itemId, list);
  }
  for (const list of skusByItem.values()) list.sort(compareText);

  const quantityBySku = new Map<string, QuantityResult>();
  const onHold = new Set(rules.onHoldItemIds ?? []);
  for (const [itemId, skus] of skusByItem) {
    if (onHold.has(itemId)) {
      for (const sku of skus) quantityBySku.set(sku, { quantity: 0, why: `item ${itemId} is on hold: 0` });
      continue;
    }
    const safety = Math.max(...skus.map((sku) => rules.overrides[sku]?.safetyStock ?? rules.safetyStock));
    const { pool, why } = listablePool(itemId, stockByItem, rules, safety);
    skus.forEach((sku, index) => {
      const steps = [...why];
      let share = pool;
      if (skus.length > 1) {
        if (rules.sharedItem === 'first') share = index === 0 ? pool : 0;
        else share = Math.floor(pool / skus.length) + (index < pool % skus.length ? 1 : 0);
        steps.push(`= ${pool} shared by ${skus.length} SKUs (${rules.sharedItem}): ${share}`);
      } else steps.push(`= ${share}`);
      const cap = rules.overrides[sku]?.maxQuantity ?? rules.maxQuantity;
      if (cap !== undefined && share > cap) {
        share = Math.max(0, cap);
        steps.push(`capped at ${share}`);
      }
      if (share > 0 && share < rules.zeroBelow) {
        share = 0;
        steps.push(`below ${rules.zeroBelow}: 0`);
      }
      quantityBySku.set(sku, { quantity: share, why: steps.join(' ') });
    });
  }

  const priceIndex = new Map<string, ItemPrice>();
  for (const p of input.prices) {
    if (p.priceSheet !== rules.price.priceSheet || p.warehouseId !== rules.price.warehouseId) continue;
    const key = `${p.itemId}\u0000${p.price.currency}`;
    const existing = priceIndex.get(key);
    if (!existing || existing.effectiveDate < p.effectiveDate) priceIndex.set(key, p);
  }

  const approved = new Map((input.approvedPrices ?? []).map((a) => [listingKey(a.marketplaceId, a.sku), a.price]));
  const targets: ListingState[] = [];
  const changes: ListingChange[] = [];
  for (const link of links) {
    const last = lastByKey.get(listingKey(link.marketplaceId, link.sku));
    const override = rules.overrides[link.sku];
    const fieldChanges: FieldChange[] = [];
    const note = (text: string): void =>
      void notes.push({ sku: link.sku, marketplaceId: link.marketplaceId, note: text });

    // Quantity.
    let quantity: number | undefined;
    if (link.fulfillment === 'FBA' && rules.skipFbaQuantity) {
      quantity = undefined;
      note("FBA: quantity is Amazon's, not sent");
    } else if (override?.optOut === 'quantity' || override?.optOut === 'all') {
      quantity = last?.quantity;
      note('quantity opted out');
    } else {
      const q = quantityBySku.get(link.sku)!;
      quantity = q.quantity;
      if (quantity !== last?.quantity)
        fieldChanges.push({
          kind: 'quantity',
          ...(last?.quantity === undefined ? {} : { from: last.quantity }),
          to: quantity,
          why: q.why,
        });
    }

    // Price.
    let price: Money | undefined = last?.price;
    if (override?.optOut === 'price' || override?.optOut === 'all') note('price opted out');
    else {
      let wanted: Money | undefined;
      let why = '';
      if (override?.priceMinor !== undefined) {
        wanted = money(link.currency, override.priceMinor);
        why = 'fixed price for this SKU';
      } else {
        const row = priceIndex.get(`${link.itemId}\u0000${link.currency}`);
        if (!row)
          note(
            `no ${rules.price.priceSheet} price for item ${link.itemId} in ${rules.price.warehouseId} (${link.currency}); price left as is`,
          );
        else {
          wanted = priceFromSheet(row.price, rules.price);
          why = `${rules.price.priceSheet} ${show(row.price)} (effective ${row.effectiveDate})`;
          if (rules.price.markupBasisPoints !== 0 || rules.price.endingMinor !== undefined)
            why += ` marked up ${rules.price.markupBasisPoints / 100}%, ${rules.price.rounding}${rules.price.endingMinor === undefined ? '' : `, ending ${rules.price.endingMinor}`}`;
        }
      }
      if (wanted && !sameMoney(wanted, last?.price)) {
        const change: FieldChange = { kind: 'price', ...(last?.price ? { from: last.price } : {}), to: wanted, why };
        const hold = (reason: HeldChange['reason'], text: string): void =>
          void held.push({ sku: link.sku, marketplaceId: link.marketplaceId, reason, change, why: text });
        const { minMinor, maxMinor, maxChangePercent } = rules.price;
        const from = last?.price && last.price.currency === wanted.currency ? last.price : undefined;
        const isApproved = sameMoney(approved.get(listingKey(link.marketplaceId, link.sku)), wanted);
        if (isApproved && wanted.minor > 0) {
          fieldChanges.push({ ...change, why: `${why}; approved` });
          price = wanted;
        } else if (wanted.minor <= 0) hold('price-not-positive', `price ${show(wanted)} is not above 0`);
        else if (minMinor !== undefined && wanted.minor < minMinor)
          hold(
            'price-below-min',
            `price ${show(wanted)} is below the minimum ${show(money(wanted.currency, minMinor))}`,
          );
        else if (maxMinor !== undefined && wanted.minor > maxMinor)
          hold(
            'price-above-max',
            `price ${show(wanted)} is above the maximum ${show(money(wanted.currency, maxMinor))}`,
          );
        else if (
          maxChangePercent !== undefined &&
          from &&
          Math.abs(wanted.minor - from.minor) * 100 > maxChangePercent * from.minor
        )
          hold(
            'price-jump',
            `price ${show(from)} -> ${show(wanted)} changes by more than ${maxChangePercent}%; waits for approval`,
          );
        else {
          fieldChanges.push(change);
          price = wanted;
        }
      }
    }

    // Attributes mapped from Sage item fields.
    const attributes: Record<string, readonly AttributeValue[]> =
      last?.attributes || link.attributes ? { ...last?.attributes } : EMPTY_ATTRIBUTES;
    for (const [name, values] of Object.entries(link.attributes ?? {})) {
      const before = last?.attributes?.[name];
      if (before && canonicalJson(before) === canonicalJson(values)) continue;
      fieldChanges.push({
        kind: 'attribute',
        name,
        ...(before ? { from: before } : {}),
        to: values,
        why: before ? 'Sage item field changed' : 'not sent before',
      });
      attributes[name] = values;
    }

    // Built without conditional spreads: this loop runs once per SKU (100,000 in the bench).
    const target: { -readonly [K in keyof ListingState]: ListingState[K] } = {
      sku: link.sku,
      itemId: link.itemId,
      marketplaceId: link.marketplaceId,
      productType: link.productType,
      fulfillment: link.fulfillment,
      attributes: attributes as ListingAttributes,
    };
    if (quantity !== undefined) target.quantity = quantity;
    if (price !== undefined) target.price = price;
    targets.push(target);
    if (fieldChanges.length) {
      const q = fieldChanges.find((c) => c.kind === 'quantity');
      changes.push({
        sku: link.sku,
        marketplaceId: link.marketplaceId,
        itemId: link.itemId,
        productType: link.productType,
        currency: link.currency,
        changes: fieldChanges,
        toZero: q !== undefined && q.to === 0 && (q.from === undefined || q.from > 0),
      });
    }
  }
  changes.sort(
    (a, b) =>
      Number(b.toZero) - Number(a.toZero) || compareText(a.marketplaceId, b.marketplaceId) || compareText(a.sku, b.sku),
  );
  return { targets, changes, held, notes };
}

/** The last-sent state once `change` is accepted by Amazon (store it; only accepted changes, never held ones). */
export function sentStateAfter(last: SentListingState | undefined, change: ListingChange): SentListingState {
  let quantity = last?.quantity;
  let price = last?.price;
  const attributes: Record<string, readonly AttributeValue[]> = { ...(last?.attributes ?? {}) };
  for (const c of change.changes) {
    if (c.kind === 'quantity') quantity = c.to;
    else if (c.kind === 'price') price = c.to;
    else attributes[c.name] = c.to;
  }
  return {
    sku: change.sku,
    marketplaceId: change.marketplaceId,
    ...(quantity === undefined ? {} : { quantity }),
    ...(price === undefined ? {} : { price }),
    ...(Object.keys(attributes).length ? { attributes } : {}),
  };
}

/** Applies accepted changes to the whole last-sent table (SKUs without a change keep their state). */
export function applyListingChanges(
  lastSent: readonly SentListingState[],
  changes: readonly ListingChange[],
): SentListingState[] {
  const byKey = new Map(lastSent.map((s) => [listingKey(s.marketplaceId, s.sku), s]));
  for (const change of changes) {
    const key = listingKey(change.marketplaceId, change.sku);
    byKey.set(key, sentStateAfter(byKey.get(key), change));
  }
  return [...byKey.values()];
}

/** The dead-letter error for a held price (SB_LIST_PRICE_HELD); replaying it is the approval. */
export function errorFromHeld(held: HeldChange): SellbridgeError {
  return new SellbridgeError('SB_LIST_PRICE_HELD', `SKU ${held.sku} in ${held.marketplaceId}: ${held.why}`, {
    context: { sku: held.sku, marketplaceId: held.marketplaceId, reason: held.reason },
  });
}
