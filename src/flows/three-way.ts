import type { OrderInvoice } from '../core/model/cash-receipt.ts';
import type { Money } from '../core/model/money.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import {
  createReconciliationTally,
  emptyKinds,
  reconcileOrder,
  reconcileSettlement,
  type OrderFacts,
  type ReconciliationSummary,
  type SettlementForReconciliation,
  type SettlementReconciliation,
} from '../core/transform/three-way-reconciliation.ts';

export interface ThreeWayDeps {
  readonly settlement: (connectionId: string, settlementId: string) => Promise<SettlementForReconciliation | undefined>;
  /**
   * The Sage side: the sales order of each Amazon order (through the order link Sellbridge keeps in Sage) and, with
   * `invoicesOfOrders`, the invoices Sage made of it.
   */
  readonly sage: Pick<Sage500Gateway, 'salesOrderTotalsOf'> & Partial<Pick<Sage500Gateway, 'invoicesOfOrders'>>;
  /**
   * `invoiced-orders`: Sage invoices every order, so the invoices are read (`invoicesOfOrders`) and an order Sage
   * has not invoiced is `invoice missing`. Otherwise (`settlement-revenue`: orders are not invoiced) the sales
   * order's total stands in for the invoice.
   */
  readonly readInvoices?: boolean;
  /** What the bank statement shows for a settlement's deposit, when known. */
  readonly bankDeposit?: (settlementId: string) => Money | undefined;
  /** Told each result (the audit entry the unreconciled-money metric reads). */
  readonly onReconciled?: (
    connectionId: string,
    result: SettlementReconciliation | ReconciliationSummary,
  ) => Promise<void>;
  /**
   * The settlement with its orders in pages (threeWayTally: a settlement of any size in flat memory); without it
   * threeWayTally reads `settlement` whole.
   */
  readonly settlementPages?: (
    connectionId: string,
    settlementId: string,
  ) => Promise<
    | {
        readonly header: Omit<SettlementForReconciliation, 'orders'>;
        readonly pages: AsyncIterable<SettlementForReconciliation['orders']>;
      }
    | undefined
  >;
}

/**
 * One settlement, three ways. Sage's side is what Sage invoiced for the order (`readInvoices`): the total of the
 * invoices that bill only this order (`invoiceKnown`: none at all is "invoice missing"); an order billed on an
 * invoice shared with other orders, or no invoice reading, falls back to the sales order's total standing in for the
 * invoice (`invoiceKnown` false: "invoice missing" is never claimed from it).
 */
export async function threeWayReconciliation(
  connectionId: string,
  settlementId: string,
  deps: ThreeWayDeps,
): Promise<SettlementReconciliation | undefined> {
  const s = await deps.settlement(connectionId, settlementId);
  if (!s) return undefined;
  const orders = await orderFactsOf(s.orders, s.currency, deps);
  const bank = deps.bankDeposit?.(settlementId);
  const result = reconcileSettlement({
    settlementId: s.settlementId,
    currency: s.currency,
    deposit: s.total,
    ...(bank ? { bank } : {}),
    orders,
  });
  await deps.onReconciled?.(connectionId, result);
  return result;
}

/**
 * threeWayReconciliation without the per-order lines, the orders read and reconciled a page at a time: what a job
 * keeps after an import (the audit entry), in flat memory at any settlement size.
 */
export async function threeWayTally(
  connectionId: string,
  settlementId: string,
  deps: ThreeWayDeps,
): Promise<ReconciliationSummary | undefined> {
  const paged = deps.settlementPages
    ? await deps.settlementPages(connectionId, settlementId)
    : await deps.settlement(connectionId, settlementId).then((s) => s && { header: s, pages: [s.orders] });
  if (!paged) return undefined;
  const { header } = paged;
  const bank = deps.bankDeposit?.(settlementId);
  const tally = createReconciliationTally({
    settlementId: header.settlementId,
    currency: header.currency,
    deposit: header.total,
    ...(bank ? { bank } : {}),
  });
  for await (const page of paged.pages)
    for (const facts of await orderFactsOf(page, header.currency, deps)) tally.add(reconcileOrder(facts));
  const result = tally.finish();
  await deps.onReconciled?.(connectionId, result);
  return result;
}

/** The facts of some of a settlement's orders: its sums by kind beside Sage's order (and invoices). */
async function orderFactsOf(
  settled: SettlementForReconciliation['orders'],
  currency: string,
  deps: ThreeWayDeps,
): Promise<OrderFacts[]> {
  const orders: OrderFacts[] = [];
  const invoices =
    deps.readInvoices && deps.sage.invoicesOfOrders
      ? await deps.sage.invoicesOfOrders(settled.map((o) => o.amazonOrderId))
      : undefined;
  // Sage is read once for the whole page (a few statements), not once or twice per order: on SQL Server a few round
  // trips per page (not timed against a real server); here the job's run on a 404 MB report 41 -> 29 s with the
  // sandbox.
  const inCurrency = settled.filter((o) => o.currency === currency);
  const totals = new Map(
    (await deps.sage.salesOrderTotalsOf(inCurrency.map((o) => o.amazonOrderId))).map((t) => [t.amazonOrderId, t]),
  );
  for (const o of inCurrency) {
    const so = totals.get(o.amazonOrderId);
    const kinds = o.kinds ?? { ...emptyKinds(), other: o.minor };
    orders.push({
      amazonOrderId: o.amazonOrderId,
      currency: o.currency,
      settled: kinds,
      ...(so
        ? {
            sage: {
              tranNo: so.tranNo,
              ...(so.total && so.total.currency === currency ? { orderTotal: so.total.minor } : {}),
              ...invoicedOf(o.amazonOrderId, currency, invoices),
            },
          }
        : {}),
    });
  }
  return orders;
}

/** What Sage invoiced for one order, when it can be told (see threeWayReconciliation). */
function invoicedOf(
  amazonOrderId: string,
  currency: string,
  invoices: readonly OrderInvoice[] | undefined,
): { invoiced?: number; invoiceKnown?: boolean } {
  if (!invoices) return {};
  const mine = invoices.filter((i) => i.amazonOrderId === amazonOrderId);
  if (mine.length === 0) return { invoiceKnown: true };
  if (mine.some((i) => i.orders > 1 || i.total.currency !== currency)) return {};
  return { invoiced: mine.reduce((sum, i) => sum + i.total.minor, 0), invoiceKnown: true };
}
