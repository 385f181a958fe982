import { setImmediate } from 'node:timers/promises';
import { money } from '../../core/model/money.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type {
  ReconciliationSummary,
  SettledKinds,
  SettlementForReconciliation,
  SettlementReconciliation,
} from '../../core/transform/three-way-reconciliation.ts';
import { writeAudit } from '../../runtime/audit.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { SettlementTables } from './settlement-ledger.ts';

/**
 * The three-way reconciliation's store side: a posted settlement with its per-order sums by kind (migration
 * 0016), and each reconciliation's result kept as an audit entry (`settlement.reconciled`), the latest of which
 * per settlement the `sellbridge_settlement_unreconciled_minor` metric adds up.
 */
const tables = (store: Store) => store.db.withTables<SettlementTables>();

export const RECONCILED_ACTION = 'settlement.reconciled';

export async function settlementForReconciliation(
  store: Store,
  connectionId: string,
  settlementId: string,
): Promise<SettlementForReconciliation | undefined> {
  const paged = await settlementPagesForReconciliation(store, connectionId, settlementId);
  if (!paged) return undefined;
  const orders: SettlementForReconciliation['orders'][number][] = [];
  for await (const page of paged.pages) orders.push(...page);
  return { ...paged.header, orders };
}

/** The settlement and its per-order sums in pages of `pageSize`, by order id (keyset: flat memory at any size). */
export async function settlementPagesForReconciliation(
  store: Store,
  connectionId: string,
  settlementId: string,
  pageSize = 1000,
): Promise<
  | {
      header: Omit<SettlementForReconciliation, 'orders'>;
      pages: AsyncIterable<SettlementForReconciliation['orders']>;
    }
  | undefined
> {
  const db = tables(store);
  const s = await db
    .selectFrom('settlements')
    .select(['settlement_id', 'currency', 'total_minor'])
    .where('connection_id', '=', connectionId)
    .where('settlement_id', '=', settlementId)
    .executeTakeFirst();
  if (!s) return undefined;
  async function* pages(): AsyncGenerator<SettlementForReconciliation['orders']> {
    let after: string | undefined;
    for (;;) {
      let q = db
        .selectFrom('settlement_orders')
        .select(['amazon_order_id', 'currency', 'amount_minor', 'kinds'])
        .where('connection_id', '=', connectionId)
        .where('settlement_id', '=', settlementId)
        .orderBy('amazon_order_id')
        .limit(pageSize);
      if (after !== undefined) {
        q = q.where('amazon_order_id', '>', after);
        // One turn of the event loop between pages. node:sqlite answers synchronously, so without it a whole
        // reconciliation (a Sage lookup per order) runs as one chain of microtasks: V8's incremental GC, which
        // runs as tasks, waits for the end, and the heap grew by hundreds of MB on a large settlement.
        await setImmediate();
      }
      const rows = await q.execute();
      if (rows.length === 0) return;
      after = rows.at(-1)!.amazon_order_id;
      yield rows.map((r) => ({
        amazonOrderId: r.amazon_order_id,
        currency: r.currency,
        minor: Number(r.amount_minor),
        ...(r.kinds ? { kinds: JSON.parse(r.kinds) as SettledKinds } : {}),
      }));
      if (rows.length < pageSize) return;
    }
  }
  return {
    header: { settlementId: s.settlement_id, currency: s.currency, total: money(s.currency, Number(s.total_minor)) },
    pages: pages(),
  };
}

/** Keeps a reconciliation's outcome (totals and the causes found, never buyer data) as an audit entry. */
export async function recordReconciliation(
  store: Store,
  clock: Clock,
  connectionId: string,
  result: SettlementReconciliation | ReconciliationSummary,
): Promise<void> {
  const causes: Record<string, number> = {};
  if ('orderCauses' in result) Object.assign(causes, result.orderCauses);
  else for (const o of result.orders) for (const d of o.differences) causes[d.cause] = (causes[d.cause] ?? 0) + 1;
  for (const d of result.differences) causes[d.cause] = (causes[d.cause] ?? 0) + 1;
  await writeAudit(
    store.db,
    {
      actor: 'sellbridge',
      action: RECONCILED_ACTION,
      target: `settlement:${connectionId}:${result.settlementId}`,
      detail: {
        settlementId: result.settlementId,
        currency: result.currency,
        unreconciledMinor: result.unreconciled,
        orders: 'orderCount' in result ? result.orderCount : result.orders.length,
        causes,
      },
    },
    clock.now(),
  );
}

/** The latest reconciliation of every settlement, summed per currency: money no expected cause explains. */
export async function unreconciledByCurrency(store: Store, limit = 20_000): Promise<Map<string, number>> {
  const rows = await store.db
    .selectFrom('audit_log')
    .select(['target', 'detail'])
    .where('action', '=', RECONCILED_ACTION)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  const seen = new Set<string>();
  const out = new Map<string, number>();
  for (const r of rows) {
    if (seen.has(r.target)) continue;
    seen.add(r.target);
    const d = JSON.parse(r.detail) as { currency?: string; unreconciledMinor?: number };
    if (typeof d.currency !== 'string' || typeof d.unreconciledMinor !== 'number') continue;
    out.set(d.currency, (out.get(d.currency) ?? 0) + d.unreconciledMinor);
  }
  return out;
}
