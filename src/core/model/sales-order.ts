import type { Money } from './money.ts';

/**
 * Canonical sales order terms (ERP side). Flows build a `SalesOrderDraft` from an Amazon order and hand it to
 * an ERP gateway; the gateway answers with a `SalesOrder`. Identifiers are the ERP's business ids (customer,
 * item, warehouse, ship method), resolved beforehand through the gateway's `resolve*` methods.
 */

/** A postal address, already shortened and transliterated to what the ERP accepts. */
export interface PostalAddress {
  readonly name: string;
  readonly lines: readonly string[];
  readonly city: string;
  /** State or region code. */
  readonly region: string;
  readonly postalCode: string;
  /** The ERP's own country code (Sage uses its own three-letter codes, e.g. USA). */
  readonly countryId: string;
}

export interface SalesOrderLineDraft {
  /** 1-based, unique within the order. */
  readonly lineNo: number;
  /** ERP item id (after SKU mapping). */
  readonly itemId: string;
  readonly description?: string;
  /** Whole units. */
  readonly quantity: number;
  /** Price of one unit, exact. */
  readonly unitPrice: Money;
  /** Warehouse id; defaults to the order's warehouse. */
  readonly warehouseId?: string;
  readonly shipMethodId?: string;
  /** Amazon OrderItemId, kept on the line so shipments map back to Amazon order items. */
  readonly amazonOrderItemId?: string;
  readonly sellerSku?: string;
  /** Discount on the whole line (Sage TradeDiscAmt), positive; the line amounts to unitPrice x quantity - tradeDiscount. */
  readonly tradeDiscount?: Money;
  /** GL account the line books to (Sage StgSOLine.GLAcctNo), e.g. a tax liability; absent = the item's default. */
  readonly glAccountNo?: string;
  /** Set on lines that carry a charge rather than goods (freight, gift wrap, tax, promotion, rounding): nothing ships. */
  readonly charge?:
    'freight' | 'gift-wrap' | 'other-charges' | 'marketplace-tax' | 'seller-tax' | 'promotions' | 'rounding';
}

export interface SalesOrderDraft {
  /** ERP customer id (one customer per marketplace). */
  readonly customerId: string;
  readonly amazonOrderId: string;
  readonly marketplaceId?: string;
  /** UTC ISO-8601. */
  readonly orderDate: string;
  /** The marketplace's latest ship date (UTC ISO-8601): each line's requested and promise date in the ERP. */
  readonly shipBy?: string;
  readonly currency: string;
  readonly warehouseId: string;
  readonly shipMethodId?: string;
  readonly shipTo?: PostalAddress;
  /** Customer purchase-order number shown in the ERP (Sage keeps 15 characters). */
  readonly customerPoNo?: string;
  readonly freight?: Money;
  readonly lines: readonly SalesOrderLineDraft[];
}

/** Status of an ERP sales order, in canonical words (Sage codes 0..6 map onto these). */
export type SalesOrderStatus =
  'unacknowledged' | 'open' | 'inactive' | 'canceled' | 'closed' | 'incomplete' | 'pending-approval';

export interface SalesOrderLine {
  readonly lineNo: number;
  readonly itemId: string;
  readonly quantity: number;
  /** Whole units shipped so far. */
  readonly quantityShipped: number;
  readonly unitPrice: Money;
  readonly warehouseId: string;
  readonly amazonOrderItemId?: string;
  /** Discount on the whole line (Sage TradeDiscAmt), when the ERP reports one above zero. */
  readonly tradeDiscount?: Money;
  /** The line's amount after its trade discount (Sage ExtAmt), when the ERP reports it. */
  readonly amount?: Money;
  /** GL account the line books to when it overrides the item's default (Sage GLAcctKey -> GLAcctNo). */
  readonly glAccountNo?: string;
  /** `closed` once the line is cancelled (or closed) in the ERP (Sage tsoSOLine.Status 2); absent = open. */
  readonly status?: 'open' | 'closed';
  /** The line's promise date (Sage tsoSOLineDist.PromiseDate), UTC ISO-8601, when set. */
  readonly promiseDate?: string;
}

export interface SalesOrder {
  /** The ERP's surrogate key (Sage SOKey), as text so flows never do arithmetic on it. */
  readonly key: string;
  /** Order number we reserved (Sage TranNo, 10 characters). */
  readonly tranNo: string;
  /** The ERP's display id (Sage TranID). */
  readonly tranId: string;
  readonly status: SalesOrderStatus;
  readonly customerId: string;
  readonly amazonOrderId?: string;
  /** UTC ISO-8601. */
  readonly orderDate: string;
  readonly currency: string;
  /** Ship-to address of the order, when the ERP keeps one (Sage DfltShipToAddrKey -> tciAddress). */
  readonly shipTo?: PostalAddress;
  /** Header freight (Sage FreightAmt) and order total (TranAmt: lines after discounts + freight), when reported. */
  readonly freight?: Money;
  readonly total?: Money;
  readonly lines: readonly SalesOrderLine[];
}

/** Options of `createSalesOrder`. */
export interface CreateSalesOrderOptions {
  /** Our reserved order number (the idempotency key): own prefix + sequence, at most 10 characters. */
  readonly tranNo: string;
}

export interface CreateSalesOrderResult {
  /** `created` the first time; `existing` when an order with this tranNo was already in the ERP. */
  readonly outcome: 'created' | 'existing';
  readonly order: SalesOrder;
}

export type SalesOrderLookup = { readonly tranNo: string } | { readonly amazonOrderId: string };

/** What the three-way reconciliation reads of an Amazon order's sales order: its TranNo and total. */
export interface SalesOrderTotal {
  readonly amazonOrderId: string;
  readonly tranNo: string;
  /** The order's TranAmt in its currency; absent while Sage has not totalled the order. */
  readonly total?: Money;
}

/** Options of `shipSalesOrder`: the day Amazon shipped the order (UTC ISO-8601), the Sage shipment's TranDate. */
export interface ShipSalesOrderOptions {
  readonly shipDate: string;
}

/**
 * Result of `shipSalesOrder`: `shipped` when this call made the shipment, `existing` when the order had shipped in
 * full already (nothing was made). `shipmentKeys` are the ShipKeys of the shipments holding the order's lines.
 */
export interface ShipSalesOrderResult {
  readonly outcome: 'shipped' | 'existing';
  readonly shipmentKeys: readonly string[];
  readonly order: SalesOrder;
}

/**
 * A customer return to enter in Sage for an Amazon refund (issue 17): the goods lines of the original order,
 * named by their Amazon OrderItemId, with the quantity refunded. `reference` is Amazon's refund (adjustment) id.
 */
export interface CustomerReturnDraft {
  readonly amazonOrderId: string;
  /** TranNo of the original Sage sales order (the return's lines point at its lines). */
  readonly salesOrderTranNo: string;
  readonly reference: string;
  /**
   * What Amazon told: a refund (`reference` = its adjustment id; the default) or a line of the FBA customer returns
   * report (`reference` = the line's key). Only the return's comment says which.
   */
  readonly source?: 'refund' | 'fba-return';
  /** UTC ISO-8601: when Amazon posted the refund (or the goods came back, for an FBA return). */
  readonly returnDate: string;
  readonly lines: readonly { readonly amazonOrderItemId: string; readonly quantity: number }[];
}

export interface CustomerReturnResult {
  /** `created` the first time; `existing` when a return with this TranNo was already in Sage. */
  readonly outcome: 'created' | 'existing';
  /** Sage ShipKey of the customer return (TranType 811) as text. */
  readonly returnKey: string;
  readonly tranNo: string;
}
