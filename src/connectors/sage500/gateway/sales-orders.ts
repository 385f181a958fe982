import { MappingError, SellbridgeError, type FieldIssue } from '../../../core/errors.ts';
import type {
  CreateSalesOrderOptions,
  CreateSalesOrderResult,
  PostalAddress,
  SalesOrder,
  SalesOrderDraft,
  SalesOrderLookup,
  SalesOrderStatus,
  SalesOrderTotal,
} from '../../../core/model/sales-order.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { sameAddress } from '../../../core/transform/order-changes.ts';
import { decimalText, isoFromSage, moneyFromSageDecimal, sageDateTime, wholeQuantity } from '../decimal.ts';
import { checkTranNo, rowsFromSalesOrder } from '../rows-from-sales-order.ts';
import {
  closeOrderLineDists,
  closeOrderLines,
  releaseCommittedStock,
  selectShipmentLinesOfOrder,
  selectShippedQuantity,
  updateOrderCanceled,
} from '../sql/cancel-sales-order.ts';
import {
  closeLine,
  closeLineDists,
  selectOrderLineActivity,
  touchOrderHeader,
} from '../sql/cancel-sales-order-line.ts';
import { deleteSessionRows } from '../sql/cleanup-session.ts';
import {
  insertShipToAddress,
  selectOrderShipActivity,
  updateOpenDistShipToKey,
  updateOrderShipToKey,
} from '../sql/update-ship-to.ts';
import {
  selectSalesOrderHeader,
  selectSalesOrderLines,
  selectSalesOrderTotals,
  selectSalesOrderTotalsByTranCmnt,
} from '../sql/find-sales-order.ts';
import { chunks } from '../../../core/transform/chunks.ts';
import {
  insertLineLink,
  insertOrderLink,
  selectCreatedLines,
  selectLineLinks,
  selectOrderLink,
} from '../sql/link-amazon-ids.ts';
import { SESSION_KEY_NAME } from '../sql/procedures.ts';
import { selectMigrationLog, selectStagedStatus } from '../sql/read-import-result.ts';
import { insertStagedHeader, insertStagedLine, selectLeftoverSessions } from '../sql/stage-sales-order.ts';
import { LINE_STATUS, MIGRATION_LOG_STATUS, PROCESS_STATUS, SO_STATUS, columnLength } from '../tables.ts';
import { MAX_IDS_PER_STATEMENT, type SalesOrderImportCall } from './backend.ts';
import type { SageDb } from '../sql/db.ts';
import type { GatewayContext } from './context.ts';

const STATUS_BY_CODE: Readonly<Record<number, SalesOrderStatus>> = Object.fromEntries(
  Object.entries(SO_STATUS).map(([k, v]) => [v, k as SalesOrderStatus]),
);

function addressOf(a: {
  AddrName: string | null;
  AddrLine1: string | null;
  AddrLine2: string | null;
  AddrLine3: string | null;
  AddrLine4: string | null;
  AddrLine5: string | null;
  City: string | null;
  StateID: string | null;
  PostalCode: string | null;
  CountryID: string | null;
}): PostalAddress {
  const lines = [a.AddrLine1, a.AddrLine2, a.AddrLine3, a.AddrLine4, a.AddrLine5].filter(
    (l): l is string => l !== null && l !== '',
  );
  return {
    name: a.AddrName ?? '',
    lines,
    city: a.City ?? '',
    region: a.StateID ?? '',
    postalCode: a.PostalCode ?? '',
    countryId: a.CountryID ?? '',
  };
}

/** Sales orders: create through Sage's import API, read back, cancel, cancel a line, change the ship-to. */
export function salesOrderMethods(
  ctx: GatewayContext,
): Pick<
  Sage500Gateway,
  | 'createSalesOrder'
  | 'findSalesOrder'
  | 'salesOrderTotalsOf'
  | 'cancelSalesOrder'
  | 'cancelSalesOrderLine'
  | 'updateSalesOrderShipTo'
> {
  const { backend, co, options } = ctx;

  async function salesOrderTotalsOf(amazonOrderIds: readonly string[]): Promise<SalesOrderTotal[]> {
    const wanted = [...new Set(amazonOrderIds)];
    const found = new Map<string, SalesOrderTotal>();
    const add = (r: {
      AmazonOrderId: string | null;
      TranNo: string;
      CurrID: string;
      TranAmt: string | number | null;
    }) => {
      // SQL Server compares without trailing blanks: the column's value is matched back to the id asked for.
      const id = r.AmazonOrderId?.trimEnd();
      if (!id || found.has(id)) return;
      // As findSalesOrder reads them (TranNo and CurrID as stored), so both answer the same for one order.
      found.set(id, {
        amazonOrderId: id,
        tranNo: r.TranNo,
        ...(r.TranAmt !== null && r.TranAmt !== undefined ? { total: moneyFromSageDecimal(r.TranAmt, r.CurrID) } : {}),
      });
    };
    for (const part of chunks(wanted, MAX_IDS_PER_STATEMENT))
      for (const r of await selectSalesOrderTotals(backend.db, co, part).execute()) add(r);
    const missed = wanted.filter((id) => !found.has(id));
    for (const part of chunks(missed, MAX_IDS_PER_STATEMENT))
      for (const r of await selectSalesOrderTotalsByTranCmnt(backend.db, co, part).execute()) add(r);
    return [...found.values()];
  }

  async function readOrder(by: SalesOrderLookup): Promise<SalesOrder | undefined> {
    const header =
      (await selectSalesOrderHeader(backend.db, co, by).executeTakeFirst()) ??
      // No extension row: an order whose link was not written (a crash between import and link) has the
      // AmazonOrderId in TranCmnt. Not indexed in Sage, so asked only after the indexed lookup missed.
      ('amazonOrderId' in by
        ? await selectSalesOrderHeader(backend.db, co, { tranCmnt: by.amazonOrderId }).executeTakeFirst()
        : undefined);
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
      ...(header.FreightAmt !== null && header.FreightAmt !== undefined
        ? { freight: moneyFromSageDecimal(header.FreightAmt, header.CurrID) }
        : {}),
      ...(header.TranAmt !== null && header.TranAmt !== undefined
        ? { total: moneyFromSageDecimal(header.TranAmt, header.CurrID) }
        : {}),
      lines: lines.map((l) => ({
        lineNo: l.SOLineNo,
        itemId: l.ItemID,
        quantity: wholeQuantity(l.QtyOrd, `order ${header.TranNo} line ${l.SOLineNo}`),
        quantityShipped: wholeQuantity(l.QtyShip, `order ${header.TranNo} line ${l.SOLineNo}`),
        unitPrice: moneyFromSageDecimal(l.UnitPrice, header.CurrID),
        // A line without a warehouse (a misc or charge item) is kept, with an empty warehouse id (review §3 item 12).
        warehouseId: l.WhseID ?? '',
        ...(l.AmazonOrderItemId ? { amazonOrderItemId: l.AmazonOrderItemId } : {}),
        ...(l.ExtAmt !== null && l.ExtAmt !== undefined
          ? { amount: moneyFromSageDecimal(l.ExtAmt, header.CurrID) }
          : {}),
        ...(l.TradeDiscAmt !== null && l.TradeDiscAmt !== undefined && Number(l.TradeDiscAmt) !== 0
          ? { tradeDiscount: moneyFromSageDecimal(l.TradeDiscAmt, header.CurrID) }
          : {}),
        ...(l.GLAcctNo ? { glAccountNo: l.GLAcctNo } : {}),
        ...(Number(l.LineStatus) === LINE_STATUS.closed ? { status: 'closed' as const } : {}),
        ...(l.PromiseDate ? { promiseDate: isoFromSage(l.PromiseDate) } : {}),
      })),
    };
  }

  /**
   * An order found under our TranNo must be the same Amazon order: linking another one would confirm the
   * wrong shipments to Amazon. Its AmazonOrderId comes from the extension table, else TranCmnt.
   */
  function assertSameOrder(
    found: { AmazonOrderId: string | null; TranCmnt: string | null },
    tranNo: string,
    draft: SalesOrderDraft,
  ): void {
    const owner = found.AmazonOrderId ?? found.TranCmnt;
    if (owner !== draft.amazonOrderId) {
      throw new SellbridgeError(
        'SB_SAGE_TRANNO_TAKEN',
        `sales order ${tranNo} exists for ${owner ? `Amazon order ${owner}` : 'no Amazon order'}, not ${draft.amazonOrderId}`,
        {
          context: { tranNo, amazonOrderId: draft.amazonOrderId },
        },
      );
    }
  }

  /**
   * The extension rows of an order: its AmazonOrderId, and each created line's Amazon OrderItemId (and SellerSKU)
   * linked by position (see selectCreatedLines), after checking that Sage holds the draft's lines one for one.
   * Writes only what is missing, so it is the same call inside the import transaction and, for an existing order
   * (one created by an older Sellbridge, or whose rows were removed), as a repair on every retry.
   */
  async function writeLinks(db: SageDb, soKey: number, tranNo: string, draft: SalesOrderDraft): Promise<void> {
    const orderLinked = (await selectOrderLink(db, soKey).executeTakeFirst()) !== undefined;
    const linked = new Set((await selectLineLinks(db, soKey).execute()).map((l) => l.SOLineKey));
    if (orderLinked && linked.size >= draft.lines.filter((l) => l.amazonOrderItemId).length) return;
    const created = await selectCreatedLines(db, soKey).execute();
    const misplaced = created.findIndex(
      (l, i) => l.ItemID.trim().toUpperCase() !== (draft.lines[i]?.itemId ?? '').trim().toUpperCase(),
    );
    if (created.length !== draft.lines.length || misplaced >= 0) {
      throw new SellbridgeError(
        'SB_SAGE_ORDER_LINES_MISMATCH',
        created.length !== draft.lines.length
          ? `sales order ${tranNo} has ${created.length} lines in Sage but Amazon order ${draft.amazonOrderId} has ${draft.lines.length}: its lines cannot be linked to Amazon order items`
          : `sales order ${tranNo} line ${created[misplaced]!.SOLineNo} is item ${created[misplaced]!.ItemID} in Sage but ${draft.lines[misplaced]!.itemId} in Amazon order ${draft.amazonOrderId}: its lines cannot be linked to Amazon order items`,
        {
          context: {
            tranNo,
            amazonOrderId: draft.amazonOrderId,
            sageLines: created.length,
            amazonLines: draft.lines.length,
          },
        },
      );
    }
    if (!orderLinked) {
      await insertOrderLink(db, {
        SOKey: soKey,
        CompanyID: co,
        TranNo: tranNo,
        AmazonOrderId: draft.amazonOrderId,
        MarketplaceId: draft.marketplaceId ?? null,
        CreatedAt: sageDateTime(options.clock.now().toISOString()),
      }).execute();
    }
    for (const [i, line] of draft.lines.entries()) {
      if (!line.amazonOrderItemId || linked.has(created[i]!.SOLineKey)) continue;
      await insertLineLink(db, {
        SOLineKey: created[i]!.SOLineKey,
        SOKey: soKey,
        AmazonOrderItemId: line.amazonOrderItemId,
        SellerSKU: line.sellerSku || null,
      }).execute();
    }
  }

  /** Repairs the extension rows of an order that exists in Sage (a retry; see writeLinks). */
  async function ensureLinks(soKey: number, tranNo: string, draft: SalesOrderDraft): Promise<void> {
    await backend.transaction((db) => writeLinks(db, soKey, tranNo, draft));
  }

  async function cleanup(sessionKey: number, tranNo: string): Promise<void> {
    await backend.transaction(async (db) => {
      for (const statement of deleteSessionRows(db, sessionKey, tranNo)) await statement.execute();
    });
  }

  async function createSalesOrder(
    draft: SalesOrderDraft,
    { tranNo }: CreateSalesOrderOptions,
  ): Promise<CreateSalesOrderResult> {
    checkTranNo(tranNo);
    // Checked before anything is written: a bad value never reaches Sage.
    rowsFromSalesOrder(draft, tranNo, 0);
    const existing = await selectSalesOrderHeader(backend.db, co, { tranNo }).executeTakeFirst();
    if (existing) {
      assertSameOrder(existing, tranNo, draft);
      await ensureLinks(existing.SOKey, tranNo, draft);
      return { outcome: 'existing', order: (await readOrder({ tranNo }))! };
    }
    const facts = await ctx.facts();
    if (!facts.stageTableFlag) {
      throw new SellbridgeError(
        'SB_SAGE_SCHEMA_MISSING',
        `spSOapiSalesOrdIns has neither @UseStageTable nor @iUseStageTable in company ${co}'s database: run \`sellbridge sage500 verify\``,
        { context: { tranNo } },
      );
    }
    // Rows a crashed earlier attempt staged for this TranNo would be processed again by a later session.
    for (const left of await selectLeftoverSessions(backend.db, tranNo).execute())
      await cleanup(left.SessionKey, tranNo);

    // Stage, import, read the result, link the Amazon ids and clean the session on one connection, in one
    // transaction (one flow step): Sage never holds an order of ours without its link rows (ImportTransaction).
    const { staged, log, created, call, calls } = await backend.withConnection(async (step) => {
      // Sage's own session counter (R7), drawn before the transaction so the counter is not held locked for the
      // import: no other import is handed the same key (review §3 item 6).
      const sessionKey = await step.nextSurrogateKey(SESSION_KEY_NAME);
      const rows = rowsFromSalesOrder(draft, tranNo, sessionKey);
      return step.importTransaction(async (tx) => {
        await insertStagedHeader(tx.db, rows.header).execute();
        for (const line of rows.lines) await insertStagedLine(tx.db, line).execute();
        let calls = 0;
        let call: SalesOrderImportCall;
        do {
          call = await tx.runSalesOrderImport(sessionKey, facts.stageTableFlag!);
          calls += 1;
        } while (call.continue && calls < options.importMaxCalls);
        const staged = await selectStagedStatus(tx.db, sessionKey).executeTakeFirst();
        const log = await selectMigrationLog(tx.db, sessionKey).execute();
        const created = await selectSalesOrderHeader(tx.db, co, { tranNo }).executeTakeFirst();
        // Ours (its staging rows are gone): linked before the commit; a mismatch rolls the whole import back.
        if (!staged && created) await writeLinks(tx.db, created.SOKey, tranNo, draft);
        for (const statement of deleteSessionRows(tx.db, sessionKey, tranNo)) await statement.execute();
        return { staged, log, created, call, calls };
      });
    });
    if (!staged && created) {
      return { outcome: 'created', order: (await readOrder({ tranNo }))! };
    }
    if (created) {
      // Another worker created the same TranNo meanwhile; Sage's unique key rejected our copy.
      assertSameOrder(created, tranNo, draft);
      await ensureLinks(created.SOKey, tranNo, draft);
      return { outcome: 'existing', order: (await readOrder({ tranNo }))! };
    }
    if (staged?.ProcessStatus === PROCESS_STATUS.failed) {
      const failures = log.filter((m) => Number(m.Status) === MIGRATION_LOG_STATUS.failure);
      const issues: FieldIssue[] = (failures.length > 0 ? failures : log).map((m) => ({
        field: [m.EntityID, m.ColumnID].filter(Boolean).join(' ') || 'order',
        problem:
          [m.Comment, m.ColumnValue ? `(value "${m.ColumnValue}")` : ''].filter(Boolean).join(' ') ||
          'rejected without a message',
      }));
      throw new MappingError(
        'SB_SAGE_ORDER_REJECTED',
        `Sage rejected sales order ${tranNo}`,
        issues.length > 0
          ? issues
          : [{ field: 'order', problem: `spSOapiSalesOrdIns returned ${call.retVal} without a message` }],
        {
          context: { tranNo, amazonOrderId: draft.amazonOrderId, retVal: call.retVal },
        },
      );
    }
    throw new SellbridgeError(
      'SB_SAGE_QUERY_FAILED',
      `spSOapiSalesOrdIns left sales order ${tranNo} unprocessed after ${calls} calls (return value ${call.retVal})`,
      {
        context: { tranNo, retVal: call.retVal, calls },
      },
    );
  }

  /**
   * Cancels as Sage's own cancel does (review §3 item 11): refused once anything shipped or any shipment line
   * (pick list, pending shipment) points at the order; else, in one transaction, the committed stock still open
   * leaves timInventory.QtyOnSO, lines and distributions are closed with nothing open to ship, and the header
   * gets status 3.
   */
  async function cancelSalesOrder(tranNo: string): Promise<SalesOrder> {
    const header = await selectSalesOrderHeader(backend.db, co, { tranNo }).executeTakeFirst();
    if (!header)
      throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `no sales order ${tranNo} in company ${co}`, {
        context: { tranNo },
      });
    if (header.Status !== SO_STATUS.canceled) {
      await backend.transaction(async (db) => {
        const shipped = await selectShippedQuantity(db, header.SOKey).executeTakeFirst();
        if (Number(decimalText(shipped?.QtyShipped ?? 0)) > 0) {
          throw new SellbridgeError('SB_SAGE_ORDER_NOT_CANCELABLE', `sales order ${tranNo} has shipped quantities`, {
            context: { tranNo },
          });
        }
        const activity = await selectShipmentLinesOfOrder(db, header.SOKey).executeTakeFirst();
        if (Number(activity?.ShipLines ?? 0) > 0) {
          throw new SellbridgeError(
            'SB_SAGE_ORDER_NOT_CANCELABLE',
            `sales order ${tranNo} is on a pick list or shipment (${Number(activity!.ShipLines)} shipment lines); cancel it in Sage 500`,
            { context: { tranNo } },
          );
        }
        await releaseCommittedStock(db, { soKey: header.SOKey }).execute();
        await closeOrderLineDists(db, header.SOKey).execute();
        await closeOrderLines(db, header.SOKey).execute();
        await updateOrderCanceled(db, header.SOKey).execute();
      });
    }
    return (await readOrder({ tranNo }))!;
  }

  async function headerOrThrow(tranNo: string) {
    const header = await selectSalesOrderHeader(backend.db, co, { tranNo }).executeTakeFirst();
    if (!header)
      throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `no sales order ${tranNo} in company ${co}`, {
        context: { tranNo },
      });
    return header;
  }

  /**
   * One line cancelled as the whole order is (cancelSalesOrder), in one transaction: refused once the line shipped
   * or is on a pick list or shipment; else its open committed stock leaves timInventory.QtyOnSO and the line and
   * its distributions are closed with nothing open to ship. A closed line is left as it is (idempotent).
   */
  async function cancelSalesOrderLine(tranNo: string, lineNo: number): Promise<SalesOrder> {
    const header = await headerOrThrow(tranNo);
    await backend.transaction(async (db) => {
      const line = await selectOrderLineActivity(db, header.SOKey, lineNo).executeTakeFirst();
      if (!line)
        throw new SellbridgeError('SB_SAGE_LINE_NOT_FOUND', `sales order ${tranNo} has no line ${lineNo}`, {
          context: { tranNo, lineNo },
        });
      if (Number(line.Status) === LINE_STATUS.closed) return;
      if (header.Status === SO_STATUS.canceled) return;
      if (Number(decimalText(line.QtyShipped ?? 0)) > 0 || Number(line.ShipLines ?? 0) > 0) {
        throw new SellbridgeError(
          'SB_SAGE_ORDER_NOT_CANCELABLE',
          `sales order ${tranNo} line ${lineNo} has shipped or is on a pick list or shipment; change it in Sage 500`,
          { context: { tranNo, lineNo } },
        );
      }
      await releaseCommittedStock(db, { soLineKey: line.SOLineKey }).execute();
      await closeLineDists(db, line.SOLineKey).execute();
      await closeLine(db, line.SOLineKey).execute();
      await touchOrderHeader(db, header.SOKey).execute();
    });
    return (await readOrder({ tranNo }))!;
  }

  /**
   * A new ship-to for an order nothing has shipped from: checked against Sage's column lengths first (the caller
   * fits it, as for a new order), then a new tciAddress row that the header and the open distributions point at,
   * in one transaction. The same address again changes nothing (idempotent).
   */
  async function updateSalesOrderShipTo(tranNo: string, shipTo: PostalAddress): Promise<SalesOrder> {
    const issues = shipToIssues(shipTo);
    if (issues.length > 0)
      throw new MappingError('SB_SAGE_VALUE_TOO_LONG', `sales order ${tranNo} ship-to`, issues, {
        context: { tranNo },
      });
    const header = await headerOrThrow(tranNo);
    if (header.AddrKey !== null && sameAddress(addressOf(header), shipTo)) return (await readOrder({ tranNo }))!;
    if (header.Status === SO_STATUS.canceled || header.Status === SO_STATUS.closed)
      throw new SellbridgeError(
        'SB_SAGE_ORDER_NOT_CHANGEABLE',
        `sales order ${tranNo} is ${STATUS_BY_CODE[header.Status]}: its ship-to stays as it is`,
        { context: { tranNo } },
      );
    const addrKey = await backend.nextSurrogateKey('tciAddress');
    await backend.transaction(async (db) => {
      const activity = await selectOrderShipActivity(db, header.SOKey).executeTakeFirst();
      if (Number(decimalText(activity?.QtyShipped ?? 0)) > 0 || Number(activity?.ShipLines ?? 0) > 0) {
        throw new SellbridgeError(
          'SB_SAGE_ORDER_NOT_CHANGEABLE',
          `sales order ${tranNo} has shipped or is on a pick list or shipment: change its ship-to in Sage 500`,
          { context: { tranNo } },
        );
      }
      const line = (i: number) => shipTo.lines[i] || null;
      await insertShipToAddress(db, {
        AddrKey: addrKey,
        AddrName: shipTo.name || null,
        AddrLine1: line(0),
        AddrLine2: line(1),
        AddrLine3: line(2),
        AddrLine4: line(3),
        AddrLine5: line(4),
        City: shipTo.city || null,
        StateID: shipTo.region || null,
        PostalCode: shipTo.postalCode || null,
        CountryID: shipTo.countryId || null,
      }).execute();
      await updateOrderShipToKey(db, header.SOKey, addrKey).execute();
      await updateOpenDistShipToKey(db, header.SOKey, addrKey).execute();
    });
    return (await readOrder({ tranNo }))!;
  }

  return {
    createSalesOrder,
    findSalesOrder: readOrder,
    salesOrderTotalsOf,
    cancelSalesOrder,
    cancelSalesOrderLine,
    updateSalesOrderShipTo,
  };
}

const ADDRESS_COLUMNS = [
  ['name', 'AddrName'],
  ['city', 'City'],
  ['region', 'StateID'],
  ['postalCode', 'PostalCode'],
  ['countryId', 'CountryID'],
] as const;

/** Every ship-to field longer than its tciAddress column (lines: AddrLine1..5, at most five). */
function shipToIssues(a: PostalAddress): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [field, column] of ADDRESS_COLUMNS) {
    const max = columnLength('tciAddress', column) ?? 0;
    if (a[field].length > max)
      issues.push({ field: `shipTo.${field}`, problem: `do not fit tciAddress.${column} (${max})` });
  }
  if (a.lines.length > 5) issues.push({ field: 'shipTo.lines', problem: `${a.lines.length} lines, Sage keeps 5` });
  for (const [i, l] of a.lines.entries())
    if (l.length > (columnLength('tciAddress', 'AddrLine1') ?? 0))
      issues.push({ field: `shipTo.lines[${i}]`, problem: `do not fit tciAddress.AddrLine${i + 1} (40)` });
  return issues;
}
