import type { OperationNode } from 'kysely';
import { money } from '../../core/model/money.ts';
import { compileOnlyKysely } from './mssql-session.ts';
import { rowsFromJournal } from './rows-from-journal.ts';
import { rowsFromCashReceipt } from './rows-from-cash-receipt.ts';
import { rowsFromSalesOrder } from './rows-from-sales-order.ts';
import * as cancel from './sql/cancel-sales-order.ts';
import * as cancelLine from './sql/cancel-sales-order-line.ts';
import * as itemFields from './sql/item-fields.ts';
import * as shipTo from './sql/update-ship-to.ts';
import * as cleanup from './sql/cleanup-session.ts';
import type { SageDb } from './sql/db.ts';
import * as find from './sql/find-sales-order.ts';
import * as prices from './sql/get-prices.ts';
import * as stock from './sql/get-stock.ts';
import * as changes from './sql/change-tracking.ts';
import * as gl from './sql/gl-journal.ts';
import * as links from './sql/link-amazon-ids.ts';
import * as items from './sql/list-items.ts';
import * as shipments from './sql/list-shipments.ts';
import * as context from './sql/order-context.ts';
import * as receivables from './sql/customer-receivables.ts';
import * as cash from './sql/cash-receipt.ts';
import * as rates from './sql/exchange-rate.ts';
import * as result from './sql/read-import-result.ts';
import * as aliases from './sql/resolve-item-aliases.ts';
import * as resolve from './sql/resolve-items.ts';
import * as warehouses from './sql/resolve-warehouses.ts';
import * as customers from './sql/resolve-customers.ts';
import * as staging from './sql/stage-sales-order.ts';
import * as ship from './sql/ship-sales-order.ts';
import * as returns from './sql/customer-return.ts';
import { SAGE_TABLES, type SageTableName } from './tables.ts';

interface Compilable {
  toOperationNode(): OperationNode;
}

const ALL = { descriptionLanguage: true, shipWeight: true, userFields: true } as const;
const draft = {
  customerId: 'C',
  amazonOrderId: '111-2223334-4445556',
  orderDate: '2026-01-01T00:00:00Z',
  currency: 'USD',
  warehouseId: 'W',
  lines: [{ lineNo: 1, itemId: 'I', quantity: 1, unitPrice: money('USD', 100) }],
};

/**
 * Every query of sql/ as the adapter builds it (all optional columns in use), keyed by the function that builds
 * it. A unit test checks that every exported query function of sql/ is here, so the list cannot fall behind.
 */
export function adapterQueries(db: SageDb = compileOnlyKysely()): Record<string, Compilable> {
  const receiptRows = rowsFromCashReceipt(
    {
      reference: 'r',
      customerId: 'C',
      cashAccountId: 'A',
      tranDate: '2026-01-01',
      amount: money('USD', 100),
      exchangeRate: '1',
      amountHome: money('USD', 100),
      orders: [],
    },
    [
      {
        amazonOrderId: 'A',
        invoice: 'I',
        invoiceKey: 1,
        invoiceDate: '2026-01-01',
        amount: money('USD', 100),
      },
    ],
    money('USD', 0),
    { companyId: 'C', userId: 'U', batchKey: 1, batchNo: 1, custPmtKey: 1, custKey: 1, cashAcctKey: 1, now: 'N' },
  );
  const journal = rowsFromJournal(
    {
      reference: 'r',
      postDate: '2026-01-01',
      currency: 'USD',
      lines: [{ account: 'a', amount: money('USD', 0), comment: '' }],
    },
    {
      companyId: 'C',
      userId: 'u',
      batchKey: 1,
      batchNo: 1,
      jrnlHdrKey: 1,
      jrnlKey: 1,
      jrnlNo: 1,
      postDate: '2026-01-01',
      now: '2026-01-01',
      sourceModuleText: true,
      accountKeys: new Map([['a', 1]]),
    },
  );
  const staged = rowsFromSalesOrder(draft, 'AZ00000001', 1);
  const [delLines, delHeader, delLog] = cleanup.deleteSessionRows(db, 1, 'T');
  return {
    selectShipmentLinesOfOrder: cancel.selectShipmentLinesOfOrder(db, 1),
    selectShippedQuantity: cancel.selectShippedQuantity(db, 1),
    releaseCommittedStock: cancel.releaseCommittedStock(db, { soKey: 1 }),
    closeOrderLineDists: cancel.closeOrderLineDists(db, 1),
    closeOrderLines: cancel.closeOrderLines(db, 1),
    updateOrderCanceled: cancel.updateOrderCanceled(db, 1),
    selectOrderLineActivity: cancelLine.selectOrderLineActivity(db, 1, 1),
    releaseLineCommittedStock: cancel.releaseCommittedStock(db, { soLineKey: 1 }),
    closeLineDists: cancelLine.closeLineDists(db, 1),
    closeLine: cancelLine.closeLine(db, 1),
    touchOrderHeader: cancelLine.touchOrderHeader(db, 1),
    selectOrderShipActivity: shipTo.selectOrderShipActivity(db, 1),
    insertShipToAddress: shipTo.insertShipToAddress(db, {
      AddrKey: 1,
      AddrName: 'n',
      AddrLine1: 'l1',
      AddrLine2: null,
      AddrLine3: null,
      AddrLine4: null,
      AddrLine5: null,
      City: 'c',
      StateID: 's',
      PostalCode: 'p',
      CountryID: 'USA',
    }),
    updateOrderShipToKey: shipTo.updateOrderShipToKey(db, 1, 1),
    updateOpenDistShipToKey: shipTo.updateOpenDistShipToKey(db, 1, 1),
    selectItemFields: itemFields.selectItemFields(db, 'C', ['I'], ALL),
    'deleteSessionRows[0]': delLines,
    'deleteSessionRows[1]': delHeader,
    'deleteSessionRows[2]': delLog,
    selectSalesOrderHeader: find.selectSalesOrderHeader(db, 'C', { amazonOrderId: 'A' }),
    'selectSalesOrderHeader[tranNo]': find.selectSalesOrderHeader(db, 'C', { tranNo: 'T' }),
    'selectSalesOrderHeader[tranCmnt]': find.selectSalesOrderHeader(db, 'C', { tranCmnt: 'A' }),
    selectSalesOrderLines: find.selectSalesOrderLines(db, 1),
    selectSalesOrderTotals: find.selectSalesOrderTotals(db, 'C', ['A']),
    selectSalesOrderTotalsByTranCmnt: find.selectSalesOrderTotalsByTranCmnt(db, 'C', ['A']),
    selectPrices: prices.selectPrices(db, 'C', {
      itemIds: ['I'],
      warehouseId: 'W',
      currency: 'USD',
      asOf: '2026-01-01',
      column: 'ListPrice',
    }),
    selectStock: stock.selectStock(db, 'C', ['I'], ['W']),
    selectChangedStockItems: changes.selectChangedStockItems(db, 'C', 1, changes.sqlServerChangeSource),
    selectChangedShipKeys: changes.selectChangedShipKeys(db, 'C', 1, changes.sqlServerChangeSource, 810),
    // Catalog views and functions only (sys.change_tracking_*, CHANGE_TRACKING_*()): no Sage table or column.
    selectChangeTrackingVersions: changes.selectChangeTrackingVersions(changes.TRACKED_TABLES),
    selectChangeTrackingDatabase: changes.selectChangeTrackingDatabase(),
    selectChangeTrackedTables: changes.selectChangeTrackedTables(),
    selectGlAccounts: gl.selectGlAccounts(db, 'C', ['1']),
    selectOpenFiscalPeriod: gl.selectOpenFiscalPeriod(db, 'C', '2026-01-01'),
    selectJournal: gl.selectJournal(db, 'C', 'GJ'),
    selectJournalLink: gl.selectJournalLink(db, 'C', 'r'),
    insertJournalLink: gl.insertJournalLink(db, journal.linkRow),
    insertGlBatch: gl.insertGlBatch(db, journal.batchRow),
    updateBatchLogPostDate: gl.updateBatchLogPostDate(db, 1, '2026-01-01'),
    insertJournalLog: gl.insertJournalLog(db, journal.logRow),
    insertJournalHeader: gl.insertJournalHeader(db, journal.headerRow),
    insertJournalLines: gl.insertJournalLines(db, journal.lineRows),
    insertOrderLink: links.insertOrderLink(db, {
      SOKey: 1,
      CompanyID: 'C',
      TranNo: 'T',
      AmazonOrderId: 'A',
      MarketplaceId: null,
      CreatedAt: '2026-01-01',
    }),
    selectCreatedLines: links.selectCreatedLines(db, 1),
    insertLineLink: links.insertLineLink(db, { SOLineKey: 1, SOKey: 1, AmazonOrderItemId: '1', SellerSKU: 'S' }),
    selectLineLinks: links.selectLineLinks(db, 1),
    selectOrderLink: links.selectOrderLink(db, 1),
    selectItemList: items.selectItemList(db, 'C', 'x', ALL),
    selectShipmentLines: shipments.selectShipmentLines(db, 'C', { from: 0, to: 1 }, true),
    selectChangedShipmentLines: shipments.selectShipmentLines(
      db,
      'C',
      { changedSince: 1, source: changes.sqlServerChangeSource },
      true,
    ),
    selectMaxShipKey: shipments.selectMaxShipKey(db, 'C'),
    selectCustomer: context.selectCustomer(db, 'C', 'C'),
    selectShipMethod: context.selectShipMethod(db, 'C', 'S'),
    selectStagedStatus: result.selectStagedStatus(db, 1),
    selectMigrationLog: result.selectMigrationLog(db, 1),
    selectItemAliases: aliases.selectItemAliases(db, 'C', ['A']),
    selectItems: resolve.selectItems(db, 'C', 'item-id', ['I'], ALL),
    selectWarehouses: warehouses.selectWarehouses(db, 'C', ['W']),
    selectCustomers: customers.selectCustomers(db, 'C', ['C']),
    selectShipMethods: customers.selectShipMethods(db, 'C', ['S']),
    selectCustomerReceivables: receivables.selectCustomerReceivables(db, 'C', ['C']),
    selectHomeCurrency: rates.selectHomeCurrency(db, 'C'),
    selectExchangeRates: rates.selectExchangeRates(db, { currency: 'EUR', home: 'USD', date: 'D', schedule: 'S' }),
    selectReceiptCustomer: cash.selectReceiptCustomer(db, 'C', 'C'),
    selectCashAccount: cash.selectCashAccount(db, 'C', 'A'),
    selectOpenInvoicesOfOrders: cash.selectOpenInvoicesOfOrders(db, 'C', 1, ['A']),
    selectReceiptLink: cash.selectReceiptLink(db, 'C', 'R'),
    selectInvoicesOfOrders: cash.selectInvoicesOfOrders(db, 'C', ['A']),
    selectOrdersOfInvoices: cash.selectOrdersOfInvoices(db, [1]),
    selectPendingReceipt: cash.selectPendingReceipt(db, 1),
    selectPendingApplications: cash.selectPendingApplications(db, 1),
    insertPendingReceipt: cash.insertPendingReceipt(db, receiptRows.receiptRow),
    insertPendingApplications: cash.insertPendingApplications(db, receiptRows.applicationRows),
    insertReceiptLink: cash.insertReceiptLink(db, receiptRows.linkRow),
    insertStagedHeader: staging.insertStagedHeader(db, staged.header),
    insertStagedLine: staging.insertStagedLine(db, staged.lines[0]!),
    selectLeftoverSessions: staging.selectLeftoverSessions(db, 'T'),
    selectPickCandidates: ship.selectPickCandidates(db, 1),
    selectShipKeysOfOrder: ship.selectShipKeysOfOrder(db, 1),
    selectCustomerReturn: returns.selectCustomerReturn(db, 'C', 'T'),
    selectReturnableLines: returns.selectReturnableLines(db, 1),
    insertReturnHeader: returns.insertReturnHeader(db, {
      ShipKey: 1,
      CompanyID: 'C',
      TranType: 811,
      TranNo: 'T',
      TranID: 'T',
      TranDate: '2026-01-01',
      PostDate: null,
      CustKey: 1,
      WhseKey: 1,
      TranCmnt: 'c',
      CreateDate: '2026-01-01',
    }),
    insertReturnLog: returns.insertReturnLog(db, {
      ShipKey: 1,
      CompanyID: 'C',
      TranType: 811,
      TranNo: 'T',
      TranStatus: 2,
    }),
    insertReturnLine: returns.insertReturnLine(db, {
      ShipLineKey: 1,
      ShipKey: 1,
      SOLineKey: 1,
      ItemKey: 1,
      ShipDate: null,
    }),
    insertReturnLineDist: returns.insertReturnLineDist(db, {
      ShipLineDistKey: 1,
      ShipLineKey: 1,
      WhseBinKey: null,
      QtyShipped: '1',
    }),
  };
}

/** What the adapter's SQL touches: objects, columns per object, and the columns each insert writes. */
export interface AdapterUsage {
  readonly columns: ReadonlyMap<string, ReadonlySet<string>>;
  readonly inserts: ReadonlyMap<string, ReadonlySet<string>>;
  /** Column names the walk could not place on a table (a test keeps this empty). */
  readonly unresolved: readonly string[];
}

type AnyNode = OperationNode & Record<string, unknown>;

function visitAll(node: unknown, visit: (n: AnyNode) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const child of node) visitAll(child, visit);
    return;
  }
  if ('kind' in node) visit(node as AnyNode);
  for (const v of Object.values(node)) visitAll(v, visit);
}

const tableName = (n: AnyNode) => (n.table as { identifier: { name: string } }).identifier.name;
const identifier = (n: unknown) => (n as { name: string }).name;
const columnName = (n: AnyNode) => identifier(n.column);

/**
 * The tables, views and columns the adapter's own SQL uses, read from Kysely's operation trees of
 * `adapterQueries()` (never a hand-kept list): aliases resolved, unqualified columns placed on the one table of
 * their query that declares them. Inserts also record the columns they write, so verify can name a NOT NULL
 * column without a default that an insert of ours leaves out.
 */
export function adapterUsage(queries: Record<string, Compilable> = adapterQueries()): AdapterUsage {
  const columns = new Map<string, Set<string>>();
  const inserts = new Map<string, Set<string>>();
  const unresolved: string[] = [];
  const add = (m: Map<string, Set<string>>, t: string, c: string) => {
    if (!m.has(t)) m.set(t, new Set());
    m.get(t)!.add(c);
  };
  for (const [name, query] of Object.entries(queries)) {
    const root = query.toOperationNode();
    const aliases = new Map<string, string>();
    const tables = new Set<string>();
    const placed = new Set<unknown>();
    // A reference's table (`"so"."TranNo"`) is a TableNode too, naming an alias: only the others name tables.
    const referenceTables = new Set<unknown>();
    visitAll(root, (n) => {
      if (n.kind === 'ReferenceNode' && n.table) referenceTables.add(n.table);
    });
    visitAll(root, (n) => {
      if (n.kind === 'TableNode' && !referenceTables.has(n)) tables.add(tableName(n));
      if (n.kind === 'AliasNode' && (n.node as AnyNode).kind === 'TableNode')
        aliases.set(identifier(n.alias), tableName(n.node as AnyNode));
      // A change-tracking source (CHANGETABLE(CHANGES <table>, @v), sql/change-tracking.ts) is aliased ct_<table>:
      // its columns are the tracked table's primary key.
      const alias = n.kind === 'AliasNode' ? (n.alias as AnyNode | undefined) : undefined;
      const ct = alias && typeof alias.name === 'string' ? /^ct_(\w+)$/.exec(alias.name) : null;
      if (ct && (n.node as AnyNode).kind === 'RawNode') {
        aliases.set(ct[0], ct[1]!);
        tables.add(ct[1]!);
      }
    });
    for (const t of tables) if (!columns.has(t)) columns.set(t, new Set());
    visitAll(root, (n) => {
      if (n.kind === 'ReferenceNode' && n.table) {
        const t = tableName(n.table as AnyNode);
        add(columns, aliases.get(t) ?? t, columnName(n.column as AnyNode));
        placed.add(n.column);
      }
      if (n.kind === 'InsertQueryNode') {
        const into = tableName(n.into as AnyNode);
        for (const c of (n.columns as AnyNode[] | undefined) ?? []) {
          add(inserts, into, columnName(c));
          add(columns, into, columnName(c));
          placed.add(c);
        }
      }
    });
    visitAll(root, (n) => {
      if (n.kind !== 'ColumnNode' || placed.has(n)) return;
      const c = columnName(n);
      const owners = [...tables].filter((t) => t in SAGE_TABLES && c in SAGE_TABLES[t as SageTableName].columns);
      if (owners.length === 0) unresolved.push(`${name}: ${c}`);
      for (const t of owners) add(columns, t, c);
    });
  }
  return { columns, inserts, unresolved };
}
