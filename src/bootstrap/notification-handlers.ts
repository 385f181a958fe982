import {
  fbaAvailabilityOf,
  feedFinishedOf,
  listingIssuesOf,
  listingStatusOf,
  reportFinishedOf,
} from '../connectors/amazon/notifications/notification-payloads.ts';
import { recordFbaStockIn } from '../connectors/store/fba-stock.ts';
import { ANY_MARKETPLACE, recordListingNotificationIn } from '../connectors/store/listing-problems.ts';
import { feedRowOfAmazonFeed } from '../connectors/store/listing-state.ts';
import { noteSightingIn } from '../connectors/store/work-sightings.ts';
import {
  FAST_LANE_PRIORITY,
  FEED_PRIORITY,
  LISTING_FEED_QUEUE,
  LISTING_ISSUES_QUEUE,
  listingFeedKey,
  listingIssuesKey,
} from '../flows/inventory.ts';
import { SETTLEMENT_IMPORT_QUEUE, settlementImportKey } from '../flows/settlement.ts';
import type { JobQueue } from '../runtime/queue/job-queue.ts';
import { ORDER_CHANGE, orderChangeHandler, type NotificationHandler, type NotificationHandlers } from './intake.ts';

/** Settlement reports: the types whose REPORT_PROCESSING_FINISHED starts an import. */
export const SETTLEMENT_REPORT_TYPES: readonly string[] = [
  'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE',
  'GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2',
];

export interface NotificationHandlerWiring {
  readonly queue: Pick<JobQueue, 'enqueue'>;
  /** The connection settlement imports run for. */
  readonly settlementConnectionId: string;
  /** The connection listings and FBA stock belong to (`inventory.connectionId`). */
  readonly inventoryConnectionId: string;
}

/**
 * FEED_PROCESSING_FINISHED: the feed's `listing.feed` job runs now (it reads the processing report, saves what
 * was accepted and dead-letters the SKUs Amazon rejected). A feed that is not ours is `ignored`.
 */
export function feedFinishedHandler(
  w: NotificationHandlerWiring,
): NotificationHandler<ReturnType<typeof feedFinishedOf>> {
  return {
    parse: feedFinishedOf,
    async apply({ tx, payload, now }) {
      const row = await feedRowOfAmazonFeed(tx, payload.feedId);
      if (!row) return 'ignored';
      await noteSightingIn(tx, {
        connectionId: row.connectionId,
        kind: 'feed',
        subject: payload.feedId,
        via: 'event',
        at: now.toISOString(),
      });
      await w.queue.enqueue(
        LISTING_FEED_QUEUE,
        { connectionId: row.connectionId, feedRowId: row.feedRowId },
        {
          key: listingFeedKey(row.feedRowId),
          dedupe: true,
          priority: row.fastLane ? FAST_LANE_PRIORITY : FEED_PRIORITY,
          tx,
        },
      );
      return 'handled';
    },
  };
}

/** REPORT_PROCESSING_FINISHED of a settlement report that is DONE: its `settlement.import` job (idempotent). */
export function reportFinishedHandler(
  w: NotificationHandlerWiring,
): NotificationHandler<ReturnType<typeof reportFinishedOf>> {
  return {
    parse: reportFinishedOf,
    async apply({ tx, payload, now }) {
      if (
        !SETTLEMENT_REPORT_TYPES.includes(payload.reportType) ||
        payload.processingStatus !== 'DONE' ||
        !payload.reportDocumentId
      )
        return 'ignored';
      const connectionId = w.settlementConnectionId;
      await noteSightingIn(tx, {
        connectionId,
        kind: 'settlement-report',
        subject: payload.reportId,
        via: 'event',
        at: now.toISOString(),
      });
      await w.queue.enqueue(
        SETTLEMENT_IMPORT_QUEUE,
        { connectionId, reportId: payload.reportId, reportDocumentId: payload.reportDocumentId },
        { key: settlementImportKey(payload.reportId), dedupe: true, tx },
      );
      return 'handled';
    },
  };
}

/** LISTINGS_ITEM_STATUS_CHANGE / _ISSUES_CHANGE: kept per SKU; `listing.issues` reads the causes. */
function listingHandler<T extends { sku: string; marketplaceId: string | undefined; asin: string | undefined }>(
  w: NotificationHandlerWiring,
  parse: (document: unknown) => T,
  notified: (p: T) => Parameters<typeof recordListingNotificationIn>[1]['notified'],
): NotificationHandler<T> {
  return {
    parse,
    async apply({ tx, payload, entry, now }) {
      const connectionId = w.inventoryConnectionId;
      const marketplaceId = payload.marketplaceId ?? ANY_MARKETPLACE;
      await recordListingNotificationIn(tx, {
        connectionId,
        marketplaceId,
        sku: payload.sku,
        asin: payload.asin,
        eventTime: entry.eventTime ?? now.toISOString(),
        at: now.toISOString(),
        notified: notified(payload),
      });
      await w.queue.enqueue(
        LISTING_ISSUES_QUEUE,
        { connectionId, marketplaceId, sku: payload.sku },
        { key: listingIssuesKey(connectionId, marketplaceId, payload.sku), dedupe: true, tx },
      );
      return 'handled';
    },
  };
}

/** FBA_INVENTORY_AVAILABILITY_CHANGES: FBA stock per SKU and marketplace, for reconciliation. */
export function fbaAvailabilityHandler(
  w: NotificationHandlerWiring,
): NotificationHandler<ReturnType<typeof fbaAvailabilityOf>> {
  return {
    parse: fbaAvailabilityOf,
    async apply({ tx, payload, entry, now }) {
      const eventTime = entry.eventTime ?? now.toISOString();
      await recordFbaStockIn(
        tx,
        w.inventoryConnectionId,
        payload.byMarketplace.map((m) => ({
          ...m,
          sku: payload.sku,
          fnsku: payload.fnsku,
          eventTime,
          at: now.toISOString(),
        })),
      );
      return 'handled';
    },
  };
}

/** Every SP-API notification type Sellbridge acts on, with its handler. Other types are acknowledged, counted. */
export function amazonNotificationHandlers(w: NotificationHandlerWiring): NotificationHandlers {
  return {
    [ORDER_CHANGE]: orderChangeHandler(w.queue),
    FEED_PROCESSING_FINISHED: feedFinishedHandler(w),
    REPORT_PROCESSING_FINISHED: reportFinishedHandler(w),
    LISTINGS_ITEM_STATUS_CHANGE: listingHandler(w, listingStatusOf, (p) => ({ kind: 'status', statuses: p.statuses })),
    LISTINGS_ITEM_ISSUES_CHANGE: listingHandler(w, listingIssuesOf, (p) => ({
      kind: 'issues',
      severities: p.severities,
      enforcementActions: p.enforcementActions,
    })),
    FBA_INVENTORY_AVAILABILITY_CHANGES: fbaAvailabilityHandler(w),
  };
}
