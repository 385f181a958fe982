import type { Money } from './money.ts';
import type { PriceSheet } from './inventory.ts';

/**
 * Canonical listing state (issue 7): what one Amazon SKU in one marketplace should show, derived from Sage
 * 500 stock, prices and item fields, and what Sellbridge last sent for it. Quantities are whole units,
 * prices integer minor units (money.ts), never floats.
 */

/** Merchant-fulfilled (channel code DEFAULT) or fulfilled by Amazon (FBA: Amazon owns the quantity). */
export type FulfillmentChannel = 'MFN' | 'FBA';

/** One value of an Amazon listing attribute, as in the product-type schemas (`{ value, marketplace_id, … }`). */
export type AttributeValue = Readonly<Record<string, string | number | boolean>>;

/** Amazon attributes keyed by name; each is an array of values (product-type schema shape). */
export type ListingAttributes = Readonly<Record<string, readonly AttributeValue[]>>;

/** A SKU Sellbridge manages: the link from an Amazon listing to a Sage item. */
export interface ListingLink {
  readonly sku: string;
  /** Sage ItemID (varchar(30)). Several SKUs may draw on one item. */
  readonly itemId: string;
  readonly marketplaceId: string;
  /** Currency of the marketplace's offer (USD for ATVPDKIKX0DER …). */
  readonly currency: string;
  /** Amazon product type; PATCH messages must name it ("PRODUCT" when unknown). */
  readonly productType: string;
  readonly fulfillment: FulfillmentChannel;
  /** Attributes mapped from Sage item fields (custom-field-attributes.ts); empty when none are managed. */
  readonly attributes?: ListingAttributes;
}

/** What Amazon should show for one SKU in one marketplace. Undefined = not managed by Sellbridge. */
export interface ListingState {
  readonly sku: string;
  readonly itemId: string;
  readonly marketplaceId: string;
  readonly productType: string;
  readonly fulfillment: FulfillmentChannel;
  /** Whole units, 0 or more; undefined for FBA SKUs (never pushed from Sage) and opted-out SKUs. */
  readonly quantity?: number;
  readonly price?: Money;
  readonly attributes: ListingAttributes;
}

/** What Sellbridge last sent (and Amazon accepted) for one SKU in one marketplace; the store keeps it. */
export interface SentListingState {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly quantity?: number;
  readonly price?: Money;
  /** Attributes last sent, by name. */
  readonly attributes?: ListingAttributes;
}

/** The Sage item fields the attribute map can read (timItem, timItemDescription, timItemUnitOfMeas, UserFld1..n). */
export interface ItemFields {
  readonly itemId: string;
  readonly shortDesc?: string;
  readonly longDesc?: string;
  readonly upc?: string;
  /** In the item's weight unit (Sage keeps one number). */
  readonly weight?: number;
  /** UserFld1..n in order; empty string or undefined when unset. */
  readonly userFields?: readonly (string | undefined)[];
}

/** Per-SKU exceptions to the sync rules. */
export interface ListingOverride {
  /** Leave the quantity, the price or both alone for this SKU. */
  readonly optOut?: 'quantity' | 'price' | 'all';
  readonly safetyStock?: number;
  readonly maxQuantity?: number;
  /** A fixed price instead of the price sheet (minor units of the marketplace currency). */
  readonly priceMinor?: number;
}

/** How a computed price becomes the price Amazon shows. */
export interface PriceRules {
  /** Sage price sheet to read (list or sheet 1..4). */
  readonly priceSheet: PriceSheet;
  /** The warehouse whose price rows apply. */
  readonly warehouseId: string;
  /** Markup on the sheet price in basis points (250 = +2.5 %); 0 sends the sheet price as is. */
  readonly markupBasisPoints: number;
  /** How a marked-up price that falls between minor units is rounded: half-up, up, down. */
  readonly rounding: 'half-up' | 'up' | 'down';
  /** After rounding, raise the price to the next one ending in these minor units (e.g. 99 -> x.99); undefined = no ending. */
  readonly endingMinor?: number;
  /** Guard rails in minor units: a price outside them is not sent (reported as held). */
  readonly minMinor?: number;
  readonly maxMinor?: number;
  /** A change of more than this percent from the last price sent waits for approval; undefined = no limit. */
  readonly maxChangePercent?: number;
}

/** Availability and price rules of one connection (issue 7 "rules as data"). */
export interface ListingSyncRules {
  /** Sage warehouses whose available quantity is summed (vdvStockStatus.QtyAvailable). */
  readonly warehouseIds: readonly string[];
  /** Units always held back. */
  readonly safetyStock: number;
  /** Percent of the pool held back as well (rounded up, so never oversells). */
  readonly safetyStockPercent: number;
  /** Percent of what is left that is listed (100 = all), rounded down. */
  readonly exposePercent: number;
  /** Cap on the listed quantity; undefined = no cap. */
  readonly maxQuantity?: number;
  /** When the listed quantity would be below this, list 0 instead (avoid selling the last units). */
  readonly zeroBelow: number;
  /**
   * When several distinct SKUs draw on the same Sage item (in any marketplace; one SKU listed in several
   * marketplaces counts once, as a unified account shares its quantity): `split` divides the pool evenly (the
   * remainder to the first SKUs in sort order), `first` gives it all to the first SKU. Never oversells.
   */
  readonly sharedItem: 'split' | 'first';
  /**
   * FBA quantities belong to Amazon; true (the default, issue 7) never sends them. False sends the Sage
   * quantity on channel DEFAULT as for merchant-fulfilled SKUs — only for a SKU also sold merchant-fulfilled.
   */
  readonly skipFbaQuantity: boolean;
  readonly price: PriceRules;
  /** Sage items on hold: every SKU drawing on them lists 0 whatever the stock (never sells held goods). */
  readonly onHoldItemIds?: readonly string[];
  /** Per-SKU exceptions, keyed by SKU. */
  readonly overrides: Readonly<Record<string, ListingOverride>>;
}

export const DEFAULT_LISTING_SYNC_RULES: ListingSyncRules = {
  warehouseIds: ['MAIN'],
  safetyStock: 0,
  safetyStockPercent: 0,
  exposePercent: 100,
  zeroBelow: 0,
  sharedItem: 'split',
  skipFbaQuantity: true,
  price: { priceSheet: 'list', warehouseId: 'MAIN', markupBasisPoints: 0, rounding: 'half-up' },
  overrides: {},
};
