import type { AmazonMarketplace, OrderSearch } from '../core/ports/amazon-marketplace.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { JobScheduler } from '../core/ports/job-scheduler.ts';
import type { OrderSightings } from '../core/ports/order-sightings.ts';
import type { Watermarks } from '../core/ports/watermarks.ts';
import { ORDER_SYNC_QUEUE, orderSyncKey } from './sync-order.ts';
import { ORDER_WORK_PRIORITY } from './confirm-shipment.ts';
import { parsePayload } from './job-payload.ts';

/** The polling safety net: one job per connection, keyed so a connection polls one window at a time. */
export const ORDER_POLL_QUEUE = 'order.poll';
export const orderPollKey = (connectionId: string): string => `${ORDER_POLL_QUEUE}:${connectionId}`;
/** Watermark name of the order polling cursor (store table `watermarks`): the last window bound Amazon returned. */
export const ORDER_POLL_WATERMARK = 'amazon.orders.lastUpdated';

export interface OrderPollSettings {
  /** How far before the stored cursor each poll starts again. */
  readonly overlapMs: number;
  /** First poll of a connection: how far back it looks. */
  readonly initialLookbackMs: number;
  /** 1..100. */
  readonly pageSize: number;
  /** Pages one job reads before it queues its continuation. */
  readonly maxPages: number;
}

export interface OrderPollDeps {
  readonly amazon: Pick<AmazonMarketplace, 'searchOrders'>;
  readonly watermarks: Watermarks;
  readonly jobs: JobScheduler;
  readonly sightings: OrderSightings;
  readonly clock: Clock;
  readonly pollSettingsFor: (connectionId: string) => OrderPollSettings;
  /** Called with the orders polling found before any notification did (the metric). */
  readonly onFirstSeenByPolling?: (connectionId: string, amazonOrderIds: readonly string[]) => void;
}

export interface OrderPollJob {
  readonly connectionId: string;
  /** A continuation: the next page of a window a previous job started, and that window's bound. */
  readonly pageToken?: string;
  readonly windowBefore?: string;
}

export interface OrderPollOutcome {
  readonly orders: number;
  readonly firstSeenByPolling: number;
  readonly pages: number;
  /** The cursor after this job (undefined: not moved, e.g. a continuation is pending). */
  readonly watermark: string | undefined;
  readonly more: boolean;
}

/**
 * `order.poll`: asks Amazon for orders updated since the stored cursor minus an overlap window, queues an
 * `order.sync` job for each (de-duplicated per order, so a notification and a poll of the same order make one
 * pending job), and, after the last page of the window, moves the cursor to the window's upper bound as Amazon
 * reported it (never this process's clock; never backwards). A window longer than `maxPages` continues in a new
 * job carrying the page token. Orders no notification had announced are counted (push missed them).
 */
export async function pollOrders(payload: unknown, deps: OrderPollDeps): Promise<OrderPollOutcome> {
  const job = parseOrderPollJob(payload);
  const settings = deps.pollSettingsFor(job.connectionId);
  const stored = await deps.watermarks.get(job.connectionId, ORDER_POLL_WATERMARK);
  let query: OrderSearch = job.pageToken
    ? { pageToken: job.pageToken }
    : { updatedAfter: windowStart(stored, settings, deps.clock), pageSize: settings.pageSize };
  let windowBefore = job.windowBefore;
  let latestSeen: string | undefined;
  let orders = 0;
  let firstSeen = 0;
  for (let pages = 1; ; pages++) {
    const page = await deps.amazon.searchOrders(query);
    windowBefore ??= page.searchedBefore;
    const ids = page.orders.map((o) => o.id);
    for (const o of page.orders) if (!latestSeen || o.lastUpdatedAt > latestSeen) latestSeen = o.lastUpdatedAt;
    for (const id of ids) {
      await deps.jobs.enqueue(
        ORDER_SYNC_QUEUE,
        { connectionId: job.connectionId, amazonOrderId: id },
        { key: orderSyncKey(id), dedupe: true, priority: ORDER_WORK_PRIORITY },
      );
    }
    const unseen = ids.length > 0 ? await deps.sightings.notePolled(job.connectionId, ids) : [];
    if (unseen.length > 0) deps.onFirstSeenByPolling?.(job.connectionId, unseen);
    orders += ids.length;
    firstSeen += unseen.length;
    if (!page.nextPageToken) {
      // Amazon's bound; without one (an answer that carries none), the latest update among the orders read.
      const bound = windowBefore ?? latestSeen;
      const watermark = bound && (!stored || bound > stored) ? bound : stored;
      if (watermark && watermark !== stored)
        await deps.watermarks.set(job.connectionId, ORDER_POLL_WATERMARK, watermark);
      return { orders, firstSeenByPolling: firstSeen, pages, watermark, more: false };
    }
    if (pages >= settings.maxPages) {
      const next: OrderPollJob = {
        connectionId: job.connectionId,
        pageToken: page.nextPageToken,
        ...(windowBefore ? { windowBefore } : {}),
      };
      await deps.jobs.enqueue(ORDER_POLL_QUEUE, next, {
        key: orderPollKey(job.connectionId),
        priority: ORDER_WORK_PRIORITY,
      });
      return { orders, firstSeenByPolling: firstSeen, pages, watermark: undefined, more: true };
    }
    query = { pageToken: page.nextPageToken };
  }
}

/** Where a fresh window starts: the cursor minus the overlap, or (first poll) the look-back before now. */
export function windowStart(
  stored: string | undefined,
  settings: Pick<OrderPollSettings, 'overlapMs' | 'initialLookbackMs'>,
  clock: Clock,
): string {
  const at = stored ? Date.parse(stored) : Number.NaN;
  // A cursor that is not a timestamp (edited by hand) is treated as absent: the look-back re-reads, order.sync is idempotent.
  if (!Number.isNaN(at)) return new Date(at - settings.overlapMs).toISOString();
  return new Date(clock.now().getTime() - settings.initialLookbackMs).toISOString();
}

export function parseOrderPollJob(payload: unknown): OrderPollJob {
  const { connectionId } = parsePayload(ORDER_POLL_QUEUE, payload, ['connectionId']);
  const record = payload as Record<string, unknown>;
  const pageToken =
    typeof record['pageToken'] === 'string' && record['pageToken'] !== '' ? record['pageToken'] : undefined;
  const windowBefore =
    typeof record['windowBefore'] === 'string' && record['windowBefore'] !== '' ? record['windowBefore'] : undefined;
  return { connectionId, ...(pageToken ? { pageToken } : {}), ...(windowBefore ? { windowBefore } : {}) };
}
