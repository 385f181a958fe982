/**
 * Every SP-API operation the simulator serves: official path (Amazon's Swagger template), method, default usage
 * plan (rate in requests/second, burst = bucket size; read from the model files, sp-api-facts.md §6) and which
 * kind of LWA token it takes. Names are `<api>.<operationId>`.
 *
 * This table is the simulator's own; it does not import the client's (src/connectors/amazon), so that the
 * conformance suite compares two independent readings of Amazon's models.
 */

export type TokenKind = 'seller' | 'grantless';

export interface SimulatedOperation {
  readonly name: string;
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Swagger path template, e.g. `/orders/2026-01-01/orders/{orderId}`. */
  readonly path: string;
  readonly rate: number;
  readonly burst: number;
  readonly token: TokenKind;
}

const op = (
  name: string,
  method: SimulatedOperation['method'],
  path: string,
  rate: number,
  burst: number,
  token: TokenKind = 'seller',
): SimulatedOperation => ({ name, operationId: name.slice(name.indexOf('.') + 1), method, path, rate, burst, token });

export const SIMULATED_OPERATIONS: readonly SimulatedOperation[] = [
  op('orders.searchOrders', 'GET', '/orders/2026-01-01/orders', 0.0056, 20),
  op('orders.getOrder', 'GET', '/orders/2026-01-01/orders/{orderId}', 0.5, 30),
  op('ordersV0.confirmShipment', 'POST', '/orders/v0/orders/{orderId}/shipmentConfirmation', 2, 10),
  op('tokens.createRestrictedDataToken', 'POST', '/tokens/2021-03-01/restrictedDataToken', 1, 10),
  op('feeds.createFeedDocument', 'POST', '/feeds/2021-06-30/documents', 0.5, 15),
  op('feeds.createFeed', 'POST', '/feeds/2021-06-30/feeds', 0.0083, 15),
  op('feeds.getFeed', 'GET', '/feeds/2021-06-30/feeds/{feedId}', 2, 15),
  op('feeds.getFeeds', 'GET', '/feeds/2021-06-30/feeds', 0.0222, 10),
  op('feeds.cancelFeed', 'DELETE', '/feeds/2021-06-30/feeds/{feedId}', 2, 15),
  op('feeds.getFeedDocument', 'GET', '/feeds/2021-06-30/documents/{feedDocumentId}', 0.0222, 10),
  op('reports.createReport', 'POST', '/reports/2021-06-30/reports', 0.0167, 15),
  op('reports.getReports', 'GET', '/reports/2021-06-30/reports', 0.0222, 10),
  op('reports.getReport', 'GET', '/reports/2021-06-30/reports/{reportId}', 2, 15),
  op('reports.getReportDocument', 'GET', '/reports/2021-06-30/documents/{reportDocumentId}', 0.0167, 15),
  op('listings.getListingsItem', 'GET', '/listings/2021-08-01/items/{sellerId}/{sku}', 5, 10),
  op('listings.patchListingsItem', 'PATCH', '/listings/2021-08-01/items/{sellerId}/{sku}', 5, 5),
  op('fbaInventory.getInventorySummaries', 'GET', '/fba/inventory/v1/summaries', 2, 2),
  op('definitions.getDefinitionsProductType', 'GET', '/definitions/2020-09-01/productTypes/{productType}', 5, 10),
  op('notifications.createDestination', 'POST', '/notifications/v1/destinations', 1, 5, 'grantless'),
  op('notifications.getDestinations', 'GET', '/notifications/v1/destinations', 1, 5, 'grantless'),
  op('notifications.createSubscription', 'POST', '/notifications/v1/subscriptions/{notificationType}', 1, 5),
  op('notifications.getSubscription', 'GET', '/notifications/v1/subscriptions/{notificationType}', 1, 5),
  op(
    'notifications.deleteSubscriptionById',
    'DELETE',
    '/notifications/v1/subscriptions/{notificationType}/{subscriptionId}',
    1,
    5,
    'grantless',
  ),
  op('finances.listTransactions', 'GET', '/finances/2024-06-19/transactions', 0.5, 10),
  op('finances.listFinancialEventGroups', 'GET', '/finances/v0/financialEventGroups', 0.5, 30),
];

export const OPERATIONS_BY_NAME: ReadonlyMap<string, SimulatedOperation> = new Map(
  SIMULATED_OPERATIONS.map((o) => [o.name, o]),
);

/** `/a/{b}/c` -> Fastify's `/a/:b/c`. */
export function fastifyPath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ':$1');
}
