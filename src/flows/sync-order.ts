import { MappingError, SellbridgeError } from '../core/errors.ts';
import type { Order } from '../core/model/order.ts';
import type { SalesOrder } from '../core/model/sales-order.ts';
import type { AmazonMarketplace } from '../core/ports/amazon-marketplace.ts';
import type { ItemCatalogue } from '../core/ports/item-catalogue.ts';
import type { Circuit } from '../core/ports/circuit.ts';
import type { OrderLink, OrderLinks, OrderLinkUpdate } from '../core/ports/order-links.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { SkuAliasSource } from '../core/ports/sku-alias-source.ts';
import { merchantWarehouseOf, withWarehouse, type MappingRules } from '../core/rules/mapping-rules.ts';
import {
  mapSalesOrder,
  shipMethodFromServiceLevel,
  type MappedSalesOrder,
} from '../core/transform/sales-order-from-order.ts';
import type { OrderFittings, OriginalAddresses } from '../core/ports/order-fittings.ts';
import { applyOverrides, checkOverrides, type OrderOverrides } from '../core/transform/order-overrides.ts';
import { orderActionFromStatus, SYNC_STATE_AFTER } from '../core/transform/status-map.ts';
import { parsePayload } from './job-payload.ts';
import { sageOrderState } from '../core/transform/sales-order-state.ts';
import type { OrderChanges } from '../core/ports/order-changes.ts';
import { amendSalesOrder, type AmendOutcome } from './amend-order.ts';
import { addressDigest } from '../core/transform/order-changes.ts';

/** Queue name and key of the order sync job (STYLE.md §8.3: dotted ids, key from the business id). */
export const ORDER_SYNC_QUEUE = 'order.sync';
export const orderSyncKey = (amazonOrderId: string): string => `${ORDER_SYNC_QUEUE}:${amazonOrderId}`;

export interface OrderSyncJob {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  /** An operator's corrections for this order (a dead letter replayed with `--set`), applied before mapping. */
  readonly overrides?: OrderOverrides;
}

export interface SyncOrderDeps {
  readonly amazon: Pick<AmazonMarketplace, 'getOrder'>;
  readonly sage: Pick<
    Sage500Gateway,
    'loadOrderContext' | 'createSalesOrder' | 'findSalesOrder' | 'cancelSalesOrder' | 'shipSalesOrder'
  > &
    Partial<Pick<Sage500Gateway, 'cancelSalesOrderLine' | 'updateSalesOrderShipTo'>>;
  readonly links: OrderLinks;
  readonly aliases: SkuAliasSource;
  readonly catalogue: ItemCatalogue;
  /** Mapping rules of a connection as they stand now (config and operator edits), without its SKU aliases (those come from `aliases`). */
  readonly rulesFor: (connectionId: string) => Promise<MappingRules>;
  /**
   * The same rules with the connection's stored SKU aliases that `skus` can match (exactly or normalized) laid over,
   * read together (one store read per order instead of the rules' read and every alias of the connection). Without
   * it, `rulesFor` and `aliases.aliasesFor`.
   */
  readonly rulesWithAliasesFor?: (connectionId: string, skus: readonly string[]) => Promise<MappingRules>;
  /** Sage's circuit breaker: while it is open, an order job waits before it spends an Amazon call. */
  readonly sageCircuit?: Circuit;
  /** Where an order whose ship-to was fitted to Sage is recorded with what changed. */
  readonly fittings?: OrderFittings;
  /** Keeps the Amazon original of a fitted ship-to beside the order (sealed); absent without a PII key. */
  readonly originals?: OriginalAddresses;
  /**
   * Changes after import (`order_changes`): an open order's newer Amazon version is compared with its Sage order
   * (amend-order.ts); without it, a created order is left as it is. The ship-by date, and the version and ship-to a
   * creation was made from, ride on the link's writes (the reservation, the move to `created`).
   */
  readonly changes?: OrderChanges;
}

export type SyncOutcome =
  | { readonly kind: 'created' | 'already-created'; readonly tranNo: string; readonly salesOrderKey: string }
  | { readonly kind: 'cancelled'; readonly tranNo: string }
  /** An order Amazon fulfilled (FBA), booked in Sage as a sales order in the FBA warehouse and its shipment. */
  | { readonly kind: 'fba-booked'; readonly tranNo: string; readonly shipmentKeys: readonly string[] }
  | { readonly kind: 'waiting' | 'skipped' | 'flagged' | 'unchanged'; readonly reason: string }
  | AmendOutcome;

/**
 * `order.sync`: read the order, decide with the status map, and create (or cancel) the Sage
 * sales order exactly once. A TranNo is reserved in the store before anything is created and the gateway's
 * createSalesOrder is idempotent by TranNo, so a re-run (duplicate notification, retry, crashed worker) finds
 * or re-creates the same order, never a second one.
 */
export async function syncOrder(payload: unknown, deps: SyncOrderDeps): Promise<SyncOutcome> {
  const job = parseOrderSyncJob(payload);
  deps.sageCircuit?.ensureAvailable();
  let link = await deps.links.get(job.connectionId, job.amazonOrderId);
  const amazonOrder = await deps.amazon.getOrder(job.amazonOrderId, { includePii: true });
  const found = await findLinkedSalesOrder(job, link, deps);
  if (found.adopt)
    link = await deps.links.advance(job, link, 'created', {
      adoptTranNo: found.adopt.tranNo,
      salesOrderKey: found.adopt.key,
    });
  const sageOrder = found.order;
  const { order, rules } = withOverrides(
    amazonOrder,
    await rulesWithAliases(job.connectionId, deps, skusOf(amazonOrder, job.overrides)),
    job.overrides,
  );
  // Sage has the order under our reserved TranNo but the link never recorded it (the run died between Sage's commit
  // and `created`): finish the creation through the idempotent path (the gateway answers `existing` and repairs the
  // extension rows), then go on with the decision below from the link as that recorded it.
  const finished =
    sageOrder && link?.tranNo && !link.salesOrderKey
      ? await createSalesOrder(job, link, order, rules, deps)
      : undefined;
  if (finished) link = finished.link;
  const action = orderActionFromStatus(order, sageOrderState(sageOrder), rules.status);
  switch (action.kind) {
    case 'create':
      return (await createSalesOrder(job, link, order, rules, deps, createdFromOf(amazonOrder))).outcome;
    case 'record-fba-shipped':
      return bookFbaOrder(job, link, order, withWarehouse(rules, action.warehouseId), deps);
    case 'cancel':
      return cancelSalesOrder(job, link, sageOrder!, deps);
    case 'none':
      return (
        finished?.outcome ??
        (sageOrder
          ? await amendSalesOrder(job, { order, original: amazonOrder }, rules, sageOrder, deps)
          : undefined) ??
        (sageOrder
          ? { kind: 'already-created', tranNo: sageOrder.tranNo, salesOrderKey: sageOrder.key }
          : { kind: 'unchanged', reason: action.reason })
      );
    case 'wait':
    case 'skip':
    case 'flag':
      // The ship-by date rides on the move, and makes a write of a stay only when Amazon changed it.
      await deps.links.advance(
        job,
        link,
        SYNC_STATE_AFTER[action.kind]!,
        order.latestShipDate && order.latestShipDate !== link?.latestShipDate ? shipByOf(order) : undefined,
      );
      return {
        kind: action.kind === 'wait' ? 'waiting' : action.kind === 'skip' ? 'skipped' : 'flagged',
        reason: action.reason,
      };
  }
}

/** The link's ship-by field for `order` (none when Amazon gave no date). */
function shipByOf(order: Order): { readonly latestShipDate?: string } {
  return order.latestShipDate ? { latestShipDate: order.latestShipDate } : {};
}

export function parseOrderSyncJob(payload: unknown): OrderSyncJob {
  const job = parsePayload(ORDER_SYNC_QUEUE, payload, ['connectionId', 'amazonOrderId'] as const);
  const overrides = (payload as { overrides?: unknown }).overrides;
  return overrides === undefined ? job : { ...job, overrides: checkOverrides(overrides) };
}

/** The order and rules as the operator corrected them (`dlq replay --set`); unchanged without overrides. */
export function withOverrides(
  order: Order,
  rules: MappingRules,
  overrides: OrderOverrides | undefined,
): { readonly order: Order; readonly rules: MappingRules } {
  return overrides && Object.keys(overrides).length > 0 ? applyOverrides(order, rules, overrides) : { order, rules };
}

/**
 * Steps of the create path, each a named call: context, mapping, reservation, creation, record. The link each
 * step records is the one the next step starts from; the last one is returned with the outcome, for the caller
 * to go on from without reading it again.
 */
async function createSalesOrder(
  job: OrderSyncJob,
  link: OrderLink | undefined,
  order: Order,
  rules: MappingRules,
  deps: SyncOrderDeps,
  createdFrom?: OrderLinkUpdate['createdFrom'],
): Promise<{ readonly outcome: SyncOutcome; readonly link: OrderLink }> {
  const warehouseId = merchantWarehouseOf(rules, order.marketplaceId);
  const context = await deps.sage.loadOrderContext(orderContextQuery(order, rules, warehouseId));
  const catalogue = context.unknownItems.length > 0 ? await deps.catalogue.listItems() : [];
  const { draft, addressChanges } = await mapOrRecordDeadLetter(
    job,
    link,
    order,
    rules,
    { items: context.items, catalogue, warehouseId },
    deps,
  );
  if (addressChanges.length > 0) await recordFitting(job, order, addressChanges, deps);
  // Mapped and reserved in one write: the TranNo is stored before Sage is asked, as it always was. The ship-by date
  // rides on it (and on the move to dead-lettered when mapping fails), so an order that fails still counts among
  // those at risk of shipping late without a write of its own (issue 15: `order_changes` was upserted before mapping).
  link = await deps.links.reserve(
    job,
    link,
    { lastError: null, ...(order.marketplaceId ? { marketplaceId: order.marketplaceId } : {}), ...shipByOf(order) },
    rules.tranNoPrefix,
  );
  const tranNo = link.tranNo!;
  const created = await deps.sage.createSalesOrder(draft, { tranNo });
  link = await deps.links.advance(job, link, 'created', {
    salesOrderKey: created.order.key,
    ...(createdFrom ? { createdFrom } : {}),
  });
  return {
    outcome: {
      kind: created.outcome === 'created' ? 'created' : 'already-created',
      tranNo,
      salesOrderKey: created.order.key,
    },
    link,
  };
}

/**
 * FBA policy `record-shipped`: Amazon shipped the order from its own warehouse, so Sage gets what a Sage user would
 * key for it: the sales order in the FBA warehouse (the create path, exactly once by the reserved TranNo) and its
 * shipment made by Sage's shipment procedures (`shipSalesOrder`, idempotent by the order's shipment lines), dated
 * when Amazon shipped it. Nothing is confirmed to Amazon: the order goes `created` -> `shipped` -> `confirmed` here
 * (confirmed meaning Amazon shipped it itself, core/lifecycle.ts), and the shipment poll leaves shipments of the FBA
 * warehouse alone.
 */
async function bookFbaOrder(
  job: OrderSyncJob,
  link: OrderLink | undefined,
  order: Order,
  rules: MappingRules,
  deps: SyncOrderDeps,
): Promise<SyncOutcome> {
  if (!link?.salesOrderKey) link = (await createSalesOrder(job, link, order, rules, deps)).link;
  const tranNo = link.tranNo!;
  const shipDate = order.packages.find((p) => p.shipTime)?.shipTime ?? order.lastUpdatedAt;
  const shipped = await deps.sage.shipSalesOrder(tranNo, { shipDate });
  await deps.links.advance(job, link, 'confirmed', { lastError: null });
  return { kind: 'fba-booked', tranNo, shipmentKeys: shipped.shipmentKeys };
}

async function cancelSalesOrder(
  job: OrderSyncJob,
  link: OrderLink | undefined,
  sageOrder: SalesOrder,
  deps: SyncOrderDeps,
): Promise<SyncOutcome> {
  await deps.sage.cancelSalesOrder(sageOrder.tranNo);
  await deps.links.advance(job, link, 'cancelled');
  return { kind: 'cancelled', tranNo: sageOrder.tranNo };
}

/**
 * The version the Sage order is made from, and its ship-to as Amazon sent it (a digest), for the link's move to
 * `created`: the same version again (a replayed notification) is not compared, and a later one is compared with this
 * (amend-order.ts; OrderChanges.get answers it from the link until a comparison is recorded).
 */
function createdFromOf(amazonOrder: Order): OrderLinkUpdate['createdFrom'] {
  const shipToDigest = addressDigest(amazonOrder.shipTo);
  return { amazonUpdatedAt: amazonOrder.lastUpdatedAt, ...(shipToDigest ? { shipToDigest } : {}) };
}

/**
 * The Sage order behind the link's reserved TranNo; none when none was reserved or created yet. Without a
 * reservation Sage is asked by AmazonOrderId too (an order created before the store was restored or moved): an
 * order found that way comes back as `adopt`, for the flow to record its TranNo and SOKey in the link, so nothing
 * is created twice. Reads only.
 */
async function findLinkedSalesOrder(
  job: OrderSyncJob,
  link: OrderLink | undefined,
  deps: SyncOrderDeps,
): Promise<{ order?: SalesOrder; adopt?: SalesOrder }> {
  if (!link?.tranNo) {
    const existing = await deps.sage.findSalesOrder({ amazonOrderId: job.amazonOrderId });
    return existing ? { order: existing, adopt: existing } : {};
  }
  const found = await deps.sage.findSalesOrder({ tranNo: link.tranNo });
  if (!found && link.salesOrderKey) {
    throw new SellbridgeError(
      'SB_ORD_SALES_ORDER_MISSING',
      `order ${link.amazonOrderId}: Sage has no sales order ${link.tranNo} (SOKey ${link.salesOrderKey}) any more`,
      {
        context: { amazonOrderId: link.amazonOrderId, tranNo: link.tranNo, salesOrderKey: link.salesOrderKey },
      },
    );
  }
  return found ? { order: found } : {};
}

/**
 * The connection's rules with its SKU aliases laid over the configured ones, for an order whose lines have `skus`
 * (`skusOf`): the aliases those SKUs can match, read with the rules when the deps can (`rulesWithAliasesFor`),
 * otherwise every alias of the connection. Either way each line resolves as it would against the whole table.
 */
export async function rulesWithAliases(
  connectionId: string,
  deps: Pick<SyncOrderDeps, 'rulesFor' | 'aliases' | 'rulesWithAliasesFor'>,
  skus: readonly string[],
): Promise<MappingRules> {
  if (deps.rulesWithAliasesFor) return deps.rulesWithAliasesFor(connectionId, skus);
  const [rules, aliases] = await Promise.all([deps.rulesFor(connectionId), deps.aliases.aliasesFor(connectionId)]);
  return { ...rules, skuAliases: { ...rules.skuAliases, ...aliases } };
}

/** Every SellerSKU the mapping of `order` may resolve: its lines' and those an operator's overrides put on them. */
export function skusOf(order: Order, overrides?: OrderOverrides): string[] {
  const skus = order.lines.flatMap((l) => (l.sku ? [l.sku] : []));
  for (const [path, value] of Object.entries(overrides ?? {})) if (/^lines\[\d+\]\.sku$/.test(path)) skus.push(value);
  return [...new Set(skus)];
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

/**
 * The Amazon original is kept first (sealed, when the vault is there), then the fitting is recorded: a re-run
 * repeats both (each is an upsert), so a fitted order is never marked without its original once one can be kept.
 */
async function recordFitting(
  job: OrderSyncJob,
  order: Order,
  changes: MappedSalesOrder['addressChanges'],
  deps: SyncOrderDeps,
): Promise<void> {
  if (!deps.fittings) return;
  const kept = deps.originals && order.shipTo ? await deps.originals.keep(job, order.shipTo) : false;
  await deps.fittings.record(job, changes, kept);
}

/** mapSalesOrder; a MappingError moves the order to dead-lettered (the queue dead-letters the job) and is rethrown. */
async function mapOrRecordDeadLetter(
  job: OrderSyncJob,
  link: OrderLink | undefined,
  order: Order,
  rules: MappingRules,
  context: Parameters<typeof mapSalesOrder>[1],
  deps: SyncOrderDeps,
): Promise<MappedSalesOrder> {
  try {
    return mapSalesOrder(order, context, rules);
  } catch (err) {
    if (err instanceof MappingError)
      await deps.links.advance(job, link, 'dead-lettered', { lastError: err.code, ...shipByOf(order) });
    throw err;
  }
}
