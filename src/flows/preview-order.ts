import { MappingError } from '../core/errors.ts';
import { merchantWarehouseOf } from '../core/rules/mapping-rules.ts';
import type { Order } from '../core/model/order.ts';
import type { SalesOrder, SalesOrderDraft } from '../core/model/sales-order.ts';
import { salesOrderFromOrder } from '../core/transform/sales-order-from-order.ts';
import { orderActionFromStatus } from '../core/transform/status-map.ts';
import type { OrderOverrides } from '../core/transform/order-overrides.ts';
import { orderContextQuery, rulesWithAliases, skusOf, withOverrides, type SyncOrderDeps } from './sync-order.ts';
import { sageOrderState } from '../core/transform/sales-order-state.ts';

export interface OrderPreview {
  readonly amazonOrderId: string;
  readonly connectionId: string;
  /** What order.sync would do now with this order: create, wait, skip, cancel, flag, none, record-fba-shipped. */
  readonly action: string;
  readonly reason?: string;
  /** The Sage order already linked to this Amazon order, if Sage has one. */
  readonly existing?: { readonly tranNo: string; readonly status: string };
  /** The sales order that would be created (also shown when the action is not `create`, when it maps). */
  readonly draft?: SalesOrderDraft;
  /** Mapping problems that would dead-letter the order, each naming the field (empty when it maps). */
  readonly issues: MappingError['issues'];
  readonly code?: string;
  readonly message?: string;
}

/**
 * "What would Sellbridge create?": the decision and the mapping of `order.sync` (aliases included) for one order,
 * with reads only: Sage's order context and catalogue, never a TranNo reservation, a link or a sales order.
 */
export async function previewSalesOrder(
  connectionId: string,
  amazonOrder: Order,
  deps: Pick<SyncOrderDeps, 'aliases' | 'catalogue' | 'rulesFor' | 'rulesWithAliasesFor'> & {
    readonly sage: Pick<SyncOrderDeps['sage'], 'loadOrderContext' | 'findSalesOrder'>;
  },
  overrides?: OrderOverrides,
): Promise<OrderPreview> {
  const { order, rules } = withOverrides(
    amazonOrder,
    await rulesWithAliases(connectionId, deps, skusOf(amazonOrder, overrides)),
    overrides,
  );
  const existing: SalesOrder | undefined = await deps.sage.findSalesOrder({ amazonOrderId: order.id });
  const action = orderActionFromStatus(order, sageOrderState(existing), rules.status);
  const base = {
    amazonOrderId: order.id,
    connectionId,
    action: action.kind,
    ...('reason' in action && typeof action.reason === 'string' ? { reason: action.reason } : {}),
    ...(existing ? { existing: { tranNo: existing.tranNo, status: existing.status } } : {}),
  };
  const warehouseId = merchantWarehouseOf(rules, order.marketplaceId);
  const context = await deps.sage.loadOrderContext(orderContextQuery(order, rules, warehouseId));
  const catalogue = context.unknownItems.length > 0 ? await deps.catalogue.listItems() : [];
  try {
    return {
      ...base,
      draft: salesOrderFromOrder(order, { items: context.items, catalogue, warehouseId }, rules),
      issues: [],
    };
  } catch (err) {
    if (!(err instanceof MappingError)) throw err;
    return { ...base, issues: err.issues, code: err.code, message: err.message };
  }
}
