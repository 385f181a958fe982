import { MappingError, SellbridgeError } from '../core/errors.ts';
import { canTransition, type SyncState } from '../core/lifecycle.ts';
import type { Order } from '../core/model/order.ts';
import type { SalesOrder, SalesOrderDraft } from '../core/model/sales-order.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { ItemCatalogue } from '../core/ports/item-catalogue.ts';
import type { OrderLink, OrderLinks, OrderLinkUpdate } from '../core/ports/order-links.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { SkuAliasSource } from '../core/ports/sku-alias-source.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import { salesOrderFromOrder, shipMethodFromServiceLevel } from '../core/transform/sales-order-from-order.ts';
import { orderActionFromStatus, SYNC_STATE_AFTER } from '../core/transform/status-map.ts';
import { parsePayload } from './job-payload.ts';
import { sageOrderState } from './sales-order-state.ts';

/** Queue name and key of the order sync job (STYLE.md §8.3: dotted ids, key from the business id). */
export const ORDER_SYNC_QUEUE = 'order.sync';
export const orderSyncKey = (amazonOrderId: string): string => `${ORDER_SYNC_QUEUE}:${amazonOrderId}`;

export interface OrderSyncJob {
  readonly connectionId: string;
  readonly amazonOrderId: string;
}

export interface ImportOrderDeps {
  readonly amazon: Pick<AmazonMarketplace, 'getOrder'>;
  readonly sage: Pick<Sage500Gateway, 'loadOrderContext' | 'createSalesOrder' | 'findSalesOrder' | 'cancelSalesOrder'>;
  readonly links: OrderLinks;
  readonly aliases: SkuAliasSource;
  readonly catalogue: ItemCatalogue;
  /** Mapping rules of a connection, without its SKU aliases (those come from `aliases`). */
  readonly rulesFor: (connectionId: string) => MappingRules;
}

export type ImportOutcome =
  | { readonly kind: 'created' | 'already-created'; readonly tranNo: string; readonly salesOrderKey: string }
  | { readonly kind: 'cancelled'; readonly tranNo: string }
  | { readonly kind: 'waiting' | 'skipped' | 'flagged' | 'unchanged'; readonly reason: string };

/**
 * `order.sync` (issue 5, steps 1-3): read the order, decide with the status map, and create (or cancel) the Sage
 * sales order exactly once. A TranNo is reserved in the store before anything is created and the gateway's
 * createSalesOrder is idempotent by TranNo, so a re-run (duplicate notification, retry, crashed worker) finds
 * or re-creates the same order, never a second one.
 */
export async function importOrder(payload: unknown, deps: ImportOrderDeps): Promise<ImportOutcome> {
  const job = parseOrderSyncJob(payload);
  const link = await deps.links.get(job.connectionId, job.amazonOrderId);
  const order = await deps.amazon.getOrder(job.amazonOrderId, { includePii: true });
  const sageOrder = await findLinkedSalesOrder(job, link, deps);
  const rules = await rulesWithAliases(job.connectionId, deps);
  // Sage has the order under our reserved TranNo but the link never recorded it (the run died between Sage's commit
  // and `created`, issue 13): finish the creation through the idempotent path (the gateway answers `existing` and
  // repairs the extension rows), then go on with the decision below.
  const finished = sageOrder && link?.tranNo && !link.salesOrderKey ? await createSalesOrder(job, order, rules, deps) : undefined;
  const action = orderActionFromStatus(order, sageOrderState(sageOrder), rules.status);
  switch (action.kind) {
    case 'create':
      return createSalesOrder(job, order, rules, deps);
    case 'record-fba-shipped':
      // The Sage500Gateway port cannot book an order as shipped yet; an open order in the FBA warehouse would wait
      // forever, so a person decides until the port can.
      await moveTo(job, 'needs-attention', deps, { lastError: 'FBA_RECORD_SHIPPED_UNSUPPORTED' });
      return { kind: 'flagged', reason: `FBA order for warehouse ${action.warehouseId}: booking it as shipped in Sage is not supported yet` };
    case 'cancel':
      return cancelSalesOrder(job, sageOrder!, deps);
    case 'none':
      return finished ?? (sageOrder ? { kind: 'already-created', tranNo: sageOrder.tranNo, salesOrderKey: sageOrder.key } : { kind: 'unchanged', reason: action.reason });
    case 'wait':
    case 'skip':
    case 'flag':
      await moveTo(job, SYNC_STATE_AFTER[action.kind]!, deps);
      return { kind: action.kind === 'wait' ? 'waiting' : action.kind === 'skip' ? 'skipped' : 'flagged', reason: action.reason };
  }
}

export function parseOrderSyncJob(payload: unknown): OrderSyncJob {
  return parsePayload(ORDER_SYNC_QUEUE, payload, ['connectionId', 'amazonOrderId'] as const);
}

/** Steps of the create path, each a named call: context, mapping, reservation, creation, record. */
async function createSalesOrder(job: OrderSyncJob, order: Order, rules: MappingRules, deps: ImportOrderDeps): Promise<ImportOutcome> {
  const warehouseId = rules.warehouseId;
  const context = await deps.sage.loadOrderContext(orderContextQuery(order, rules, warehouseId));
  const catalogue = context.unknownItems.length > 0 ? await deps.catalogue.listItems() : [];
  const draft = await mapOrRecordDeadLetter(job, order, rules, { items: context.items, catalogue, warehouseId }, deps);
  await moveTo(job, 'mapped', deps, { lastError: null, ...(order.marketplaceId ? { marketplaceId: order.marketplaceId } : {}) });
  const tranNo = await deps.links.reserveTranNo(job.connectionId, job.amazonOrderId);
  await moveTo(job, 'reserved', deps);
  const created = await deps.sage.createSalesOrder(draft, { tranNo });
  await moveTo(job, 'created', deps, { salesOrderKey: created.order.key });
  return { kind: created.outcome === 'created' ? 'created' : 'already-created', tranNo, salesOrderKey: created.order.key };
}

async function cancelSalesOrder(job: OrderSyncJob, sageOrder: SalesOrder, deps: ImportOrderDeps): Promise<ImportOutcome> {
  await deps.sage.cancelSalesOrder(sageOrder.tranNo);
  await moveTo(job, 'cancelled', deps);
  return { kind: 'cancelled', tranNo: sageOrder.tranNo };
}

/**
 * The Sage order behind the link's reserved TranNo; undefined when none was reserved or created yet. Without a
 * reservation Sage is asked by AmazonOrderId too (an order created before the store was restored or moved), and
 * an order found that way is adopted: its TranNo and SOKey go into the link, so nothing is created twice.
 */
async function findLinkedSalesOrder(job: OrderSyncJob, link: OrderLink | undefined, deps: ImportOrderDeps): Promise<SalesOrder | undefined> {
  if (!link?.tranNo) {
    const existing = await deps.sage.findSalesOrder({ amazonOrderId: job.amazonOrderId });
    if (existing) await moveTo(job, 'created', deps, { adoptTranNo: existing.tranNo, salesOrderKey: existing.key });
    return existing;
  }
  const found = await deps.sage.findSalesOrder({ tranNo: link.tranNo });
  if (!found && link.salesOrderKey) {
    throw new SellbridgeError('SB_ORD_SALES_ORDER_MISSING', `order ${link.amazonOrderId}: Sage has no sales order ${link.tranNo} (SOKey ${link.salesOrderKey}) any more`, {
      context: { amazonOrderId: link.amazonOrderId, tranNo: link.tranNo, salesOrderKey: link.salesOrderKey },
    });
  }
  return found;
}

export async function rulesWithAliases(connectionId: string, deps: Pick<ImportOrderDeps, 'rulesFor' | 'aliases'>): Promise<MappingRules> {
  const rules = deps.rulesFor(connectionId);
  const aliases = await deps.aliases.aliasesFor(connectionId);
  return { ...rules, skuAliases: { ...rules.skuAliases, ...aliases } };
}

export function orderContextQuery(order: Order, rules: MappingRules, warehouseId: string) {
  const shipMethodId = shipMethodFromServiceLevel(order.shipServiceLevel, rules.shipMethods);
  return {
    skus: [...new Set(order.lines.filter((l) => l.quantityOrdered > 0 && l.sku).map((l) => l.sku!))],
    customerId: (order.marketplaceId && rules.customers[order.marketplaceId]?.customerId) || '',
    warehouseIds: [warehouseId],
    ...(shipMethodId ? { shipMethodId } : {}),
  };
}

/** salesOrderFromOrder; a MappingError moves the order to dead-lettered (the queue dead-letters the job) and is rethrown. */
async function mapOrRecordDeadLetter(job: OrderSyncJob, order: Order, rules: MappingRules, context: Parameters<typeof salesOrderFromOrder>[1], deps: ImportOrderDeps): Promise<SalesOrderDraft> {
  try {
    return salesOrderFromOrder(order, context, rules);
  } catch (err) {
    if (err instanceof MappingError) await moveTo(job, 'dead-lettered', deps, { lastError: err.code });
    throw err;
  }
}

/** The creation path in lifecycle order: a re-run never records a step the order has already passed. */
const CREATION_PATH: readonly SyncState[] = ['received', 'waiting-for-pending', 'mapped', 'reserved', 'created'];

/**
 * Records `to` as the order's state along ORDER_LIFECYCLE's moves: a state the order already passed on the creation
 * path is not recorded again (a re-run after a crash); from a state that only leads back to `received`
 * (dead-lettered after a replay, skipped, needs-attention) the order goes through `received` first. `update` is
 * written either way.
 */
async function moveTo(job: OrderSyncJob, to: SyncState, deps: ImportOrderDeps, update?: OrderLinkUpdate): Promise<void> {
  const from = (await deps.links.get(job.connectionId, job.amazonOrderId))?.state;
  const passed = from !== undefined && CREATION_PATH.includes(from) && CREATION_PATH.includes(to) && CREATION_PATH.indexOf(from) > CREATION_PATH.indexOf(to);
  if (from === to || passed) {
    if (update) await deps.links.setState(job.connectionId, job.amazonOrderId, from!, update);
    return;
  }
  if (from !== undefined && !canTransition(from, to) && canTransition(from, 'received')) await deps.links.setState(job.connectionId, job.amazonOrderId, 'received');
  await deps.links.setState(job.connectionId, job.amazonOrderId, to, update);
}
