import { MappingError, SellbridgeError, type FieldIssue } from '../../../core/errors.ts';
import type { CustomerReturnDraft, CustomerReturnResult } from '../../../core/model/sales-order.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { decimalText, sageDateTime } from '../decimal.ts';
import { checkTranNo } from '../rows-from-sales-order.ts';
import {
  insertReturnHeader,
  insertReturnLine,
  insertReturnLineDist,
  insertReturnLog,
  selectCustomerReturn,
  selectReturnableLines,
} from '../sql/customer-return.ts';
import { selectSalesOrderHeader } from '../sql/find-sales-order.ts';
import { SHIPMENT_TRAN_STATUS, TRAN_TYPE_CUSTOMER_RETURN } from '../tables.ts';
import type { GatewayContext } from './context.ts';

/**
 * Amazon refunds as Sage customer returns (TranType 811), linked to the original order through each line's SOLineKey
 * and left pending for a Sage user to commit and post (Sage's posting of a customer return makes its AR credit memo:
 * NarsilWorks-Inc/invtcommit `functions/gl/createbatchlessglpostingbatch.go` posts 810/812/811 shipments with their
 * invoice lines found by `tarInvoiceDetl.ShipLineKey`). Written as rows, in one transaction, on both adapters: no
 * public source shows a procedure that creates a customer return (inferred, docs/fba-and-returns.md).
 */
export function customerReturnMethods(ctx: GatewayContext): Pick<Sage500Gateway, 'recordCustomerReturn'> {
  const { backend, co, options } = ctx;

  async function recordCustomerReturn(
    draft: CustomerReturnDraft,
    { tranNo }: { readonly tranNo: string },
  ): Promise<CustomerReturnResult> {
    checkTranNo(tranNo);
    const existing = await selectCustomerReturn(backend.db, co, tranNo).executeTakeFirst();
    if (existing) return { outcome: 'existing', returnKey: String(existing.ShipKey), tranNo };
    const order = await selectSalesOrderHeader(backend.db, co, { tranNo: draft.salesOrderTranNo }).executeTakeFirst();
    if (!order)
      throw new SellbridgeError(
        'SB_SAGE_ORDER_NOT_FOUND',
        `no sales order ${draft.salesOrderTranNo} in company ${co} for the refund ${draft.reference}`,
        { context: { tranNo: draft.salesOrderTranNo, amazonOrderId: draft.amazonOrderId } },
      );
    const lines = await selectReturnableLines(backend.db, order.SOKey).execute();
    const issues: FieldIssue[] = [];
    const planned = draft.lines.map((l, i) => {
      const line = lines.find((x) => x.AmazonOrderItemId === l.amazonOrderItemId);
      const shipped = line ? Number(decimalText(line.QtyShip)) : 0;
      if (!line)
        issues.push({
          field: `lines[${i}].amazonOrderItemId`,
          problem: `not a line of sales order ${draft.salesOrderTranNo}`,
        });
      else if (!Number.isInteger(l.quantity) || l.quantity <= 0)
        issues.push({ field: `lines[${i}].quantity`, problem: `no whole quantity refunded (${l.quantity})` });
      else if (l.quantity > shipped)
        issues.push({ field: `lines[${i}].quantity`, problem: `${l.quantity} refunded but ${shipped} shipped` });
      return { line, quantity: l.quantity };
    });
    if (issues.length > 0 || planned.length === 0)
      throw new MappingError(
        'SB_SAGE_RETURN_INVALID',
        `refund ${draft.reference} of Amazon order ${draft.amazonOrderId} cannot be entered as a customer return`,
        issues.length > 0 ? issues : [{ field: 'lines', problem: 'no refunded quantity' }],
        { context: { amazonOrderId: draft.amazonOrderId, reference: draft.reference, tranNo } },
      );
    const now = sageDateTime(options.clock.now().toISOString());
    const first = planned[0]!.line!;
    // Keys from Sage's counter before the transaction (as the import's session key): the counter is not held locked.
    const shipKey = await backend.nextSurrogateKey('tsoShipment');
    const keys: { line: number; dist: number }[] = [];
    for (let i = 0; i < planned.length; i++)
      keys.push({
        line: await backend.nextSurrogateKey('tsoShipLine'),
        dist: await backend.nextSurrogateKey('tsoShipLineDist'),
      });
    const raced = await backend.transaction(async (db) => {
      // Read again inside the transaction: a concurrent call for the same refund that committed first wins.
      const already = await selectCustomerReturn(db, co, tranNo).executeTakeFirst();
      if (already) return already;
      await insertReturnHeader(db, {
        ShipKey: shipKey,
        CompanyID: co,
        TranType: TRAN_TYPE_CUSTOMER_RETURN,
        TranNo: tranNo,
        // Sage generates TranIDs; this one follows the shipments' "TranNo-suffix" look (inferred, facts §2.4).
        TranID: `${tranNo}-CR`,
        TranDate: sageDateTime(draft.returnDate),
        PostDate: null,
        CustKey: first.CustKey,
        WhseKey: first.WhseKey ?? 0,
        TranCmnt:
          `Amazon ${draft.source === 'fba-return' ? 'return' : 'refund'} ${draft.reference} ${draft.amazonOrderId}`.slice(
            0,
            50,
          ),
        CreateDate: now,
      }).execute();
      await insertReturnLog(db, {
        ShipKey: shipKey,
        CompanyID: co,
        TranType: TRAN_TYPE_CUSTOMER_RETURN,
        TranNo: tranNo,
        TranStatus: SHIPMENT_TRAN_STATUS.pending,
      }).execute();
      for (const [i, { line, quantity }] of planned.entries()) {
        const shipLineKey = keys[i]!.line;
        await insertReturnLine(db, {
          ShipLineKey: shipLineKey,
          ShipKey: shipKey,
          SOLineKey: line!.SOLineKey,
          ItemKey: line!.ItemKey,
          ShipDate: sageDateTime(draft.returnDate),
        }).execute();
        await insertReturnLineDist(db, {
          ShipLineDistKey: keys[i]!.dist,
          ShipLineKey: shipLineKey,
          WhseBinKey: null,
          QtyShipped: String(quantity),
        }).execute();
      }
      return undefined;
    });
    if (raced) return { outcome: 'existing', returnKey: String(raced.ShipKey), tranNo };
    return { outcome: 'created', returnKey: String(shipKey), tranNo };
  }

  return { recordCustomerReturn };
}
