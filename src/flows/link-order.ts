import { SellbridgeError } from '../core/errors.ts';
import { merchantWarehouseOf } from '../core/rules/mapping-rules.ts';
import type { HandLink, HandLinks } from '../core/ports/hand-links.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import { checkHandLink } from '../core/transform/hand-link-check.ts';
import { priceLinesFromOrder } from '../core/transform/price-lines.ts';
import { itemIdFromSku } from '../core/transform/sku-resolution.ts';
import { orderContextQuery, rulesWithAliases, skusOf, type SyncOrderDeps } from './sync-order.ts';

export interface LinkOrderDeps extends Pick<
  SyncOrderDeps,
  'links' | 'aliases' | 'catalogue' | 'rulesFor' | 'rulesWithAliasesFor'
> {
  readonly amazon: Pick<SyncOrderDeps['amazon'], 'getOrder'>;
  readonly sage: Pick<Sage500Gateway, 'findSalesOrder' | 'loadOrderContext'>;
  readonly handLinks: HandLinks;
  /** Writes one audit entry (who linked what, forced or not, with the differences). */
  readonly audit: (entry: { action: string; target: string; detail: Record<string, unknown> }) => Promise<void>;
  /** Closes the order's open dead letters once it is linked (they are answered); returns how many. */
  readonly closeDeadLetters?: (amazonOrderId: string, reason: string) => Promise<number>;
}

export interface LinkOrderRequest {
  readonly connectionId: string;
  readonly amazonOrderId: string;
  readonly tranNo: string;
  /** Link although lines or total differ; the differences go to the audit log. */
  readonly force?: boolean;
  readonly actor: string;
  /** Check only: report what linking would record, change nothing. */
  readonly dryRun?: boolean;
}

export interface LinkOrderResult {
  readonly linked: boolean;
  readonly tranNo: string;
  readonly salesOrderKey: string;
  readonly differences: readonly string[];
  readonly lines: HandLink['lines'];
  readonly forced: boolean;
  readonly deadLettersClosed: number;
}

/**
 * `sellbridge orders link <AmazonOrderId> <TranNo>`: an order someone keyed into Sage by hand (its dead letter
 * answered outside Sellbridge) becomes the order's Sage order, so its shipments are confirmed to Amazon as usual.
 * Checked first: same goods lines (item and quantity) and the same total as Sellbridge would have booked; a
 * difference refuses the link (SB_ORD_LINK_REFUSED, every difference listed) unless `force`, which is audited with
 * the differences. Refused always: an order that already has a Sage order, a TranNo linked to another Amazon order.
 */
export async function linkOrderByHand(req: LinkOrderRequest, deps: LinkOrderDeps): Promise<LinkOrderResult> {
  const key = { connectionId: req.connectionId, amazonOrderId: req.amazonOrderId };
  const refuse = (why: string, differences: readonly string[] = []) =>
    new SellbridgeError('SB_ORD_LINK_REFUSED', `order ${req.amazonOrderId} -> Sage ${req.tranNo}: ${why}`, {
      context: { amazonOrderId: req.amazonOrderId, tranNo: req.tranNo, differences: [...differences] },
    });
  const link = await deps.links.get(req.connectionId, req.amazonOrderId);
  if (link?.salesOrderKey) throw refuse(`the order already has Sage order ${link.tranNo}`);
  const other = await deps.links.findByTranNo(req.connectionId, req.tranNo);
  if (other && other.amazonOrderId !== req.amazonOrderId)
    throw refuse(`that TranNo belongs to Amazon order ${other.amazonOrderId}`);
  // A TranNo reserved for this order but never used in Sage may be replaced; one Sage has may not.
  if (link?.tranNo && link.tranNo !== req.tranNo && (await deps.sage.findSalesOrder({ tranNo: link.tranNo })))
    throw refuse(`Sage already has the order's reserved TranNo ${link.tranNo}`);
  const sage = await deps.sage.findSalesOrder({ tranNo: req.tranNo });
  if (!sage)
    throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `Sage has no sales order with TranNo ${req.tranNo}`, {
      context: { tranNo: req.tranNo },
    });
  if (sage.amazonOrderId && sage.amazonOrderId !== req.amazonOrderId)
    throw refuse(`Sage order ${req.tranNo} is Amazon order ${sage.amazonOrderId}`);
  if (sage.status === 'canceled') throw refuse(`Sage order ${req.tranNo} is canceled`);

  const order = await deps.amazon.getOrder(req.amazonOrderId);
  const rules = await rulesWithAliases(req.connectionId, deps, skusOf(order));
  const context = await deps.sage.loadOrderContext(
    orderContextQuery(order, rules, merchantWarehouseOf(rules, order.marketplaceId)),
  );
  const catalogue = context.unknownItems.length > 0 ? await deps.catalogue.listItems() : [];
  const itemIds = order.lines.map((l) => {
    if (!l.sku) return undefined;
    const r = itemIdFromSku(l.sku, { aliases: rules.skuAliases, sageItems: context.items, catalogue });
    return r.kind === 'resolved' ? r.itemId : undefined;
  });
  const priced = priceLinesFromOrder(order, rules.pricing);
  const charges = new Set(
    [...Object.values(rules.pricing.lines)].flatMap((rule) => (rule && 'itemId' in rule ? [rule.itemId] : [])),
  );
  const check = checkHandLink(order, itemIds, sage, priced.ok ? priced.value.sageTotal : undefined, charges);
  const differences = priced.ok
    ? check.differences
    : [...check.differences, ...priced.issues.map((i) => `Amazon amounts: ${i.field}: ${i.problem}`)];
  if (differences.length > 0 && !req.force)
    throw refuse(`not the same order (${differences.join('; ')}); check it, or link with --force`, differences);
  const result = {
    tranNo: sage.tranNo,
    salesOrderKey: sage.key,
    differences,
    lines: check.lines,
    forced: differences.length > 0,
  };
  if (req.dryRun) return { ...result, linked: false, deadLettersClosed: 0 };

  await deps.handLinks.record({
    ...key,
    tranNo: sage.tranNo,
    salesOrderKey: sage.key,
    ...(order.marketplaceId ? { marketplaceId: order.marketplaceId } : {}),
    lines: check.lines,
    forced: result.forced,
    linkedBy: req.actor,
  });
  await deps.audit({
    action: result.forced ? 'orders.link-forced' : 'orders.link',
    target: `order:${req.connectionId}:${req.amazonOrderId}`,
    detail: { tranNo: sage.tranNo, salesOrderKey: sage.key, forced: result.forced, differences: [...differences] },
  });
  const closed =
    (await deps.closeDeadLetters?.(req.amazonOrderId, `linked to Sage order ${sage.tranNo} keyed by hand`)) ?? 0;
  return { ...result, linked: true, deadLettersClosed: closed };
}
