import { feedMessageFromChange } from '../core/transform/feed-messages-from-deltas.ts';
import { type InventoryFlowDeps, type SyncPlan, planListingSync } from './inventory.ts';

export interface AttributePreview {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly attributes: readonly string[];
  /** Amazon's verdict in VALIDATION_PREVIEW mode (nothing saved). */
  readonly status: 'ACCEPTED' | 'INVALID' | 'VALID';
  readonly issues: readonly string[];
}

/**
 * `inventory attributes --preview`: the attribute changes the next sync would send, each checked by Amazon with
 * patchListingsItem in VALIDATION_PREVIEW mode (nothing is saved); at most `limit` SKUs (5 requests per second).
 */
export async function previewAttributeChanges(
  connectionId: string,
  deps: InventoryFlowDeps,
  limit = 20,
): Promise<{
  readonly previews: readonly AttributePreview[];
  readonly issues: SyncPlan['attributeIssues'];
  readonly more: number;
}> {
  const plan = await planListingSync(connectionId, 'quantity', deps);
  const withAttrs = plan.changes
    .map((c) => ({ ...c, changes: c.changes.filter((f) => f.kind === 'attribute') }))
    .filter((c) => c.changes.length > 0);
  const previews: AttributePreview[] = [];
  for (const change of withAttrs.slice(0, limit)) {
    const message = feedMessageFromChange(change, 1);
    const result = await deps.channel.patchListing({
      marketplaceId: change.marketplaceId,
      sku: change.sku,
      productType: change.productType,
      patches: message.patches,
      preview: true,
    });
    previews.push({
      sku: change.sku,
      marketplaceId: change.marketplaceId,
      attributes: change.changes.map((c) => (c.kind === 'attribute' ? c.name : c.kind)),
      status: result.status,
      issues: result.issues,
    });
  }
  return { previews, issues: plan.attributeIssues, more: Math.max(0, withAttrs.length - limit) };
}
