import { describe, expect, it } from 'vitest';
import {
  fbaAvailabilityOf,
  feedFinishedOf,
  listingIssuesOf,
  listingStatusOf,
  reportFinishedOf,
} from '../../../src/connectors/amazon/notifications/notification-payloads.ts';
import type { SellbridgeError } from '../../../src/core/errors.ts';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    const e = err as SellbridgeError;
    return { code: e.code, message: e.message };
  }
  throw new Error('accepted');
};

describe('notification payloads: the fields Amazon’s schemas require, each refusal naming its field', () => {
  it('FEED_PROCESSING_FINISHED (camelCase family)', () => {
    const doc = {
      notificationType: 'FEED_PROCESSING_FINISHED',
      payload: {
        feedProcessingFinishedNotification: {
          sellerId: 'A1',
          feedId: 'F1',
          feedType: 'JSON_LISTINGS_FEED',
          processingStatus: 'DONE',
          resultFeedDocumentId: 'D1',
        },
      },
    };
    expect(feedFinishedOf(doc)).toEqual({
      feedId: 'F1',
      feedType: 'JSON_LISTINGS_FEED',
      processingStatus: 'DONE',
      resultFeedDocumentId: 'D1',
    });
    const bad = structuredClone(doc);
    bad.payload.feedProcessingFinishedNotification.processingStatus = 'IN_PROGRESS';
    expect(refusal(() => feedFinishedOf(bad))).toEqual({
      code: 'SB_AMZ_NOTIFICATION_INVALID',
      message:
        'FEED_PROCESSING_FINISHED notification rejected: Payload.feedProcessingFinishedNotification.processingStatus: IN_PROGRESS is not one of CANCELLED, DONE, FATAL',
    });
  });

  it('REPORT_PROCESSING_FINISHED requires the report type', () => {
    expect(
      refusal(() =>
        reportFinishedOf({
          payload: { reportProcessingFinishedNotification: { reportId: 'R', processingStatus: 'DONE' } },
        }),
      ).message,
    ).toMatch(/reportProcessingFinishedNotification\.reportType: missing/);
  });

  it('LISTINGS_ITEM_STATUS_CHANGE and _ISSUES_CHANGE', () => {
    expect(
      listingStatusOf({ Payload: { SellerId: 'A1', Sku: 'S', MarketplaceId: 'M', Status: ['DISCOVERABLE'] } }),
    ).toEqual({ sku: 'S', marketplaceId: 'M', asin: undefined, statuses: ['DISCOVERABLE'] });
    expect(refusal(() => listingStatusOf({ Payload: { SellerId: 'A1', Sku: 'S', Status: ['SOLD'] } })).message).toMatch(
      /Payload\.Status: SOLD is not one of BUYABLE, DISCOVERABLE, DELETED/,
    );
    expect(
      listingIssuesOf({
        Payload: { SellerId: 'A1', Sku: 'S', Severities: ['ERROR'], EnforcementActions: ['LISTING_SUPPRESSED'] },
      }),
    ).toMatchObject({ severities: ['ERROR'], enforcementActions: ['LISTING_SUPPRESSED'] });
    expect(refusal(() => listingIssuesOf({ Payload: { SellerId: 'A1', Severities: ['NONE'] } })).message).toMatch(
      /Payload\.Sku: missing/,
    );
  });

  it('FBA_INVENTORY_AVAILABILITY_CHANGES sums inbound and reserved per marketplace', () => {
    const doc = {
      Payload: {
        SellerId: 'A1',
        FNSKU: 'X1',
        ASIN: 'B1',
        SKU: 'S',
        FulfillmentInventoryByMarketplace: [
          {
            MarketplaceId: 'M',
            FulfillmentInventory: {
              Fulfillable: 5,
              Unfulfillable: 1,
              InboundQuantityBreakdown: { Working: 1, Shipped: 2, Receiving: 3 },
              ReservedQuantityBreakdown: { WarehouseProcessing: 1, WarehouseTransfer: 0, PendingCustomerOrder: 2 },
            },
          },
        ],
      },
    };
    expect(fbaAvailabilityOf(doc).byMarketplace).toEqual([
      { marketplaceId: 'M', fulfillable: 5, inbound: 6, reserved: 3, unfulfillable: 1 },
    ]);
    const bad = structuredClone(doc);
    (bad.Payload.FulfillmentInventoryByMarketplace[0]!.FulfillmentInventory as { Fulfillable: unknown }).Fulfillable =
      -1;
    expect(refusal(() => fbaAvailabilityOf(bad)).message).toMatch(
      /FulfillmentInventoryByMarketplace\[0\]\.FulfillmentInventory\.Fulfillable: not a whole number/,
    );
  });
});
