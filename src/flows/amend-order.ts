import { MappingError, SellbridgeError } from '../core/errors.ts';
import type { Order } from '../core/model/order.ts';
import type { SalesOrder } from '../core/model/sales-order.ts';
import type { AppliedOrderChange, OrderChanges } from '../core/ports/order-changes.ts';
import type { OrderKey } from '../core/ports/order-links.ts';
import type { OrderFittings, OriginalAddresses } from '../core/ports/order-fittings.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { merchantWarehouseOf, type MappingRules } from '../core/rules/mapping-rules.ts';
import {
  addressDigest,
  changesApply,
  planOrderChanges,
  type OrderDifference,
  type PlannedOrderChange,
} from '../core/transform/order-changes.ts';
import { mapSalesOrder, type MappedSalesOrder } from '../core/transform/sales-order-from-order.ts';
import { orderContextQuery } from './sync-order.ts';

export interface AmendOrderDeps {
  readonly sage: Pick<Sage500Gateway, 'loadOrderContext'> &
    Partial<Pick<Sage500Gateway, 'cancelSalesOrderLine' | 'updateSalesOrderShipTo'>>;
  /** Where the compared version, the differences and the applied changes are kept; without it nothing is compared. */
  readonly changes?: OrderChanges;
  /** A new ship-to fitted to Sage is recorded as the order's fitting, its Amazon original kept (as at creation). */
  readonly fittings?: OrderFittings;
  readonly originals?: OriginalAddresses;
}

export type AmendOutcome = {
  readonly kind: 'amended';
  readonly tranNo: string;
  readonly applied: readonly AppliedOrderChange['kind'][];
  readonly differences: readonly OrderDifference[];
};

/** Gateway refusals that make a planned change a difference for a person instead of a retry. */
const REFUSED = new Set(['SB_SAGE_ORDER_NOT_CANCELABLE', 'SB_SAGE_ORDER_NOT_CHANGEABLE', 'SB_SAGE_LINE_NOT_FOUND']);

/**
 * An Amazon order that changed after its Sage order was created (issue 17): compared once per Amazon version
 * (LastUpdateDate; the same version again, a replayed notification or the poll's re-read, changes nothing), a line
 * cancelled at Amazon and not shipped is cancelled in Sage, a new ship-to is fitted and written while nothing
 * shipped, and everything else is kept as a difference (`orders status`, the admin API, a gauge). Each gateway call
 * is idempotent too, so a run that dies before its record is repeated without changing anything twice. Returns
 * undefined when the order is not compared (not open on both sides, no store) or nothing differs.
 */
export async function amendSalesOrder(
  key: OrderKey,
  amazon: { readonly order: Order; readonly original: Order },
  rules: MappingRules,
  sageOrder: SalesOrder,
  deps: AmendOrderDeps,
): Promise<AmendOutcome | undefined> {
  const { order } = amazon;
  if (!deps.changes || !changesApply(order, sageOrder)) return undefined;
  const seen = await deps.changes.get(key.connectionId, key.amazonOrderId);
  if (seen?.amazonUpdatedAt === order.lastUpdatedAt) return undefined;
  // The ship-to as Amazon sent it (before an operator's corrections) tells whether the buyer changed it.
  const shipToDigest = addressDigest(amazon.original.shipTo);
  const shipToChanged = seen?.shipToDigest && shipToDigest ? seen.shipToDigest !== shipToDigest : undefined;
  const mapped = await mapAgain(order, rules, deps);
  const plan = planOrderChanges(order, mapped, sageOrder, shipToChanged);
  const applied: Omit<AppliedOrderChange, 'at'>[] = [];
  const differences: OrderDifference[] = [...plan.differences];
  for (const change of plan.changes) {
    try {
      if (await apply(sageOrder.tranNo, change, deps)) {
        applied.push(record(change, order));
        if (change.kind === 'update-ship-to') await recordFitting(key, amazon.original, mapped.addressChanges, deps);
      } else differences.push(unsupported(change));
    } catch (err) {
      if (!(err instanceof SellbridgeError) || !REFUSED.has(err.code)) throw err;
      differences.push({ field: fieldOf(change), problem: `not changed in Sage: ${err.message}` });
    }
  }
  await deps.changes.recordComparison(key, {
    amazonUpdatedAt: order.lastUpdatedAt,
    ...(order.latestShipDate ? { latestShipDate: order.latestShipDate } : {}),
    ...(shipToDigest ? { shipToDigest } : {}),
    differences,
    applied,
  });
  if (applied.length === 0 && differences.length === 0) return undefined;
  return { kind: 'amended', tranNo: sageOrder.tranNo, applied: applied.map((a) => a.kind), differences };
}

/** The order mapped again as it is now (the ship-to fitted to Sage as for a new order); a mapping problem is a difference. */
async function mapAgain(
  order: Order,
  rules: MappingRules,
  deps: AmendOrderDeps,
): Promise<{
  draft?: MappedSalesOrder['draft'];
  addressChanges?: MappedSalesOrder['addressChanges'];
  mappingProblem?: string;
}> {
  const warehouseId = merchantWarehouseOf(rules, order.marketplaceId);
  const context = await deps.sage.loadOrderContext(orderContextQuery(order, rules, warehouseId));
  try {
    return mapSalesOrder(order, { items: context.items, catalogue: [], warehouseId }, rules);
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    return { mappingProblem: `${err.code}: ${err.issues.map((i) => i.field).join(', ')}` };
  }
}

/**
 * The new ship-to's fitting replaces the order's (what changed from Amazon's new address); its original is kept
 * sealed first when the vault is there. A new address that fits as written leaves the earlier record as it was.
 */
async function recordFitting(
  key: OrderKey,
  original: Order,
  changes: MappedSalesOrder['addressChanges'] | undefined,
  deps: AmendOrderDeps,
): Promise<void> {
  if (!deps.fittings || !changes?.length) return;
  const kept = deps.originals && original.shipTo ? await deps.originals.keep(key, original.shipTo) : false;
  await deps.fittings.record(key, changes, kept);
}

async function apply(tranNo: string, change: PlannedOrderChange, deps: AmendOrderDeps): Promise<boolean> {
  if (change.kind === 'cancel-line') {
    if (!deps.sage.cancelSalesOrderLine) return false;
    await deps.sage.cancelSalesOrderLine(tranNo, change.lineNo);
    return true;
  }
  if (!deps.sage.updateSalesOrderShipTo) return false;
  await deps.sage.updateSalesOrderShipTo(tranNo, change.shipTo);
  return true;
}

function record(change: PlannedOrderChange, order: Order): Omit<AppliedOrderChange, 'at'> {
  return change.kind === 'cancel-line'
    ? {
        kind: 'line-cancelled',
        lineNo: change.lineNo,
        amazonOrderItemId: change.amazonOrderItemId,
        amazonUpdatedAt: order.lastUpdatedAt,
      }
    : { kind: 'ship-to-updated', amazonUpdatedAt: order.lastUpdatedAt };
}

const fieldOf = (c: PlannedOrderChange) => (c.kind === 'cancel-line' ? `lines[${c.amazonOrderItemId}]` : 'shipTo');

function unsupported(c: PlannedOrderChange): OrderDifference {
  return {
    field: fieldOf(c),
    problem:
      c.kind === 'cancel-line'
        ? `cancelled at Amazon; this Sage gateway cannot cancel line ${c.lineNo}`
        : 'changed at Amazon; this Sage gateway cannot change the ship-to',
  };
}
