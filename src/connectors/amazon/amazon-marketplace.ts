import type { AmazonMarketplace, OrderSearch, PackageShipment } from '../../core/ports/amazon-marketplace.ts';
import type { Order, OrderSummaryPage } from '../../core/model/order.ts';
import { SellbridgeError } from '../../core/errors.ts';
import { ORDER_STATUS_TO_WIRE, orderFromWire } from './order-from-wire.ts';
import type { SpApiClient } from './sp-api/client.ts';
import type { AmazonFulfillmentStatus, AmazonIncludedData } from './wire.ts';

/** What a canonical order needs from Orders 2026-01-01 (items are always included). */
export const ORDER_INCLUDED_DATA: readonly AmazonIncludedData[] = [
  'PROCEEDS',
  'PROMOTION',
  'CANCELLATION',
  'FULFILLMENT',
  'PACKAGES',
  'TAX',
];
export const PII_INCLUDED_DATA: readonly AmazonIncludedData[] = ['BUYER', 'RECIPIENT'];

export interface AmazonMarketplaceOptions {
  readonly client: SpApiClient;
  /** Marketplaces searched when a query names none. */
  readonly marketplaceIds: readonly string[];
}

/**
 * The `AmazonMarketplace` port over SP-API: reads on Orders 2026-01-01, shipment confirmation on Orders v0
 * (sp-api-facts.md §0). Rate limits and token refresh live in the client's transport layers.
 */
export function createAmazonMarketplace(options: AmazonMarketplaceOptions): AmazonMarketplace {
  const { client } = options;
  const included = (pii: boolean | undefined) =>
    pii ? [...ORDER_INCLUDED_DATA, ...PII_INCLUDED_DATA] : [...ORDER_INCLUDED_DATA];

  return {
    async getOrder(orderId, opts = {}): Promise<Order> {
      return orderFromWire(await client.getOrder(orderId, included(opts.includePii)));
    },

    async searchOrders(query: OrderSearch): Promise<OrderSummaryPage> {
      checkSearch(query);
      const page = await client.searchOrders({
        ...(query.createdAfter ? { createdAfter: query.createdAfter } : {}),
        ...(query.createdBefore ? { createdBefore: query.createdBefore } : {}),
        ...(query.updatedAfter ? { lastUpdatedAfter: query.updatedAfter } : {}),
        ...(query.updatedBefore ? { lastUpdatedBefore: query.updatedBefore } : {}),
        ...(query.statuses
          ? { fulfillmentStatuses: query.statuses.map((s) => ORDER_STATUS_TO_WIRE[s] as AmazonFulfillmentStatus) }
          : {}),
        ...(query.fulfilledBy
          ? { fulfilledBy: [query.fulfilledBy === 'merchant' ? 'MERCHANT' : 'AMAZON'] as const }
          : {}),
        marketplaceIds: query.marketplaceIds ?? options.marketplaceIds,
        ...(query.pageSize ? { maxResultsPerPage: query.pageSize } : {}),
        ...(query.pageToken ? { paginationToken: query.pageToken } : {}),
        includedData: included(query.includePii),
      });
      const searchedBefore = page.lastUpdatedBefore ?? page.createdBefore;
      return {
        orders: page.items.map(orderFromWire),
        ...(page.nextToken ? { nextPageToken: page.nextToken } : {}),
        ...(searchedBefore ? { searchedBefore } : {}),
      };
    },

    async confirmShipment(shipment: PackageShipment): Promise<void> {
      await client.confirmShipment(shipment.orderId, {
        marketplaceId: shipment.marketplaceId,
        packageDetail: {
          packageReferenceId: shipment.packageReferenceId,
          carrierCode: shipment.carrierCode,
          ...(shipment.carrierName ? { carrierName: shipment.carrierName } : {}),
          ...(shipment.shippingMethod ? { shippingMethod: shipment.shippingMethod } : {}),
          trackingNumber: shipment.trackingNumber,
          shipDate: shipment.shipDate,
          orderItems: shipment.lines.map((l) => ({ orderItemId: l.lineId, quantity: l.quantity })),
        },
      });
    },
  };
}

/** Amazon's rule, checked before spending a searchOrders token (0.0056 rps): exactly one time window kind. */
function checkSearch(query: OrderSearch): void {
  if (query.pageToken) return;
  const created = query.createdAfter !== undefined || query.createdBefore !== undefined;
  const updated = query.updatedAfter !== undefined || query.updatedBefore !== undefined;
  const problem =
    created && updated
      ? 'created* and updated* filters cannot be combined'
      : !query.createdAfter && !query.updatedAfter
        ? 'give createdAfter or updatedAfter'
        : undefined;
  if (problem) {
    throw new SellbridgeError('SB_AMZ_REQUEST_REJECTED', `orders.searchOrders not sent: ${problem}`, {
      context: { operation: 'orders.searchOrders', status: 0, amazonCode: 'InvalidInput', requestId: null },
    });
  }
}
