import type {
  CashReceiptDraft,
  CashReceiptResult,
  ExchangeRateAnswer,
  ExchangeRateQuery,
  OrderInvoice,
} from '../model/cash-receipt.ts';
import type { CustomerReceivable, GlAccountCheck, JournalBatch, PostedJournal } from '../model/journal.ts';
import type {
  ItemPrice,
  ItemRef,
  OrderContext,
  OrderContextQuery,
  PriceQuery,
  StockLevel,
  WarehouseRef,
  CustomerRef,
  ShipMethodRef,
} from '../model/inventory.ts';
import type { ItemFields } from '../model/listing.ts';
import type {
  CreateSalesOrderOptions,
  CreateSalesOrderResult,
  PostalAddress,
  SalesOrder,
  SalesOrderDraft,
  SalesOrderLookup,
  SalesOrderTotal,
  ShipSalesOrderOptions,
  ShipSalesOrderResult,
  CustomerReturnDraft,
  CustomerReturnResult,
} from '../model/sales-order.ts';
import type { Shipment, ShipmentPage } from '../model/shipment.ts';
import type { CatalogueItem } from '../transform/sku-resolution.ts';

/**
 * What SQL Server change tracking says changed in Sage's stock rows (`timWhseBinInvt`, `timInventory`) since a
 * version. `off`: change tracking is not enabled (or not configured): read everything, as without it. `full`: no
 * usable version (the first read, or one older than the retention, CHANGE_TRACKING_MIN_VALID_VERSION): read
 * everything once, then continue from `version`. Versions are opaque text (a bigint), kept as a watermark.
 */
export type StockChanges =
  | { readonly tracking: 'off'; readonly reason: string }
  | { readonly tracking: 'full'; readonly version: string; readonly reason: 'first' | 'expired' }
  | { readonly tracking: 'changes'; readonly version: string; readonly itemIds: readonly string[] };

/**
 * What SQL Server change tracking says changed in Sage's shipment rows (`tsoShipment`, `tsoShipmentLog`) since a
 * version, as StockChanges: `off` (read by the ShipKey cursor, as without it), `full` (no usable version: read by
 * the cursor path until it has caught up, then continue from `version`), or `changes`: the committed or posted
 * customer shipments among the changed ones, read in full (lines and packages).
 */
export type ShipmentChanges =
  | { readonly tracking: 'off'; readonly reason: string }
  | { readonly tracking: 'full'; readonly version: string; readonly reason: 'first' | 'expired' }
  | { readonly tracking: 'changes'; readonly version: string; readonly shipments: readonly Shipment[] };

/** Filter of `listItems`. */
export interface ItemListFilter {
  /** Substring of ItemID, description or UPC; empty = every active item. */
  readonly text?: string;
  /** Most items returned (default 1000). */
  readonly limit?: number;
}

/**
 * The ERP side of Sellbridge for one Sage 500 company (ARCHITECTURE.md, "Exactly once into Sage 500").
 * Canonical terms only. Implementations: `sqlserver-gateway` (a real Sage 500 database) and `sandbox-gateway`
 * (embedded SQLite with Sage's table names and import-procedure semantics). Both pass
 * `describeSage500Gateway` in test/contract/sage500.
 *
 * Errors, for every method:
 * - `SB_SAGE_UNAVAILABLE` (kind unavailable, `retryAfterMs` set): the database cannot be reached, a query
 *   timed out or the connection dropped. Nothing is known to have changed; run the same call again later.
 * - `SB_SAGE_QUERY_FAILED` (transient): the database answered with an unexpected error; retry with backoff.
 * Method-specific errors are listed per method.
 */
export interface Sage500Gateway {
  /**
   * Finds items by ItemID, then item alias, then UPC, in that order, for each asked value. Read-only.
   * Values nothing matches are returned in `unknown` (not an error: the caller decides).
   */
  resolveItems(queries: readonly string[]): Promise<{ items: readonly ItemRef[]; unknown: readonly string[] }>;

  /**
   * Active Sage items (ItemID, short description, UPC of the stock unit), ordered by ItemID: the catalogue
   * unknown-SKU suggestions compare against. `text` keeps items whose ItemID, description or UPC contains it
   * (case-insensitive, `%`/`_` literal); at most `limit` items (default 1000; a limit outside 1..10000 is
   * brought into that range). Read-only.
   */
  listItems(filter?: ItemListFilter): Promise<readonly CatalogueItem[]>;

  /**
   * The fields listing attributes are mapped from (inventory.customFieldMap) of each item by ItemID: short and long
   * description, the stock unit's UPC, weight and the item's custom fields UserFld1..4 (those two only where the
   * database has the columns). Unknown ItemIDs are left out. Read-only.
   */
  readItemFields(itemIds: readonly string[]): Promise<readonly ItemFields[]>;

  /** Warehouses by WhseID; unknown ids are left out. Read-only. */
  resolveWarehouses(warehouseIds: readonly string[]): Promise<readonly WarehouseRef[]>;

  /** Customers by CustID with their status, hold and currency (of the default bill-to address); unknown ids are left out. Read-only. */
  resolveCustomers(customerIds: readonly string[]): Promise<readonly CustomerRef[]>;

  /** Ship methods by ShipMethID; unknown ids are left out. Read-only. */
  resolveShipMethods(shipMethodIds: readonly string[]): Promise<readonly ShipMethodRef[]>;

  /**
   * Everything a flow needs to enrich an order: items (description, stock unit, weight, UPC), stock per
   * warehouse, the customer of the marketplace and the ship method. Read-only.
   */
  loadOrderContext(query: OrderContextQuery): Promise<OrderContext>;

  /**
   * Creates the sales order through Sage's import procedure (stage, run `spSOapiSalesOrdIns`, read the log,
   * clean the staging rows). **Idempotent by `options.tranNo`**: when an order with that TranNo exists the call
   * returns it with outcome `existing` and stages nothing; Sage's unique key (CompanyID, TranType, TranNoRel)
   * is the final guard against a race.
   *
   * Errors: `SB_SAGE_ORDER_REJECTED` (mapping) listing every message Sage wrote to `tdmMigrationLogWrk`
   * (unknown customer/item/warehouse...); nothing stays behind, so the same call may be replayed after the
   * data is fixed. `SB_SAGE_VALUE_TOO_LONG` (mapping) when a value does not fit its Sage column, checked before
   * anything is written; `SB_SAGE_ORDER_INVALID` (mapping) for a malformed draft (no lines, duplicate line
   * numbers, bad quantities), listing every issue. `SB_SAGE_TRANNO_INVALID` (validation) for an empty or over-long TranNo;
   * `SB_SAGE_TRANNO_TAKEN` (validation) when an order with that TranNo belongs to another Amazon order.
   */
  createSalesOrder(draft: SalesOrderDraft, options: CreateSalesOrderOptions): Promise<CreateSalesOrderResult>;

  /** Finds a sales order by our TranNo or by AmazonOrderId (through the extension table). Read-only. */
  findSalesOrder(lookup: SalesOrderLookup): Promise<SalesOrder | undefined>;

  /**
   * The sales orders of many Amazon orders at once, each with its TranNo and total, found as findSalesOrder finds
   * one (the extension table, then TranCmnt for those it misses): the three-way reconciliation reads a page of a
   * settlement's orders in a few statements instead of one or two per order. Read-only; Amazon orders without a
   * sales order are left out.
   */
  salesOrderTotalsOf(amazonOrderIds: readonly string[]): Promise<readonly SalesOrderTotal[]>;

  /**
   * Cancels an order that nothing has shipped from yet. Idempotent: cancelling a canceled order returns it.
   * Errors: `SB_SAGE_ORDER_NOT_FOUND` (validation); `SB_SAGE_ORDER_NOT_CANCELABLE` (validation) once any
   * quantity shipped.
   */
  cancelSalesOrder(tranNo: string): Promise<SalesOrder>;

  /**
   * Ships everything still open on the order with Sage's own shipment procedures: an order Amazon fulfilled (FBA)
   * is booked as shipped from its warehouse, so Sage's stock and revenue match Amazon's. On SQL Server the pick
   * list and shipment come from `spsoCreatePickList`, `spsoCreateShipLines`, `spsoGenShip` and
   * `spsoGenerateShipments` (Net4Sage's ShipmentHandler, review R6); the sandbox emulates them on its tables.
   * **Idempotent**: an order with nothing open to ship is returned with outcome `existing` and no shipment is made.
   * Errors: `SB_SAGE_ORDER_NOT_FOUND` (validation); `SB_SAGE_ORDER_NOT_SHIPPABLE` (validation) for a canceled or
   * closed order or one already on a pick list or pending shipment; `SB_SAGE_SHIPMENT_FAILED` (transient) when a
   * procedure answered failure (its return value in the context).
   */
  shipSalesOrder(tranNo: string, options: ShipSalesOrderOptions): Promise<ShipSalesOrderResult>;

  /**
   * Enters an Amazon refund as the document a Sage user keys for goods coming back: a **customer return**
   * (`tsoShipment` TranType 811, Process Customer Returns) whose lines point at the original order's lines
   * (`tsoShipLine.SOLineKey`, from the Amazon OrderItemIds of the extension table), the refunded quantity on each
   * line's distribution, in the line's warehouse. It is left **pending** (tsoShipmentLog TranStatus 2, no batch) for
   * a Sage user to commit and post: Sage's posting makes the AR credit memo from it. No public source shows a
   * procedure that creates customer returns, so the rows are written directly (inferred; see docs/fba-and-returns.md). **Idempotent by `options.tranNo`** (TranType 811): an existing return is returned
   * with outcome `existing` and nothing is written.
   * Errors: `SB_SAGE_ORDER_NOT_FOUND` (validation); `SB_SAGE_RETURN_INVALID` (mapping) when a line names no line of
   * the order, or returns more than the line shipped (listing every such line); `SB_SAGE_TRANNO_INVALID` (validation).
   */
  recordCustomerReturn(draft: CustomerReturnDraft, options: { readonly tranNo: string }): Promise<CustomerReturnResult>;

  /**
   * Cancels one line (by its line number) that nothing has shipped from, as Sage's cancel does for the whole order:
   * its open committed stock is released, the line and its distributions are closed with nothing left to ship.
   * Idempotent: a closed line (or a canceled order) is returned as it is.
   * Errors: `SB_SAGE_ORDER_NOT_FOUND`, `SB_SAGE_LINE_NOT_FOUND` (validation); `SB_SAGE_ORDER_NOT_CANCELABLE`
   * (validation) once the line shipped or is on a pick list or shipment.
   */
  cancelSalesOrderLine(tranNo: string, lineNo: number): Promise<SalesOrder>;

  /**
   * Points the order (and its open lines) at a new ship-to address, already fitted to Sage's columns by the caller.
   * Idempotent: the address the order already has changes nothing.
   * Errors: `SB_SAGE_ORDER_NOT_FOUND` (validation); `SB_SAGE_VALUE_TOO_LONG` (mapping) for a field longer than its
   * column; `SB_SAGE_ORDER_NOT_CHANGEABLE` (validation) once anything shipped or is on a pick list or shipment, or
   * the order is canceled or closed.
   */
  updateSalesOrderShipTo(tranNo: string, shipTo: PostalAddress): Promise<SalesOrder>;

  /**
   * Committed or posted customer shipments with their lines, quantities, ship method and packages with
   * tracking numbers, after `cursor` (undefined = from the start). Read-only; a shipment may come back again
   * on a later call (the rewind window re-reads recent keys so late commits are not missed): de-duplicate
   * on (shipment key, package). One call reads a bounded page; `more` says to call again with the new cursor.
   */
  listShipments(cursor: string | undefined): Promise<ShipmentPage>;

  /**
   * Committed and posted shipments whose `tsoShipment` or `tsoShipmentLog` rows changed since `since` (a version
   * this method returned before; undefined = none yet), read from SQL Server change tracking; see ShipmentChanges.
   * `recheck`: shipment keys read again whether or not they changed (shipments still waiting for a tracking number:
   * the package table is not tracked). Read-only. Optional mode: without it the answer is `off` and shipments are
   * read by `listShipments`' cursor.
   */
  shipmentChangesSince(since: string | undefined, recheck?: readonly string[]): Promise<ShipmentChanges>;

  /** Stock per item per warehouse from Sage's stock view; pairs without a row are left out. Read-only. */
  getStock(itemIds: readonly string[], warehouseIds: readonly string[]): Promise<readonly StockLevel[]>;

  /**
   * Items (ItemID) whose bins or inventory rows changed since `since` (a version this method returned before;
   * undefined = none yet), read from SQL Server change tracking (`CHANGETABLE(CHANGES ...)`); see StockChanges.
   * Read-only. Change tracking is optional: without it the answer is `off` and stock is read in full as before.
   */
  stockChangesSince(since: string | undefined): Promise<StockChanges>;

  /** Latest effective price per item on a price sheet; items without a price row are left out. Read-only. */
  getPrices(query: PriceQuery): Promise<readonly ItemPrice[]>;

  /**
   * Enters the journal as one unposted GL batch. **Idempotent by `batch.reference`** (kept in the batch
   * comment): a second call returns the existing batch with outcome `existing`.
   * Errors: `SB_SAGE_JOURNAL_UNBALANCED` (validation), `SB_SAGE_GL_ACCOUNT_INVALID` (mapping, lists every bad
   * account), `SB_SAGE_FISCAL_PERIOD_CLOSED` (validation) when the date is not in an open period.
   */
  postJournal(batch: JournalBatch): Promise<PostedJournal>;

  /** Checks accounts exist, are active and financial. Read-only; never throws for a bad account. */
  validateGlAccounts(accounts: readonly string[]): Promise<readonly GlAccountCheck[]>;

  /**
   * The receivable GL account of each customer, from its customer class (the account Sage's invoices debit): how
   * the `invoiced-orders` accounting model is checked against Sage. Read-only; one entry per asked customer, with
   * `problem` when the customer, its class or the class's account is missing, or the database's catalog has no
   * tarCustClass.ARAcctKey (no public source shows that column).
   */
  receivableAccountsOf(customerIds: readonly string[]): Promise<readonly CustomerReceivable[]>;

  /**
   * The company's home currency (tsmCompany.CurrID) and, when `query.currency` is another one, the rate Sage's
   * multi-currency module holds for it on `query.date` (tmcCurrExchSchdDtl: SourceCurrID = the currency, TargetCurrID
   * = home, EffectiveDate on or before the date, ExpirationDate unset or on or after it; the newest wins). Read-only;
   * never throws for a missing rate: `problem` says why there is none.
   */
  exchangeRate(query: ExchangeRateQuery): Promise<ExchangeRateAnswer>;

  /**
   * The Sage invoices (posted or pending, tarInvoice) that bill the sales orders of these Amazon orders, through the
   * invoice lines' sales order lines (tarInvoiceDetl.SOLineKey -> tsoSOLine -> our order link): what Sage invoiced,
   * for the three-way reconciliation. Read-only; orders without an invoice are left out.
   */
  invoicesOfOrders(amazonOrderIds: readonly string[]): Promise<readonly OrderInvoice[]>;

  /**
   * Enters the settlement's money as one pending AR cash receipt of the customer in a new cash-receipts batch
   * (BatchType 503) that a Sage user reviews and posts like a keyed one, applied to the open invoices of the
   * settlement's orders (tarInvoiceDetl.SOLineKey -> the order's lines); what no invoice takes stays unapplied on
   * the receipt and is listed. **Idempotent by `receipt.reference`** (tarCustPmt_AMZ, written in the receipt's
   * transaction): a second call returns the receipt with outcome `existing` and writes nothing.
   * Errors: `SB_SAGE_SCHEMA_MISSING` (the pending receipt tables are not in this database: no public source
   * shows them), `SB_SAGE_CASH_RECEIPT_INVALID` (mapping: unknown customer or cash account, a non-positive
   * amount), `SB_SAGE_FISCAL_PERIOD_CLOSED` (validation).
   */
  enterCashReceipt(receipt: CashReceiptDraft): Promise<CashReceiptResult>;

  /** Creates Sellbridge's extension tables when missing. Idempotent. Returns the statements that were run. */
  installExtensions(): Promise<readonly string[]>;

  /** Cheap round trip. Never throws: reports `ok: false` with a reason. */
  health(): Promise<{ ok: boolean; detail: string }>;

  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}
