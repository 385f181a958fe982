/**
 * Default usage plans per operation, as data (sp-api-facts.md §6, read from the model files). Rates are
 * requests per second, burst is the bucket size. Amazon may grant a seller more; the `x-amzn-RateLimit-Limit`
 * response header corrects the rate at run time, and `amazon.usagePlans` overrides either value.
 *
 * Operation names are `<api>.<operationId>`; they are also the rate-bucket keys' last part.
 */

export interface UsagePlan {
  readonly rate: number;
  readonly burst: number;
}

export const USAGE_PLANS = {
  'orders.searchOrders': { rate: 0.0056, burst: 20 },
  'orders.getOrder': { rate: 0.5, burst: 30 },
  'ordersV0.confirmShipment': { rate: 2, burst: 10 },
  'tokens.createRestrictedDataToken': { rate: 1, burst: 10 },
  'feeds.createFeedDocument': { rate: 0.5, burst: 15 },
  'feeds.createFeed': { rate: 0.0083, burst: 15 },
  'feeds.getFeed': { rate: 2, burst: 15 },
  'feeds.getFeeds': { rate: 0.0222, burst: 10 },
  'feeds.cancelFeed': { rate: 2, burst: 15 },
  'feeds.getFeedDocument': { rate: 0.0222, burst: 10 },
  'reports.createReport': { rate: 0.0167, burst: 15 },
  'reports.getReports': { rate: 0.0222, burst: 10 },
  'reports.getReport': { rate: 2, burst: 15 },
  'reports.getReportDocument': { rate: 0.0167, burst: 15 },
  'listings.getListingsItem': { rate: 5, burst: 10 },
  'listings.patchListingsItem': { rate: 5, burst: 5 },
  'fbaInventory.getInventorySummaries': { rate: 2, burst: 2 },
  'definitions.getDefinitionsProductType': { rate: 5, burst: 10 },
  'notifications.createDestination': { rate: 1, burst: 5 },
  'notifications.getDestinations': { rate: 1, burst: 5 },
  'notifications.createSubscription': { rate: 1, burst: 5 },
  'notifications.getSubscription': { rate: 1, burst: 5 },
  'notifications.deleteSubscriptionById': { rate: 1, burst: 5 },
  'finances.listTransactions': { rate: 0.5, burst: 10 },
  'finances.listFinancialEventGroups': { rate: 0.5, burst: 30 },
} as const satisfies Record<string, UsagePlan>;

export type SpApiOperation = keyof typeof USAGE_PLANS;

/** The sandbox applies one plan to everything (sp-api-facts.md §2). */
export const SANDBOX_USAGE_PLAN: UsagePlan = { rate: 5, burst: 15 };

/** Which work goes first when a bucket is short: orders and shipments before inventory, prices and reports. */
export type Priority = 'high' | 'low';

export const OPERATION_PRIORITY: Readonly<Record<SpApiOperation, Priority>> = {
  'orders.searchOrders': 'high',
  'orders.getOrder': 'high',
  'ordersV0.confirmShipment': 'high',
  'tokens.createRestrictedDataToken': 'high',
  'feeds.createFeedDocument': 'low',
  'feeds.createFeed': 'low',
  'feeds.getFeed': 'low',
  'feeds.getFeeds': 'low',
  'feeds.cancelFeed': 'low',
  'feeds.getFeedDocument': 'low',
  'reports.createReport': 'low',
  'reports.getReports': 'low',
  'reports.getReport': 'low',
  'reports.getReportDocument': 'low',
  'listings.getListingsItem': 'low',
  'listings.patchListingsItem': 'low',
  'fbaInventory.getInventorySummaries': 'low',
  'definitions.getDefinitionsProductType': 'low',
  'notifications.createDestination': 'high',
  'notifications.getDestinations': 'high',
  'notifications.createSubscription': 'high',
  'notifications.getSubscription': 'high',
  'notifications.deleteSubscriptionById': 'high',
  'finances.listTransactions': 'low',
  'finances.listFinancialEventGroups': 'low',
};

/** The plan for an operation: override (config) first, then sandbox, then Amazon's default. */
export function usagePlanFor(
  operation: string,
  options: { readonly sandbox?: boolean; readonly overrides?: Readonly<Record<string, Partial<UsagePlan>>> } = {},
): UsagePlan | undefined {
  const known = (USAGE_PLANS as Record<string, UsagePlan>)[operation];
  if (!known) return undefined;
  const base = options.sandbox ? SANDBOX_USAGE_PLAN : known;
  const o = options.overrides?.[operation];
  return { rate: o?.rate ?? base.rate, burst: o?.burst ?? base.burst };
}
