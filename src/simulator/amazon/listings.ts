import type { SimulatorContext } from './types.ts';
import { marketplaceById } from './marketplaces.ts';
import { decimal } from './order-wire.ts';

/**
 * The seller's listings, as the Listings Items API and JSON_LISTINGS_FEED see them: attributes keyed by name
 * (arrays of values, as in Amazon's product-type schemas), statuses and issues. Seeded from the scenario
 * catalogue; changed by patchListingsItem and by processed feeds, so a read-back shows the change.
 */
export interface ListingIssue {
  readonly code: string;
  readonly message: string;
  readonly severity: 'ERROR' | 'WARNING' | 'INFO';
  readonly attributeName?: string;
  /** Enforcement actions Amazon took for the issue (LISTING_SUPPRESSED, SEARCH_SUPPRESSED, ...). */
  readonly enforcements?: readonly string[];
}

export interface SimListing {
  readonly sku: string;
  readonly sellerId: string;
  productType: string;
  asin: string;
  readonly createdDate: string;
  lastUpdatedDate: string;
  attributes: Record<string, Record<string, unknown>[]>;
  status: ('BUYABLE' | 'DISCOVERABLE')[];
  issues: ListingIssue[];
}

export interface PatchOperation {
  readonly op: string;
  readonly path: string;
  readonly value?: unknown;
}

/** Simulator issue codes (Amazon's are numeric and undocumented as a list; these say what they mean). */
export const LISTING_ISSUE = {
  skuNotFound: 'SIM_SKU_NOT_FOUND',
  badValue: 'SIM_INVALID_VALUE',
  badPath: 'SIM_INVALID_PATH',
  missing: 'SIM_MISSING_ATTRIBUTE',
} as const;

export class ListingStore {
  readonly listings = new Map<string, SimListing>();
  readonly #sim: SimulatorContext;

  constructor(sim: SimulatorContext) {
    this.#sim = sim;
    for (const seller of sim.sellers) {
      const marketplace = marketplaceById(seller.marketplaceIds[0] ?? '') ?? marketplaceById('ATVPDKIKX0DER')!;
      for (const item of sim.catalogue(seller.sellerId)) {
        const price = item.priceMinor ?? 1999;
        this.put({
          sku: item.sku,
          sellerId: seller.sellerId,
          productType: 'PRODUCT',
          asin: sim.generator(seller.sellerId).asinOf(item.sku),
          createdDate: new Date(sim.now() - 90 * 86_400_000).toISOString(),
          lastUpdatedDate: new Date(sim.now() - 86_400_000).toISOString(),
          attributes: {
            item_name: [{ value: item.title ?? item.sku, language_tag: 'en_US', marketplace_id: marketplace.id }],
            fulfillment_availability: [{ fulfillment_channel_code: 'DEFAULT', quantity: 25 }],
            purchasable_offer: [
              {
                marketplace_id: marketplace.id,
                currency: marketplace.currency,
                audience: 'ALL',
                our_price: [{ schedule: [{ value_with_tax: Number(decimal(price)) }] }],
              },
            ],
          },
          status: ['BUYABLE', 'DISCOVERABLE'],
          issues: [],
        });
      }
    }
  }

  key(sellerId: string, sku: string): string {
    return `${sellerId}\u0000${sku}`;
  }

  get(sellerId: string, sku: string): SimListing | undefined {
    return this.listings.get(this.key(sellerId, sku));
  }

  put(listing: SimListing): void {
    this.listings.set(this.key(listing.sellerId, listing.sku), listing);
  }

  /** Checks attribute values the simulator understands: quantities and prices. */
  validateAttribute(name: string, values: unknown): ListingIssue[] {
    const bad = (message: string): ListingIssue[] => [
      { code: LISTING_ISSUE.badValue, message, severity: 'ERROR', attributeName: name },
    ];
    if (!Array.isArray(values)) return bad(`'${name}' must be an array of values.`);
    for (const value of values) {
      if (typeof value !== 'object' || value === null) return bad(`'${name}' values must be objects.`);
      const v = value as Record<string, unknown>;
      if (name === 'fulfillment_availability') {
        if (typeof v.fulfillment_channel_code !== 'string')
          return bad(`'fulfillment_channel_code' is required in '${name}'.`);
        if (v.quantity !== undefined && (!Number.isInteger(v.quantity) || (v.quantity as number) < 0))
          return bad(`'quantity' must be a whole number of 0 or more, got ${JSON.stringify(v.quantity)}.`);
      }
      if (name === 'purchasable_offer') {
        const schedule = (v.our_price as { schedule?: { value_with_tax?: unknown }[] }[] | undefined)?.[0]
          ?.schedule?.[0];
        if (schedule && (typeof schedule.value_with_tax !== 'number' || !(schedule.value_with_tax > 0)))
          return bad(`'value_with_tax' must be a positive number, got ${JSON.stringify(schedule.value_with_tax)}.`);
      }
    }
    return [];
  }

  /** Validates patches; returns issues (empty = valid). */
  validatePatches(patches: readonly PatchOperation[]): ListingIssue[] {
    const issues: ListingIssue[] = [];
    for (const patch of patches) {
      const match = /^\/attributes\/([a-z0-9_]+)$/.exec(patch.path);
      if (!match) {
        issues.push({
          code: LISTING_ISSUE.badPath,
          message: `Only top-level attributes can be patched: ${patch.path}.`,
          severity: 'ERROR',
        });
        continue;
      }
      if (patch.op !== 'delete') issues.push(...this.validateAttribute(match[1]!, patch.value));
    }
    return issues;
  }

  applyPatches(listing: SimListing, patches: readonly PatchOperation[]): void {
    for (const patch of patches) {
      const name = patch.path.slice('/attributes/'.length);
      const values = (patch.value ?? []) as Record<string, unknown>[];
      if (patch.op === 'delete') delete listing.attributes[name];
      else if (patch.op === 'merge' && name === 'fulfillment_availability') {
        const current = listing.attributes[name] ?? [];
        for (const value of values) {
          const existing = current.find((c) => c.fulfillment_channel_code === value.fulfillment_channel_code);
          if (existing) Object.assign(existing, value);
          else current.push({ ...value });
        }
        listing.attributes[name] = current;
      } else listing.attributes[name] = values.map((v) => ({ ...v }));
    }
    this.touch(listing);
  }

  replaceAttributes(
    listing: SimListing,
    attributes: Record<string, Record<string, unknown>[]>,
    partial: boolean,
  ): void {
    listing.attributes = partial ? { ...listing.attributes, ...attributes } : { ...attributes };
    this.touch(listing);
  }

  touch(listing: SimListing): void {
    listing.lastUpdatedDate = new Date(
      Math.max(this.#sim.now(), Date.parse(listing.lastUpdatedDate) + 1),
    ).toISOString();
    this.#refreshStatus(listing);
  }

  /**
   * Sets a listing's issues as Amazon's own checks would (e.g. a missing required attribute, a suppression) and
   * publishes LISTINGS_ITEM_ISSUES_CHANGE; an ERROR issue makes the listing not buyable (status change follows).
   */
  setIssues(listing: SimListing, issues: readonly ListingIssue[]): void {
    listing.issues = issues.map((i) => ({ ...i }));
    this.#sim.events.emit('listing-issues', listing);
    this.touch(listing);
  }

  /**
   * Buyable when it has an offer with a quantity above zero and no ERROR issue; discoverable unless an issue
   * suppresses it from search. A change publishes LISTINGS_ITEM_STATUS_CHANGE (Amazon sends it when buyability
   * or discoverability changes).
   */
  #refreshStatus(listing: SimListing): void {
    const errors = listing.issues.filter((i) => i.severity === 'ERROR');
    const quantity = this.quantity(listing);
    const status: SimListing['status'] = [];
    if (errors.length === 0 && quantity !== undefined && quantity > 0 && listing.attributes.purchasable_offer)
      status.push('BUYABLE');
    if (
      !listing.issues.some(
        (i) => i.enforcements?.includes('SEARCH_SUPPRESSED') || i.enforcements?.includes('LISTING_SUPPRESSED'),
      )
    )
      status.push('DISCOVERABLE');
    if (status.join() === listing.status.join()) return;
    listing.status = status;
    this.#sim.events.emit('listing-status', listing);
  }

  create(sellerId: string, sku: string, productType: string): SimListing {
    const now = new Date(this.#sim.now()).toISOString();
    const listing: SimListing = {
      sku,
      sellerId,
      productType,
      asin: this.#sim.generator(sellerId).asinOf(sku),
      createdDate: now,
      lastUpdatedDate: now,
      attributes: {},
      status: ['DISCOVERABLE'],
      issues: [],
    };
    this.put(listing);
    return listing;
  }

  quantity(listing: SimListing): number | undefined {
    const entry = listing.attributes.fulfillment_availability?.find((v) => v.fulfillment_channel_code === 'DEFAULT');
    return typeof entry?.quantity === 'number' ? entry.quantity : undefined;
  }
}
