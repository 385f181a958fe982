import type { Money } from './money.ts';

/** Stock of one item in one warehouse, in whole units (negative availability is reported as is). */
export interface StockLevel {
  readonly itemId: string;
  readonly warehouseId: string;
  readonly onHand: number;
  readonly available: number;
}

/** The price of one item on one price sheet, the latest row effective on the asked date. */
export interface ItemPrice {
  readonly itemId: string;
  readonly warehouseId: string;
  /** Which column was read: list or sheet 1..4. */
  readonly priceSheet: PriceSheet;
  readonly price: Money;
  /** UTC ISO-8601 date the price row became effective. */
  readonly effectiveDate: string;
}

export type PriceSheet = 'list' | 'sheet1' | 'sheet2' | 'sheet3' | 'sheet4';

export interface PriceQuery {
  readonly itemIds: readonly string[];
  readonly warehouseId: string;
  readonly priceSheet: PriceSheet;
  readonly currency: string;
  /** UTC ISO-8601; defaults to now. */
  readonly asOf?: string;
}

/** An ERP item as the resolver found it. */
export interface ItemRef {
  /** What was asked (SKU, alias or UPC). */
  readonly query: string;
  readonly itemId: string;
  readonly matchedBy: 'item-id' | 'alias' | 'upc';
  readonly description: string;
  readonly stockUnit: string;
  readonly weight?: number;
  readonly upc?: string;
}

export interface WarehouseRef {
  readonly warehouseId: string;
  readonly description: string;
}

/** An ERP customer as `connections check` compares it with the mapping. */
export interface CustomerRef {
  readonly customerId: string;
  readonly name: string;
  /** Sage tarCustomer.Status: 1 active, 2 inactive, 3 temporary, 4 deleted (facts §3); `unknown` for another code. */
  readonly status: 'active' | 'inactive' | 'temporary' | 'deleted' | 'unknown';
  readonly onHold: boolean;
  /** The currency of the customer's default bill-to address; absent when it has none. */
  readonly currency?: string;
}

export interface ShipMethodRef {
  readonly shipMethodId: string;
  readonly description: string;
}

/** What a flow needs to enrich an order before building a draft. */
export interface OrderContext {
  readonly items: readonly ItemRef[];
  /** Asked values nothing matched. */
  readonly unknownItems: readonly string[];
  readonly stock: readonly StockLevel[];
  readonly customer?: {
    readonly customerId: string;
    readonly name: string;
    readonly onHold: boolean;
    /** The ERP's custom fields of the customer, in order (Sage: UserFld1..4); empty when unset. */
    readonly customFields: readonly string[];
  };
  readonly shipMethod?: { readonly shipMethodId: string; readonly description: string };
}

export interface OrderContextQuery {
  readonly skus: readonly string[];
  readonly customerId: string;
  readonly warehouseIds: readonly string[];
  readonly shipMethodId?: string;
}
