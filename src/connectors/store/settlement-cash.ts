import type { CashReceiptResult } from '../../core/model/cash-receipt.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { Store } from '../../runtime/store/store.ts';

/**
 * Each settlement cash receipt entered in Sage (settlements.cashApplication), kept as an audit entry
 * (`settlement.cash-applied`): the receipt, its applications and the unapplied money per order with the reason
 * (Amazon order ids and amounts only, never buyer data). `settlements show` prints the latest of a settlement.
 */
export const CASH_APPLIED_ACTION = 'settlement.cash-applied';

export async function recordCashReceipt(
  store: Store,
  clock: Clock,
  connectionId: string,
  settlementId: string,
  receipt: CashReceiptResult,
): Promise<void> {
  await writeAudit(
    store.db,
    {
      actor: 'sellbridge',
      action: CASH_APPLIED_ACTION,
      target: `settlement:${connectionId}:${settlementId}`,
      detail: { settlementId, ...receipt },
    },
    clock.now(),
  );
}

/**
 * The cash receipts recorded for a settlement, newest first per reference; a receipt first `created` keeps its
 * per-order unapplied list even when later imports found it `existing`.
 */
export async function cashReceiptsOf(
  store: Store,
  connectionId: string,
  settlementId: string,
): Promise<CashReceiptResult[]> {
  const rows = await store.db
    .selectFrom('audit_log')
    .select(['detail'])
    .where('action', '=', CASH_APPLIED_ACTION)
    .where('target', '=', `settlement:${connectionId}:${settlementId}`)
    .orderBy('id', 'asc')
    .execute();
  const byReference = new Map<string, CashReceiptResult>();
  for (const r of rows) {
    const d = JSON.parse(r.detail) as CashReceiptResult;
    const before = byReference.get(d.reference);
    byReference.set(d.reference, before && d.outcome === 'existing' ? before : d);
  }
  return [...byReference.values()];
}
