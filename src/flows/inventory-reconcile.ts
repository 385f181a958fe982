import type { AmazonQuantity, ReconcileReport } from '../core/transform/inventory-reconcile.ts';
import { reconcileInventory } from '../core/transform/inventory-reconcile.ts';
import { listingKey } from '../core/transform/listing-delta.ts';
import {
  INVENTORY_SYNC_QUEUE,
  inventorySyncKey,
  planListingSync,
  settingsNow,
  type InventoryFlowDeps,
} from './inventory.ts';

/**
 * `sellbridge inventory reconcile`: Sage available vs Amazon (getListingsItem for merchant-fulfilled SKUs; for FBA
 * what the FBA_INVENTORY_AVAILABILITY_CHANGES notifications stored, or getInventorySummaries for a marketplace they
 * said nothing of) with the likely cause of each difference. `fix` forgets the last-sent
 * quantity of every fixable SKU and queues a quantity sync, which sends the rule quantity again.
 */
export interface ReconcileOptions {
  readonly connectionId: string;
  readonly fix?: boolean;
  /** Units of Amazon orders not yet in Sage, by listingKey (open orders). */
  readonly openOrderUnits?: ReadonlyMap<string, number>;
  /** Extra SKUs Amazon lists (e.g. from a listings report) to find unmapped ones; FBA SKUs are found anyway. */
  readonly amazonSkus?: readonly { readonly sku: string; readonly marketplaceId: string }[];
}

export async function reconcileListings(
  options: ReconcileOptions,
  deps: InventoryFlowDeps,
): Promise<
  ReconcileReport & {
    readonly fixed: number;
    /** Per marketplace, where the FBA quantities came from: the notifications, or a read of Amazon's inventory. */
    readonly fbaSources: Readonly<Record<string, 'notified' | 'live'>>;
  }
> {
  const { connectionId } = options;
  const settings = await settingsNow(deps, connectionId);
  const plan = await planListingSync(connectionId, 'quantity', deps);
  const sageAvailable = new Map<string, number>();
  for (const s of plan.stock)
    if (settings.rules.warehouseIds.includes(s.warehouseId))
      sageAvailable.set(s.itemId, (sageAvailable.get(s.itemId) ?? 0) + Math.floor(s.available));

  const amazon: AmazonQuantity[] = [];
  const linked = new Set(plan.links.map((l) => listingKey(l.marketplaceId, l.sku)));
  const marketplaces = [...new Set([...settings.marketplaceIds, ...plan.links.map((l) => l.marketplaceId)])];
  // FBA quantities: what the FBA_INVENTORY_AVAILABILITY_CHANGES notifications said, where they said anything for the
  // marketplace (no API call); else Amazon's inventory summaries, read now.
  const fbaSources: Record<string, 'notified' | 'live'> = {};
  for (const marketplaceId of marketplaces) {
    const notified = (await deps.notifiedFbaStock?.(connectionId, marketplaceId)) ?? [];
    fbaSources[marketplaceId] = notified.length > 0 ? 'notified' : 'live';
    const fba =
      notified.length > 0
        ? notified.map((n) => [n.sku, n.fulfillable] as const)
        : await deps.channel.fbaQuantities(marketplaceId);
    for (const [sku, quantity] of fba) amazon.push({ sku, marketplaceId, channel: 'FBA', quantity });
  }
  const fbaSeen = new Set(amazon.map((a) => listingKey(a.marketplaceId, a.sku)));
  const mfn = plan.links.filter((l) => l.fulfillment === 'MFN');
  const extra = (options.amazonSkus ?? []).filter(
    (s) => !linked.has(listingKey(s.marketplaceId, s.sku)) && !fbaSeen.has(listingKey(s.marketplaceId, s.sku)),
  );
  const toRead = [...mfn.map((l) => ({ sku: l.sku, marketplaceId: l.marketplaceId })), ...extra];
  for (const [i, l] of toRead.entries()) {
    const seen = await deps.channel.readListing(l.marketplaceId, l.sku);
    if (seen)
      amazon.push({
        sku: l.sku,
        marketplaceId: l.marketplaceId,
        channel: 'MFN',
        ...(seen.quantity === undefined ? {} : { quantity: seen.quantity }),
      });
    deps.onProgress?.('amazon listings', i + 1, toRead.length);
  }

  const report = reconcileInventory({
    links: plan.links,
    sageAvailable,
    targets: plan.delta.targets,
    lastSent: plan.lastSent,
    amazon,
    pendingFeedKeys: await deps.state.pendingFeedKeys(connectionId),
    ...(options.openOrderUnits ? { openOrderUnits: options.openOrderUnits } : {}),
  });
  let fixed = 0;
  if (options.fix) {
    const keys = report.discrepancies
      .filter((d) => d.fixable)
      .map((d) => ({ marketplaceId: d.marketplaceId, sku: d.sku }));
    if (keys.length) {
      await deps.state.forgetSent(connectionId, keys, 'quantity');
      await deps.jobs.enqueue(
        INVENTORY_SYNC_QUEUE,
        { connectionId, scope: 'quantity' },
        { key: inventorySyncKey(connectionId, 'quantity'), dedupe: true },
      );
      fixed = keys.length;
    }
  }
  return { ...report, fixed, fbaSources };
}
