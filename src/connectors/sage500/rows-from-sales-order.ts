import { MappingError, SellbridgeError, type FieldIssue } from '../../core/errors.ts';
import { money } from '../../core/model/money.ts';
import type { SalesOrderDraft } from '../../core/model/sales-order.ts';
import { sageDate, sageDecimalFromMoney } from './decimal.ts';
import { columnLength, PROCESS_STATUS, type SageTableName } from './tables.ts';
import type { Insertable } from 'kysely';
import type { SageDatabase } from './tables.ts';

export type StgSalesOrderRow = Insertable<SageDatabase['StgSalesOrder']>;
export type StgSOLineRow = Insertable<SageDatabase['StgSOLine']>;

/** Action code of staging rows: 1 = insert (facts §3). The middleware only ever inserts (facts §4.3). */
const ACTION_INSERT = 1;
/** StgSalesOrder has DfltShipToAddrLine1..5 (facts §4.2), like tciAddress.AddrLine1..5. */
const ADDRESS_LINES = 5;

export function checkTranNo(tranNo: string): void {
  if (!/^[A-Za-z0-9-]{1,10}$/.test(tranNo)) {
    throw new SellbridgeError('SB_SAGE_TRANNO_INVALID', `TranNo "${tranNo}" must be 1 to 10 letters or digits`, {
      context: { tranNo },
    });
  }
}

/**
 * The staging rows for one order (facts §4.2 and recipe §7a), in Sage's text conventions ('Open', 'No',
 * DeliveryMeth '1'). Pure. Every value is checked against its Sage column length first, and all too-long
 * values are reported at once as one `SB_SAGE_VALUE_TOO_LONG` mapping error: Sage would reject or silently
 * truncate them, and truncating an id (ItemID, AmazonOrderItemId) would point at the wrong record. Other
 * problems (no lines, duplicate line numbers, bad quantities or currencies) make it `SB_SAGE_ORDER_INVALID`,
 * still listing every issue.
 */
export function rowsFromSalesOrder(
  draft: SalesOrderDraft,
  tranNo: string,
  sessionKey: number,
): { header: StgSalesOrderRow; lines: StgSOLineRow[] } {
  checkTranNo(tranNo);
  const issues: FieldIssue[] = [];
  const fit = (table: SageTableName, column: string, field: string, value: string | undefined): string | null => {
    if (value === undefined || value === '') return null;
    const max = columnLength(table, column);
    if (max !== undefined && value.length > max)
      issues.push({ field, problem: `${value.length} characters do not fit ${table}.${column} (varchar(${max}))` });
    return value;
  };
  if (draft.lines.length === 0) issues.push({ field: 'lines', problem: 'an order needs at least one line' });
  const shipTo = draft.shipTo;
  const header: StgSalesOrderRow = {
    SessionKey: sessionKey,
    ProcessStatus: PROCESS_STATUS.notProcessed,
    Action: ACTION_INSERT,
    TranNo: tranNo,
    TranDate: sageDate(draft.orderDate),
    Status: 'Open',
    CustID: fit('StgSalesOrder', 'CustID', 'customerId', draft.customerId),
    CustPONo: fit('StgSalesOrder', 'CustPONo', 'customerPoNo', draft.customerPoNo),
    CurrID: fit('StgSalesOrder', 'CurrID', 'currency', draft.currency),
    CurrExchRate: 1,
    DfltShipToAddrName: fit('StgSalesOrder', 'DfltShipToAddrName', 'shipTo.name', shipTo?.name),
    DfltShipToAddrLine1: fit('StgSalesOrder', 'DfltShipToAddrLine1', 'shipTo.lines[0]', shipTo?.lines[0]),
    DfltShipToAddrLine2: fit('StgSalesOrder', 'DfltShipToAddrLine2', 'shipTo.lines[1]', shipTo?.lines[1]),
    DfltShipToAddrLine3: fit('StgSalesOrder', 'DfltShipToAddrLine3', 'shipTo.lines[2]', shipTo?.lines[2]),
    DfltShipToAddrLine4: fit('StgSalesOrder', 'DfltShipToAddrLine4', 'shipTo.lines[3]', shipTo?.lines[3]),
    DfltShipToAddrLine5: fit('StgSalesOrder', 'DfltShipToAddrLine5', 'shipTo.lines[4]', shipTo?.lines[4]),
    DfltShipToCity: fit('StgSalesOrder', 'DfltShipToCity', 'shipTo.city', shipTo?.city),
    DfltShipToStateID: fit('StgSalesOrder', 'DfltShipToStateID', 'shipTo.region', shipTo?.region),
    DfltShipToCountryID: fit('StgSalesOrder', 'DfltShipToCountryID', 'shipTo.countryId', shipTo?.countryId),
    DfltShipToPostalCode: fit('StgSalesOrder', 'DfltShipToPostalCode', 'shipTo.postalCode', shipTo?.postalCode),
    DfltWarehouseID: fit('StgSalesOrder', 'DfltWarehouseID', 'warehouseId', draft.warehouseId),
    DfltShipMethID: fit('StgSalesOrder', 'DfltShipMethID', 'shipMethodId', draft.shipMethodId),
    DfltShipPriority: 3,
    RequireSOAck: 'No',
    Hold: '0',
    FreightAmt: sageDecimalFromMoney(draft.freight ?? money(draft.currency, 0)),
    // The AmazonOrderId (19 characters) only fits TranCmnt varchar(50) on the header (facts §5).
    TranCmnt: fit('StgSalesOrder', 'TranCmnt', 'amazonOrderId', draft.amazonOrderId),
  };
  if (shipTo && shipTo.lines.length > ADDRESS_LINES) {
    issues.push({
      field: 'shipTo.lines',
      problem: `${shipTo.lines.length} address lines do not fit StgSalesOrder.DfltShipToAddrLine1..${ADDRESS_LINES}`,
    });
  }
  const seen = new Set<number>();
  const lines = draft.lines.map((line, i): StgSOLineRow => {
    const at = `lines[${i}]`;
    if (seen.has(line.lineNo))
      issues.push({ field: `${at}.lineNo`, problem: `line number ${line.lineNo} is used twice` });
    seen.add(line.lineNo);
    if (!Number.isInteger(line.quantity) || line.quantity <= 0)
      issues.push({ field: `${at}.quantity`, problem: 'must be a whole number above 0' });
    if (line.unitPrice.currency !== draft.currency)
      issues.push({
        field: `${at}.unitPrice`,
        problem: `currency ${line.unitPrice.currency} differs from the order's ${draft.currency}`,
      });
    const gross = line.unitPrice.minor * line.quantity;
    const discount = line.tradeDiscount;
    if (discount !== undefined) {
      if (discount.currency !== draft.currency)
        issues.push({
          field: `${at}.tradeDiscount`,
          problem: `currency ${discount.currency} differs from the order's ${draft.currency}`,
        });
      if (!Number.isInteger(discount.minor) || discount.minor < 0)
        issues.push({ field: `${at}.tradeDiscount`, problem: 'must be 0 or more' });
      else if (gross >= 0 && discount.minor > gross)
        issues.push({ field: `${at}.tradeDiscount`, problem: 'is larger than unit price x quantity' });
    }
    const row: StgSOLineRow = {
      SessionKey: sessionKey,
      ProcessStatus: PROCESS_STATUS.notProcessed,
      Action: ACTION_INSERT,
      TranNo: tranNo,
      SOLineNo: line.lineNo,
      ItemID: fit('StgSOLine', 'ItemID', `${at}.itemId`, line.itemId),
      Description: fit('StgSOLine', 'Description', `${at}.description`, line.description),
      QtyOrd: String(line.quantity),
      UnitPrice: sageDecimalFromMoney(line.unitPrice),
      // ExtAmt is price x quantity, gross; the trade discount goes beside it in TradeDiscAmt. The SO API hands
      // both to spsoGetSOLineDist separately (R1) and R3's production integration stages them this way, so
      // staging a net amount would take the discount off twice (review §3 item 8).
      ExtAmt: sageDecimalFromMoney(money(line.unitPrice.currency, gross)),
      TradeDiscAmt: discount === undefined ? null : sageDecimalFromMoney(discount),
      WarehouseID: fit('StgSOLine', 'WarehouseID', `${at}.warehouseId`, line.warehouseId ?? draft.warehouseId),
      ShipMethID: fit('StgSOLine', 'ShipMethID', `${at}.shipMethodId`, line.shipMethodId ?? draft.shipMethodId),
      ShipPriority: 3,
      // Amazon's latest ship date is the date the buyer was promised: Sage's requested and promise dates of the
      // line (facts §4.2, StgSOLine.RequestDate/PromiseDate), which its open-order and pick reports sort by.
      // Without one (an older draft) the order date, as before.
      RequestDate: sageDate(draft.shipBy ?? draft.orderDate),
      PromiseDate: draft.shipBy ? sageDate(draft.shipBy) : null,
      Status: 'Open',
      CmntOnly: 'No',
      ReqCert: 'No',
      Hold: '0',
      DeliveryMeth: '1',
      // Sage books the line to this account instead of the item's default (facts §4.2, StgSOLine.GLAcctNo).
      GLAcctNo: fit('StgSOLine', 'GLAcctNo', `${at}.glAccountNo`, line.glAccountNo),
      // No UserFld: tsoSOLine.UserFld1 is the customer's own field (a site's "validated list" definition could
      // reject our value, review §3 item 20). The OrderItemId goes to tsoSOLine_AMZ in the import's transaction,
      // linked by line position.
    };
    fit('tsoSOLine_AMZ', 'AmazonOrderItemId', `${at}.amazonOrderItemId`, line.amazonOrderItemId);
    fit('tsoSOLine_AMZ', 'SellerSKU', `${at}.sellerSku`, line.sellerSku);
    return row;
  });
  if (draft.amazonOrderId.length > (columnLength('tsoSalesOrder_AMZ', 'AmazonOrderId') ?? 0)) {
    issues.push({ field: 'amazonOrderId', problem: 'longer than tsoSalesOrder_AMZ.AmazonOrderId (varchar(19))' });
  }
  if (issues.length > 0) {
    const onlyLengths = issues.every((i) => i.problem.includes('do not fit') || i.problem.startsWith('longer than'));
    throw new MappingError(
      onlyLengths ? 'SB_SAGE_VALUE_TOO_LONG' : 'SB_SAGE_ORDER_INVALID',
      `sales order ${tranNo}`,
      issues,
      { context: { tranNo, amazonOrderId: draft.amazonOrderId } },
    );
  }
  return { header, lines };
}
