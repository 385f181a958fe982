import { parsePayload } from './job-payload.ts';
import { LISTING_ISSUES_QUEUE, type InventoryFlowDeps } from './inventory.ts';

/**
 * `listing.issues`: after LISTINGS_ITEM_STATUS_CHANGE / LISTINGS_ITEM_ISSUES_CHANGE (which carry statuses,
 * severities and enforcement actions but no reasons), reads the SKU's issues with getListingsItem and keeps them
 * as the causes shown per SKU (admin API `GET /api/listing-problems`, dashboard).
 */
export async function readListingIssues(
  payload: unknown,
  deps: InventoryFlowDeps,
): Promise<{ readonly issues: number; readonly listed: boolean }> {
  const { connectionId, marketplaceId, sku } = parsePayload(LISTING_ISSUES_QUEUE, payload, [
    'connectionId',
    'marketplaceId',
    'sku',
  ] as const);
  const market =
    marketplaceId === '*' ? (deps.settingsFor(connectionId).marketplaceIds[0] ?? marketplaceId) : marketplaceId;
  const seen = await deps.channel.readListing(market, sku);
  const issues = seen?.issues ?? [];
  await deps.problems?.recordIssues(connectionId, marketplaceId, sku, issues);
  return { issues: issues.length, listed: seen !== undefined };
}
