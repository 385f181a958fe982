import type { Money } from '../core/model/money.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import {
  emptyKinds,
  reconcileSettlement,
  type OrderFacts,
  type SettlementForReconciliation,
  type SettlementReconciliation,
} from '../core/transform/three-way-reconciliation.ts';

export interface ThreeWayDeps {
  readonly settlement: (connectionId: string, settlementId: string) => Promise<SettlementForReconciliation | undefined>;
  /** The Sage side: the sales order of each Amazon order (through the order link Sellbridge keeps in Sage). */
  readonly sage: Pick<Sage500Gateway, 'findSalesOrder'>;
  /** What the bank statement shows for a settlement's deposit, when known. */
  readonly bankDeposit?: (settlementId: string) => Money | undefined;
  /** Told each result (the audit entry the unreconciled-money metric reads). */
  readonly onReconciled?: (connectionId: string, result: SettlementReconciliation) => Promise<void>;
}

/**
 * One settlement, three ways. Sage's side is the sales order's total: Sellbridge does not read Sage invoices, so
 * the order total stands in for the invoice (`invoiceKnown` false: "invoice missing" is never claimed from it).
 */
export async function threeWayReconciliation(
  connectionId: string,
  settlementId: string,
  deps: ThreeWayDeps,
): Promise<SettlementReconciliation | undefined> {
  const s = await deps.settlement(connectionId, settlementId);
  if (!s) return undefined;
  const orders: OrderFacts[] = [];
  for (const o of s.orders) {
    if (o.currency !== s.currency) continue;
    const so = await deps.sage.findSalesOrder({ amazonOrderId: o.amazonOrderId });
    const kinds = o.kinds ?? { ...emptyKinds(), other: o.minor };
    orders.push({
      amazonOrderId: o.amazonOrderId,
      currency: o.currency,
      settled: kinds,
      ...(so
        ? {
            sage: {
              tranNo: so.tranNo,
              ...(so.total && so.total.currency === s.currency ? { orderTotal: so.total.minor } : {}),
            },
          }
        : {}),
    });
  }
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
