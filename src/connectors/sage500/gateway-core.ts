import { MappingError, SellbridgeError, type FieldIssue } from '../../core/errors.ts';
import type { GlAccountCheck, JournalBatch, PostedJournal } from '../../core/model/journal.ts';
import type { ItemPrice, ItemRef, OrderContext, OrderContextQuery, PriceQuery, StockLevel, WarehouseRef } from '../../core/model/inventory.ts';
import { moneyToDecimal, money } from '../../core/model/money.ts';
import type {
  CreateSalesOrderOptions,
  CreateSalesOrderResult,
  SalesOrder,
  SalesOrderDraft,
  SalesOrderLookup,
  SalesOrderStatus,
  PostalAddress,
} from '../../core/model/sales-order.ts';
import type { Shipment, ShipmentPage } from '../../core/model/shipment.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { ItemListFilter, Sage500Gateway } from '../../core/ports/sage500-gateway.ts';
import type { CatalogueItem } from '../../core/transform/sku-resolution.ts';
import { decimalText, isoFromSage, moneyFromSageDecimal, sageDate, sageDateTime, wholeQuantity } from './decimal.ts';
import { checkTranNo, rowsFromSalesOrder } from './rows-from-sales-order.ts';
import { selectShippedQuantity, updateOrderCanceled } from './sql/cancel-sales-order.ts';
import { deleteSessionRows } from './sql/cleanup-session.ts';
import type { SageDb } from './sql/db.ts';
import { selectSalesOrderHeader, selectSalesOrderLines } from './sql/find-sales-order.ts';
import { PRICE_COLUMNS, selectPrices } from './sql/get-prices.ts';
import { selectStock } from './sql/get-stock.ts';
import {
  insertGlBatch,
  insertJournalHeader,
  insertJournalLines,
  insertJournalLog,
  selectBatchByComment,
  selectGlAccounts,
  selectJournal,
  selectLastJournalNo,
  selectOpenFiscalPeriod,
  updateBatchLogPostDate,
} from './sql/gl-journal.ts';
import { insertLineLinks, insertOrderLink, selectOrderLink, updateLineSellerSku } from './sql/link-amazon-ids.ts';
import { selectItemList } from './sql/list-items.ts';
import { selectMaxShipKey, selectPackages, selectShipmentLines } from './sql/list-shipments.ts';
import { selectCustomer, selectShipMethod } from './sql/order-context.ts';
import { selectMigrationLog, selectStagedStatus } from './sql/read-import-result.ts';
import { selectItemAliases } from './sql/resolve-item-aliases.ts';
import { selectItems } from './sql/resolve-items.ts';
import { selectWarehouses } from './sql/resolve-warehouses.ts';
import { insertStagedHeader, insertStagedLines, selectLeftoverSessions } from './sql/stage-sales-order.ts';
import { MIGRATION_LOG_STATUS, PROCESS_STATUS, SHIPMENT_TRAN_STATUS, SO_STATUS } from './tables.ts';

/** One call of spSOapiSalesOrdIns: its output parameters (facts §4.3). */
export interface SalesOrderImportCall {
  readonly retVal: number;
  readonly continue: boolean;
  readonly recsProcessed: number;
  readonly failedRecs: number;
  readonly totalRecs: number;
}

/**
 * What differs between SQL Server and the sandbox. Everything else (the order of steps, the queries in
 * sql/, the mapping of rows to canonical types) is shared, so the contract suite run on the sandbox
 * exercises the same code and the same queries the SQL Server adapter runs.
 */
export interface SageBackend {
  /** For reads; each statement may use any pooled connection. */
  readonly db: SageDb;
  /** One connection and one transaction for a flow step (Sage's procedures and logs are session-scoped). */
  transaction<T>(work: (db: SageDb) => Promise<T>): Promise<T>;
  /** spGetNextSurrogateKey: never MAX+1 (facts §1.3). */
  nextSurrogateKey(tableName: string): Promise<number>;
  /** One call of spSOapiSalesOrdIns for a session. */
  runSalesOrderImport(sessionKey: number): Promise<SalesOrderImportCall>;
  /** spGetNextBatch for a GL general journal batch. */
  getNextBatch(args: { userId: string; comment: string; postDate: string }): Promise<{ batchKey: number; batchNo: number }>;
  installExtensions(): Promise<readonly string[]>;
  ping(): Promise<string>;
  close(): Promise<void>;
  /** Maps a driver error to SB_SAGE_UNAVAILABLE / SB_SAGE_QUERY_FAILED; SellbridgeErrors pass through. */
  classify(err: unknown, operation: string): SellbridgeError;
  /**
   * Runs a flow step on one dedicated connection: every statement, transaction and procedure call of `work`
   * goes through the same session (facts §6.6: Sage's API procedures use temp tables and session-scoped logs).
   */
  withConnection<T>(work: (backend: SageBackend) => Promise<T>): Promise<T>;
  /** Called before every gateway method (fault injection in the sandbox). */
  beforeCall?(operation: string): Promise<void>;
}

export interface GatewayCoreOptions {
  readonly companyId: string;
  readonly userId: string;
  readonly clock: Clock;
  readonly packageTable: { readonly name: string; readonly packageNo: string; readonly tracking: string };
  readonly shipmentRewindKeys: number;
  /** How many ShipKeys past the cursor one listShipments call reads (keeps a first read of a large history small). */
  readonly shipmentPageKeys?: number;
  readonly glJournalId: string;
  readonly importMaxCalls: number;
}

/** Surrogate-key name for our staging sessions (seeded in tciSurrogateKey by install-extensions). */
export const SESSION_KEY_NAME = 'StgSalesOrder_AMZ';

/**
 * SQL Server accepts at most 2100 parameters per statement: long id lists (a full inventory sync) are read in
 * chunks of this many ids.
 */
export const MAX_IDS_PER_STATEMENT = 500;
/** listItems: default and largest number of items returned (the catalogue unknown-SKU suggestions compare with). */
const DEFAULT_ITEM_LIST = 1000;
const MAX_ITEM_LIST = 10_000;

async function inChunks<T, R>(values: readonly T[], read: (chunk: readonly T[]) => Promise<readonly R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < values.length; i += MAX_IDS_PER_STATEMENT) out.push(...(await read(values.slice(i, i + MAX_IDS_PER_STATEMENT))));
  return out;
}

const STATUS_BY_CODE: Readonly<Record<number, SalesOrderStatus>> = Object.fromEntries(Object.entries(SO_STATUS).map(([k, v]) => [v, k as SalesOrderStatus]));

export function createGatewayCore(backend: SageBackend, options: GatewayCoreOptions): Sage500Gateway {
  const co = options.companyId;

  /** Wraps a method: fault hook, then driver errors mapped to Sellbridge errors. */
  const guarded = <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        await backend.beforeCall?.(operation);
        return await fn(...args);
      } catch (err) {
        throw backend.classify(err, operation);
      }
    };

  async function resolveItems(queries: readonly string[]) {
    const wanted = [...new Set(queries)];
    const found = new Map<string, ItemRef>();
    const toRef = (query: string, matchedBy: ItemRef['matchedBy'], r: { ItemID: string; ShortDesc: string | null; UnitMeasID: string | null; ShipWeight: unknown; UPC: string | null }): ItemRef => ({
      query,
      itemId: r.ItemID,
      matchedBy,
      description: r.ShortDesc ?? '',
      stockUnit: r.UnitMeasID ?? '',
      ...(r.ShipWeight === null || r.ShipWeight === undefined ? {} : { weight: Number(decimalText(r.ShipWeight)) }),
      ...(r.UPC ? { upc: r.UPC } : {}),
    });
    if (wanted.length === 0) return { items: [], unknown: [] };
    for (const r of await inChunks(wanted, (c) => selectItems(backend.db, co, 'item-id', c).execute())) found.set(r.ItemID, toRef(r.ItemID, 'item-id', r));
    let rest = wanted.filter((q) => !found.has(q));
    if (rest.length > 0) {
      const aliases = await inChunks(rest, (c) => selectItemAliases(backend.db, co, c).execute());
      if (aliases.length > 0) {
        const items = await inChunks([...new Set(aliases.map((a) => a.ItemID))], (c) => selectItems(backend.db, co, 'item-id', c).execute());
        for (const a of aliases) {
          const item = items.find((i) => i.ItemID === a.ItemID);
          if (item) found.set(a.ItemAliasID, toRef(a.ItemAliasID, 'alias', item));
        }
      }
      rest = rest.filter((q) => !found.has(q));
    }
    if (rest.length > 0) {
      for (const r of await inChunks(rest, (c) => selectItems(backend.db, co, 'upc', c).execute())) if (r.UPC && !found.has(r.UPC)) found.set(r.UPC, toRef(r.UPC, 'upc', r));
    }
    return { items: wanted.flatMap((q) => found.get(q) ?? []), unknown: wanted.filter((q) => !found.has(q)) };
  }

  async function listItems(filter: ItemListFilter = {}): Promise<CatalogueItem[]> {
    const limit = Math.min(MAX_ITEM_LIST, Math.max(1, Math.floor(filter.limit ?? DEFAULT_ITEM_LIST)));
    const out: CatalogueItem[] = [];
    const text = filter.text?.trim() ?? '';
    const needle = text.toLowerCase();
    // The query's LIKE treats %, _ and [ as any character: keep what contains the text literally.
    const contains = (v: string | null) => v !== null && v.toLowerCase().includes(needle);
    let last: string | undefined;
    for (const r of await selectItemList(backend.db, co, text).execute()) {
      if (r.ItemID === last) continue; // one row per item, even if a description or UPC row is doubled
      if (needle !== '' && !contains(r.ItemID) && !contains(r.ShortDesc) && !contains(r.UPC)) continue;
      last = r.ItemID;
      out.push({ itemId: r.ItemID, ...(r.ShortDesc ? { description: r.ShortDesc } : {}), ...(r.UPC ? { upc: r.UPC } : {}) });
      if (out.length >= limit) break;
    }
    return out;
  }

  async function resolveWarehouses(ids: readonly string[]): Promise<WarehouseRef[]> {
    if (ids.length === 0) return [];
    const rows = await selectWarehouses(backend.db, co, ids).execute();
    return rows.map((r) => ({ warehouseId: r.WhseID, description: r.Description }));
  }

  async function getStock(itemIds: readonly string[], warehouseIds: readonly string[]): Promise<StockLevel[]> {
    if (itemIds.length === 0 || warehouseIds.length === 0) return [];
    const rows = await inChunks([...new Set(itemIds)], (c) => selectStock(backend.db, co, c, warehouseIds).execute());
    // Amazon takes whole units: a fraction on hand cannot be sold, so round down.
    const units = (v: unknown) => Math.floor(Number(decimalText(v)));
    return rows.map((r) => ({ itemId: r.ItemID, warehouseId: r.WhseID, onHand: units(r.QtyOnHand), available: units(r.QtyAvailable) }));
  }

  function addressOf(a: { AddrName: string | null; AddrLine1: string | null; AddrLine2: string | null; AddrLine3: string | null; AddrLine4: string | null; AddrLine5: string | null; City: string | null; StateID: string | null; PostalCode: string | null; CountryID: string | null }): PostalAddress {
    const lines = [a.AddrLine1, a.AddrLine2, a.AddrLine3, a.AddrLine4, a.AddrLine5].filter((l): l is string => l !== null && l !== '');
    return { name: a.AddrName ?? '', lines, city: a.City ?? '', region: a.StateID ?? '', postalCode: a.PostalCode ?? '', countryId: a.CountryID ?? '' };
  }

  async function readOrder(by: SalesOrderLookup): Promise<SalesOrder | undefined> {
    const header = await selectSalesOrderHeader(backend.db, co, by).executeTakeFirst();
    if (!header) return undefined;
    const lines = await selectSalesOrderLines(backend.db, header.SOKey).execute();
    return {
      key: String(header.SOKey),
      tranNo: header.TranNo,
      tranId: header.TranID,
      status: STATUS_BY_CODE[header.Status] ?? 'open',
      customerId: header.CustID,
      ...(header.AmazonOrderId ? { amazonOrderId: header.AmazonOrderId } : {}),
      orderDate: isoFromSage(header.TranDate),
      currency: header.CurrID,
      ...(header.AddrKey !== null ? { shipTo: addressOf(header) } : {}),
      ...(header.FreightAmt !== null && header.FreightAmt !== undefined ? { freight: moneyFromSageDecimal(header.FreightAmt, header.CurrID) } : {}),
      ...(header.TranAmt !== null && header.TranAmt !== undefined ? { total: moneyFromSageDecimal(header.TranAmt, header.CurrID) } : {}),
      lines: lines.map((l) => ({
        lineNo: l.SOLineNo,
        itemId: l.ItemID,
        quantity: wholeQuantity(l.QtyOrd, `order ${header.TranNo} line ${l.SOLineNo}`),
        quantityShipped: wholeQuantity(l.QtyShip, `order ${header.TranNo} line ${l.SOLineNo}`),
        unitPrice: moneyFromSageDecimal(l.UnitPrice, header.CurrID),
        warehouseId: l.WhseID,
        ...(l.UserFld1 ? { amazonOrderItemId: l.UserFld1 } : {}),
        ...(l.ExtAmt !== null && l.ExtAmt !== undefined ? { amount: moneyFromSageDecimal(l.ExtAmt, header.CurrID) } : {}),
        ...(l.TradeDiscAmt !== null && l.TradeDiscAmt !== undefined && Number(l.TradeDiscAmt) !== 0 ? { tradeDiscount: moneyFromSageDecimal(l.TradeDiscAmt, header.CurrID) } : {}),
        ...(l.GLAcctNo ? { glAccountNo: l.GLAcctNo } : {}),
      })),
    };
  }

  /**
   * An order found under our TranNo must be the same Amazon order: linking another one would confirm the
   * wrong shipments to Amazon. Its AmazonOrderId comes from the extension table, else TranCmnt.
   */
  function assertSameOrder(found: { AmazonOrderId: string | null; TranCmnt: string | null }, tranNo: string, draft: SalesOrderDraft): void {
    const owner = found.AmazonOrderId ?? found.TranCmnt;
    if (owner !== draft.amazonOrderId) {
      throw new SellbridgeError('SB_SAGE_TRANNO_TAKEN', `sales order ${tranNo} exists for ${owner ? `Amazon order ${owner}` : 'no Amazon order'}, not ${draft.amazonOrderId}`, {
        context: { tranNo, amazonOrderId: draft.amazonOrderId },
      });
    }
  }

  /** Extension rows for an order created by the import; also repairs them after a crash between the two steps. */
  async function ensureLinks(soKey: number, tranNo: string, draft: SalesOrderDraft): Promise<void> {
    await backend.transaction(async (db) => {
      if (await selectOrderLink(db, soKey).executeTakeFirst()) return;
      await insertOrderLink(db, {
        SOKey: soKey,
        CompanyID: co,
        TranNo: tranNo,
        AmazonOrderId: draft.amazonOrderId,
        MarketplaceId: draft.marketplaceId ?? null,
        CreatedAt: sageDateTime(options.clock.now().toISOString()),
      }).execute();
      await insertLineLinks(db, soKey).execute();
      for (const line of draft.lines) if (line.sellerSku) await updateLineSellerSku(db, soKey, line.lineNo, line.sellerSku).execute();
    });
  }

  async function cleanup(sessionKey: number, on: SageBackend = backend): Promise<void> {
    await on.transaction(async (db) => {
      for (const statement of deleteSessionRows(db, sessionKey)) await statement.execute();
    });
  }

  async function createSalesOrder(draft: SalesOrderDraft, { tranNo }: CreateSalesOrderOptions): Promise<CreateSalesOrderResult> {
    checkTranNo(tranNo);
    // Checked before anything is written: a bad value never reaches Sage.
    rowsFromSalesOrder(draft, tranNo, 0);
    const existing = await selectSalesOrderHeader(backend.db, co, { tranNo }).executeTakeFirst();
    if (existing) {
      assertSameOrder(existing, tranNo, draft);
      await ensureLinks(existing.SOKey, tranNo, draft);
      return { outcome: 'existing', order: (await readOrder({ tranNo }))! };
    }
    // Rows a crashed earlier attempt staged for this TranNo would be processed again by a later session.
    for (const left of await selectLeftoverSessions(backend.db, tranNo).execute()) await cleanup(left.SessionKey);

    // Stage, import, read the result and clean the session on one connection (one flow step).
    const { staged, log, created, call, calls } = await backend.withConnection(async (step) => {
      const sessionKey = await step.nextSurrogateKey(SESSION_KEY_NAME);
      const rows = rowsFromSalesOrder(draft, tranNo, sessionKey);
      await step.transaction(async (db) => {
        await insertStagedHeader(db, rows.header).execute();
        await insertStagedLines(db, rows.lines).execute();
      });
      let calls = 0;
      let call: SalesOrderImportCall;
      do {
        call = await step.runSalesOrderImport(sessionKey);
        calls += 1;
      } while (call.continue && calls < options.importMaxCalls);
      const staged = await selectStagedStatus(step.db, sessionKey).executeTakeFirst();
      const log = await selectMigrationLog(step.db, sessionKey).execute();
      const created = await selectSalesOrderHeader(step.db, co, { tranNo }).executeTakeFirst();
      await cleanup(sessionKey, step);
      return { staged, log, created, call, calls };
    });
    if (!staged && created) {
      await ensureLinks(created.SOKey, tranNo, draft);
      return { outcome: 'created', order: (await readOrder({ tranNo }))! };
    }
    if (created) {
      // Another worker created the same TranNo meanwhile; Sage's unique key rejected our copy.
      assertSameOrder(created, tranNo, draft);
      await ensureLinks(created.SOKey, tranNo, draft);
      return { outcome: 'existing', order: (await readOrder({ tranNo }))! };
    }
    if (staged?.ProcessStatus === PROCESS_STATUS.failed) {
      const failures = log.filter((m) => m.Status === MIGRATION_LOG_STATUS.failure);
      const issues: FieldIssue[] = (failures.length > 0 ? failures : log).map((m) => ({
        field: [m.EntityID, m.ColumnID].filter(Boolean).join(' ') || 'order',
        problem: [m.Comment, m.ColumnValue ? `(value "${m.ColumnValue}")` : ''].filter(Boolean).join(' ') || 'rejected without a message',
      }));
      throw new MappingError('SB_SAGE_ORDER_REJECTED', `Sage rejected sales order ${tranNo}`, issues.length > 0 ? issues : [{ field: 'order', problem: `spSOapiSalesOrdIns returned ${call.retVal} without a message` }], {
        context: { tranNo, amazonOrderId: draft.amazonOrderId, retVal: call.retVal },
      });
    }
    throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `spSOapiSalesOrdIns left sales order ${tranNo} unprocessed after ${calls} calls (return value ${call.retVal})`, {
      context: { tranNo, retVal: call.retVal, calls },
    });
  }

  async function cancelSalesOrder(tranNo: string): Promise<SalesOrder> {
    const header = await selectSalesOrderHeader(backend.db, co, { tranNo }).executeTakeFirst();
    if (!header) throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `no sales order ${tranNo} in company ${co}`, { context: { tranNo } });
    if (header.Status !== SO_STATUS.canceled) {
      await backend.transaction(async (db) => {
        const shipped = await selectShippedQuantity(db, header.SOKey).executeTakeFirst();
        if (Number(decimalText(shipped?.QtyShipped ?? 0)) > 0) {
          throw new SellbridgeError('SB_SAGE_ORDER_NOT_CANCELABLE', `sales order ${tranNo} has shipped quantities`, { context: { tranNo } });
        }
        await updateOrderCanceled(db, header.SOKey).execute();
      });
    }
    return (await readOrder({ tranNo }))!;
  }

  async function listShipments(cursor: string | undefined): Promise<ShipmentPage> {
    const after = cursor === undefined || cursor === '' ? 0 : Number(cursor);
    if (!Number.isSafeInteger(after) || after < 0) throw new SellbridgeError('SB_SAGE_QUERY_FAILED', `shipment cursor "${cursor}" is not a ShipKey`);
    const from = Math.max(0, after - options.shipmentRewindKeys);
    const maxKey = Number((await selectMaxShipKey(backend.db, co).executeTakeFirst())?.MaxShipKey ?? 0);
    const to = Math.min(after + (options.shipmentPageKeys ?? 5000), maxKey);
    const rows = to > from ? await selectShipmentLines(backend.db, co, from, to).execute() : [];
    const byKey = new Map<number, { shipment: Omit<Shipment, 'lines' | 'packages'>; lines: Shipment['lines'][number][] }>();
    for (const r of rows) {
      let s = byKey.get(r.ShipKey);
      if (!s) {
        s = {
          shipment: {
            key: String(r.ShipKey),
            tranId: r.TranID,
            status: r.TranStatus === SHIPMENT_TRAN_STATUS.posted ? 'posted' : 'committed',
            shipDate: isoFromSage(r.TranDate),
            warehouseId: r.WhseID,
          },
          lines: [],
        };
        byKey.set(r.ShipKey, s);
      }
      const shipMethodId = r.LineShipMethID ?? r.HeaderShipMethID ?? undefined;
      s.lines.push({
        lineKey: String(r.ShipLineKey),
        salesOrderTranNo: r.SOTranNo,
        ...(r.AmazonOrderId ? { amazonOrderId: r.AmazonOrderId } : {}),
        ...(r.AmazonOrderItemId ? { amazonOrderItemId: r.AmazonOrderItemId } : {}),
        itemId: r.ItemID,
        quantity: wholeQuantity(r.QtyShipped ?? 0, `shipment ${r.TranID} line ${r.ShipLineKey}`),
        ...(shipMethodId ? { shipMethodId: String(shipMethodId) } : {}),
      });
    }
    const keys = [...byKey.keys()];
    const packages = keys.length === 0 ? [] : (await selectPackages(backend.db, options.packageTable, keys).execute(backend.db)).rows;
    const shipments: Shipment[] = keys.map((k) => {
      const s = byKey.get(k)!;
      return {
        ...s.shipment,
        lines: s.lines,
        packages: packages
          .filter((p) => Number(p.ShipKey) === k && p.TrackingNo)
          .map((p) => ({ packageNo: String(p.PackageNo), trackingNumber: String(p.TrackingNo) })),
      };
    });
    // The cursor moves to the end of the page even when the page held nothing final yet: shipments committed
    // later within the rewind window are read again on the next calls.
    return { shipments, cursor: String(Math.max(after, to)), more: to < maxKey };
  }

  async function getPrices(q: PriceQuery): Promise<ItemPrice[]> {
    if (q.itemIds.length === 0) return [];
    const asOf = sageDateTime(q.asOf ?? options.clock.now().toISOString());
    const rows = await inChunks([...new Set(q.itemIds)], (c) =>
      selectPrices(backend.db, co, { itemIds: c, warehouseId: q.warehouseId, currency: q.currency, asOf, column: PRICE_COLUMNS[q.priceSheet] }).execute(),
    );
    return rows.map((r) => ({
      itemId: r.ItemID,
      warehouseId: r.WhseID,
      priceSheet: q.priceSheet,
      price: moneyFromSageDecimal(r.Price, q.currency),
      effectiveDate: isoFromSage(r.EffectiveDate),
    }));
  }

  async function validateGlAccounts(accounts: readonly string[]): Promise<GlAccountCheck[]> {
    const wanted = [...new Set(accounts)];
    if (wanted.length === 0) return [];
    const rows = await selectGlAccounts(backend.db, co, wanted).execute();
    return wanted.map((account) => {
      const row = rows.find((r) => r.GLAcctNo === account);
      if (!row) return { account, valid: false, problem: 'no such account in tglAccount' };
      if (row.Status !== 1) return { account, valid: false, problem: `status ${row.Status} is not active (1)` };
      if (row.PostingType !== 1 && row.PostingType !== 3) return { account, valid: false, problem: `posting type ${row.PostingType} is not financial (1 or 3)` };
      return { account, valid: true };
    });
  }

  async function postJournal(batch: JournalBatch): Promise<PostedJournal> {
    const problems: string[] = [];
    if (batch.lines.length === 0) problems.push('no lines');
    if (batch.lines.some((l) => l.amount.currency !== batch.currency)) problems.push(`a line is not in ${batch.currency}`);
    const total = batch.lines.reduce((sum, l) => sum + l.amount.minor, 0);
    if (total !== 0) problems.push(`lines net to ${moneyToDecimal(money(batch.currency, total))}, not 0`);
    if (batch.reference.length === 0 || batch.reference.length > 50) problems.push('reference must be 1 to 50 characters (tglBatch.BatchCmnt)');
    if (problems.length > 0) {
      throw new SellbridgeError('SB_SAGE_JOURNAL_UNBALANCED', `journal ${batch.reference}: ${problems.join('; ')}`, { context: { reference: batch.reference } });
    }
    const existing = await selectBatchByComment(backend.db, co, batch.reference).executeTakeFirst();
    if (existing) return { outcome: 'existing', batchKey: String(existing.BatchKey), batchNo: existing.BatchNo };

    const checks = await validateGlAccounts(batch.lines.map((l) => l.account));
    const bad = checks.filter((c) => !c.valid);
    if (bad.length > 0) {
      throw new MappingError('SB_SAGE_GL_ACCOUNT_INVALID', `journal ${batch.reference}`, bad.map((c) => ({ field: `account ${c.account}`, problem: c.problem ?? 'invalid' })), {
        context: { reference: batch.reference },
      });
    }
    const postDate = sageDate(batch.postDate);
    if (!(await selectOpenFiscalPeriod(backend.db, co, postDate).executeTakeFirst())) {
      throw new SellbridgeError('SB_SAGE_FISCAL_PERIOD_CLOSED', `journal ${batch.reference}: ${postDate.slice(0, 10)} is not in an open fiscal period of ${co}`, {
        context: { reference: batch.reference },
      });
    }
    const journal = await selectJournal(backend.db, co, options.glJournalId).executeTakeFirst();
    if (!journal) throw new SellbridgeError('SB_SAGE_SCHEMA_MISSING', `GL journal ${options.glJournalId} (sage500.glJournalId) does not exist in tglJournal for ${co}`);
    const acctKey = new Map((await selectGlAccounts(backend.db, co, checks.map((c) => c.account)).execute()).map((r) => [r.GLAcctNo, r.GLAcctKey]));

    const { batchKey, batchNo } = await backend.getNextBatch({ userId: options.userId, comment: batch.reference, postDate });
    const hdrKey = await backend.nextSurrogateKey('tglJournalHdr');
    const now = sageDateTime(options.clock.now().toISOString());
    const amount = (minor: number) => moneyToDecimal(money(batch.currency, minor));
    await backend.transaction(async (db) => {
      // Enum values of GeneralJrnlType, SourceModule and Status are [I] (facts §8.9): copy them from a journal
      // entered by hand on the target database before going live.
      await insertGlBatch(db, { BatchKey: batchKey, BatchCmnt: batch.reference, GeneralJrnlType: 1, Hold: 0, InterCompany: 0, OrigUserID: options.userId, PostDate: postDate, Private: 0, TranCtrl: '0', UpdateCounter: 0 }).execute();
      await updateBatchLogPostDate(db, batchKey, postDate).execute();
      const last = await selectLastJournalNo(db, co, journal.JrnlKey).executeTakeFirst();
      const jrnlNo = Number(last?.LastNo ?? 0) + 1;
      await insertJournalLog(db, { CompanyID: co, JrnlKey: journal.JrnlKey, JrnlNo: jrnlNo, PostDate: postDate, TranStatus: 2 }).execute();
      await insertJournalHeader(db, {
        JrnlHdrKey: hdrKey, BatchKey: batchKey, CompanyID: co, JrnlKey: journal.JrnlKey, JrnlNo: jrnlNo, CurrID: batch.currency, CurrExchRate: 1,
        NextEntryNo: batch.lines.length + 1, OutOfBalance: 0, SourceModule: 3, Status: 1, CreateDate: now, CreateUserID: options.userId,
      }).execute();
      await insertJournalLines(
        db,
        batch.lines.map((l, i) => ({
          JrnlHdrKey: hdrKey, EntryNo: i + 1, SeqNo: 16384 * (i + 1), GLAcctKey: acctKey.get(l.account)!, PostAmt: amount(l.amount.minor),
          PostAmtHC: amount(l.amount.minor), PostQty: '0', PostCmnt: l.comment.slice(0, 50), RefNo: null, TargetCompanyID: co, TranDate: postDate,
        })),
      ).execute();
    });
    return { outcome: 'created', batchKey: String(batchKey), batchNo };
  }

  async function loadOrderContext(q: OrderContextQuery): Promise<OrderContext> {
    const { items, unknown } = await resolveItems(q.skus);
    const stock = await getStock([...new Set(items.map((i) => i.itemId))], q.warehouseIds);
    const customer = await selectCustomer(backend.db, co, q.customerId).executeTakeFirst();
    const shipMethod = q.shipMethodId ? await selectShipMethod(backend.db, co, q.shipMethodId).executeTakeFirst() : undefined;
    return {
      items,
      unknownItems: unknown,
      stock,
      ...(customer ? { customer: { customerId: customer.CustID, name: customer.CustName, onHold: customer.Hold !== 0, customFields: [customer.UserFld1, customer.UserFld2, customer.UserFld3, customer.UserFld4].map((f) => f ?? '') } } : {}),
      ...(shipMethod ? { shipMethod: { shipMethodId: shipMethod.ShipMethID, description: shipMethod.ShipMethDesc } } : {}),
    };
  }

  return {
    resolveItems: guarded('resolveItems', resolveItems),
    listItems: guarded('listItems', listItems),
    resolveWarehouses: guarded('resolveWarehouses', resolveWarehouses),
    loadOrderContext: guarded('loadOrderContext', loadOrderContext),
    createSalesOrder: guarded('createSalesOrder', createSalesOrder),
    findSalesOrder: guarded('findSalesOrder', readOrder),
    cancelSalesOrder: guarded('cancelSalesOrder', cancelSalesOrder),
    listShipments: guarded('listShipments', listShipments),
    getStock: guarded('getStock', getStock),
    getPrices: guarded('getPrices', getPrices),
    postJournal: guarded('postJournal', postJournal),
    validateGlAccounts: guarded('validateGlAccounts', validateGlAccounts),
    installExtensions: guarded('installExtensions', () => backend.installExtensions()),
    async health() {
      try {
        await backend.beforeCall?.('health');
        return { ok: true, detail: await backend.ping() };
      } catch (err) {
        return { ok: false, detail: backend.classify(err, 'health').message };
      }
    },
    close: () => backend.close(),
  };
}
