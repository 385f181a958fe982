import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../src/bootstrap/index.ts';
import { listFbaStock } from '../../../src/connectors/store/fba-stock.ts';
import { storeListingProblems } from '../../../src/connectors/store/listing-problems.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import {
  feedMessagesFromDeltas,
  type ListingsFeedBatch,
} from '../../../src/core/transform/feed-messages-from-deltas.ts';
import type { ListingChange } from '../../../src/core/transform/listing-delta.ts';
import { FEED_SWEEP_QUEUE, feedSweepKey, LISTING_FEED_QUEUE, listingFeedKey } from '../../../src/flows/inventory.ts';
import { SETTLEMENT_IMPORT_QUEUE } from '../../../src/flows/settlement.ts';
import { LISTING_ISSUE } from '../../../src/simulator/amazon/listings.ts';
import type { AmazonSimulator, CatalogItem, PublishedNotification } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { startOrderStack, type OrderStack } from '../../helpers/order-stack.ts';
import { SHARED_PRESENT } from '../../helpers/shared.ts';
import { loadConformance } from '../../helpers/sp-api-conformance.ts';

/**
 * Every SP-API notification type Sellbridge handles, end to end: the simulator publishes it when Amazon would (a
 * feed finishes, a settlement report is ready, Amazon's checks suppress a listing, FBA stock moves), the SQS
 * intake of a worker runtime stores it, its handler acts in the inbox row's transaction and the follow-up job
 * runs. Feed polling is off (`feedTracking: notification`, no sweep due): only the notification finishes the feed.
 * Every published document is checked against Amazon's notification schema.
 */
const SKUS: CatalogItem[] = [
  { sku: 'NT-RED', title: 'Red', priceMinor: 1999 },
  { sku: 'NT-BLUE', title: 'Blue', priceMinor: 2999 },
  { sku: 'NT-FBA', title: 'Fba', priceMinor: 999 },
];
const QUEUE = 'notif-q';
let stack: OrderStack;
let sim: AmazonSimulator;
let runtime: Runtime;
const published: PublishedNotification[] = [];

beforeAll(async () => {
  stack = await startOrderStack({
    name: 'notif-handlers',
    simulator: {
      seed: 20,
      timeScale: 50,
      processingDelayMs: 2_000,
      onNotification: (n) => published.push(n),
      scenario: { skus: SKUS },
    },
    sqsQueue: QUEUE,
    sage: 'no-warehouse',
    overrides: {
      'jobs.pollIntervalMs': '50',
      'inventory.feedTracking': 'notification',
      'inventory.feedPollMs': '86400000',
      'inventory.readBackSample': '0',
    },
  });
  ({ sim, runtime } = stack);
  for (const type of [
    'FEED_PROCESSING_FINISHED',
    'REPORT_PROCESSING_FINISHED',
    'LISTINGS_ITEM_STATUS_CHANGE',
    'LISTINGS_ITEM_ISSUES_CHANGE',
    'FBA_INVENTORY_AVAILABILITY_CHANGES',
    'ANY_OFFER_CHANGED',
  ])
    sim.control.subscribe({ notificationType: type, queueName: QUEUE });
}, 30_000);

afterAll(async () => {
  await stack?.close();
});

const US = 'ATVPDKIKX0DER';
const CONN = 'default';

async function inboxRows(kind: string) {
  const res = await sql<{ status: string; outcome: string | null; event_time: string | null; error: string | null }>`
    SELECT status, outcome, event_time, error FROM inbox WHERE kind = ${kind}`.execute(runtime.store.db);
  return res.rows;
}

const quantity = (sku: string, from: number, to: number): ListingChange => ({
  sku,
  itemId: sku,
  marketplaceId: US,
  productType: 'PRODUCT',
  currency: 'USD',
  changes: [{ kind: 'quantity', from, to, why: 'test' }],
  toZero: to === 0,
});

describe('SP-API notifications through the simulator into their handlers', () => {
  it('FEED_PROCESSING_FINISHED completes the feed with polling off: accepted saved, the failed SKU dead-lettered', async () => {
    const state = storeListingState(runtime.store, runtime.clock);
    // NT-GONE has no listing: Amazon rejects its PATCH message in the processing report.
    const [batch] = feedMessagesFromDeltas([quantity('NT-RED', 25, 7), quantity('NT-GONE', 3, 4)], {
      sellerId: sim.control.sellers[0]!.sellerId,
    }) as [ListingsFeedBatch];
    const feedRowId = await state.createFeed(CONN, batch, false);
    await runtime.queue.enqueue(
      LISTING_FEED_QUEUE,
      { connectionId: CONN, feedRowId },
      { key: listingFeedKey(feedRowId) },
    );
    const feedId = await waitUntil(async () => (await state.feed(feedRowId))?.feedId, 20_000, 'the feed submitted');
    // Polling is off (inventory.feedPollMs is a day): once submitted, no listing.feed job waits to poll the feed. A
    // job due now may be there: the one FEED_PROCESSING_FINISHED queues to read the result, which on a busy machine
    // can arrive before this look.
    const pendingPolls = await runtime.queue.listJobs({ queue: LISTING_FEED_QUEUE, state: 'pending' });
    const anHourOn = Date.now() + 3_600_000;
    expect(pendingPolls.filter((j) => j.key === listingFeedKey(feedRowId) && Date.parse(j.runAt) > anHourOn)).toEqual(
      [],
    );
    await waitUntil(async () => (await state.feed(feedRowId))?.status === 'DONE', 30_000, 'the feed DONE');
    const counts = await sql<{ accepted: number; rejected: number }>`
      SELECT accepted, rejected FROM listing_feed WHERE id = ${feedRowId}`.execute(runtime.store.db);
    expect(counts.rows.map((r) => [Number(r.accepted), Number(r.rejected)])).toEqual([[1, 1]]);
    expect((await state.lastSent(CONN)).map((s) => [s.sku, s.quantity])).toEqual([['NT-RED', 7]]);
    const blocks = await state.activeBlocks(CONN);
    expect(blocks.map((b) => [b.sku, b.kind])).toEqual([['NT-GONE', 'rejected']]);
    expect(blocks[0]!.reason).toMatch(new RegExp(LISTING_ISSUE.skuNotFound));
    await waitUntil(
      async () => (await runtime.deadLetters.list({ status: 'open' })).some((d) => d.queue === 'listing.block'),
      10_000,
      'the rejected SKU dead-lettered',
    );
    const rows = await inboxRows('FEED_PROCESSING_FINISHED');
    expect(rows).toEqual([expect.objectContaining({ status: 'processed', outcome: 'handled' })]);
    const seen = await sql<{ first_via: string }>`
      SELECT first_via FROM work_sightings WHERE kind = 'feed' AND subject = ${feedId}`.execute(runtime.store.db);
    expect(seen.rows).toEqual([{ first_via: 'event' }]);
  }, 60_000);

  it('a lost FEED_PROCESSING_FINISHED: the sweep (safety net) finishes the feed, counted as found by polling', async () => {
    const state = storeListingState(runtime.store, runtime.clock);
    const [batch] = feedMessagesFromDeltas([quantity('NT-RED', 7, 5)], {
      sellerId: sim.control.sellers[0]!.sellerId,
    }) as [ListingsFeedBatch];
    const feedRowId = await state.createFeed(CONN, batch, false);
    sim.control.injectNotificationFault('reorder'); // the next notification is held back (not delivered)
    await runtime.queue.enqueue(
      LISTING_FEED_QUEUE,
      { connectionId: CONN, feedRowId },
      { key: listingFeedKey(feedRowId) },
    );
    const feedId = await waitUntil(async () => (await state.feed(feedRowId))?.feedId, 20_000, 'the feed submitted');
    await sim.control.waitForFeed(feedId);
    expect((await state.feed(feedRowId))?.status).toBe('submitted');
    await runtime.queue.enqueue(FEED_SWEEP_QUEUE, { connectionId: CONN }, { key: feedSweepKey(CONN) });
    await waitUntil(async () => (await state.feed(feedRowId))?.status === 'DONE', 30_000, 'the feed DONE by the sweep');
    const seen = await sql<{ first_via: string }>`
      SELECT first_via FROM work_sightings WHERE kind = 'feed' AND subject = ${feedId}`.execute(runtime.store.db);
    expect(seen.rows).toEqual([{ first_via: 'poll' }]);
    // The late notification still arrives and is handled: the feed's job finds it final and changes nothing.
    sim.control.flushNotifications();
    await waitUntil(
      async () => (await inboxRows('FEED_PROCESSING_FINISHED')).filter((r) => r.status === 'processed').length === 2,
      20_000,
      'the late notification handled',
    );
    expect((await state.lastSent(CONN)).map((x) => [x.sku, x.quantity])).toEqual([['NT-RED', 5]]);
  }, 60_000);

  it('a notification whose payload breaks Amazon’s schema is kept rejected with the field named', async () => {
    sim.control.sendRawMessage(
      QUEUE,
      JSON.stringify({
        notificationVersion: '2020-09-04',
        notificationType: 'FEED_PROCESSING_FINISHED',
        payloadVersion: '2020-09-04',
        eventTime: '2026-12-01T00:00:00.000Z',
        payload: { feedProcessingFinishedNotification: { sellerId: 'A1', feedId: 'F-X', processingStatus: 'SOON' } },
        notificationMetadata: { notificationId: 'n-bad-feed-1' },
      }),
    );
    const rejected = await waitUntil(
      async () => (await inboxRows('FEED_PROCESSING_FINISHED')).find((r) => r.status === 'rejected'),
      20_000,
      'the rejected notification',
    );
    expect(rejected.error).toMatch(
      /SB_AMZ_NOTIFICATION_INVALID: .*processingStatus: SOON is not one of CANCELLED, DONE, FATAL/,
    );
  }, 30_000);

  it('REPORT_PROCESSING_FINISHED of a settlement report starts its import', async () => {
    const report = sim.control.generateSettlementReport();
    const job = await waitUntil(
      async () =>
        (await runtime.queue.listJobs({ queue: SETTLEMENT_IMPORT_QUEUE })).find(
          (j) => (j.payload as { reportId?: string }).reportId === report.reportId,
        ),
      20_000,
      'the settlement.import job',
    );
    expect(job.payload).toEqual({
      connectionId: CONN,
      reportId: report.reportId,
      reportDocumentId: report.reportDocumentId,
    });
    expect(await inboxRows('REPORT_PROCESSING_FINISHED')).toEqual([
      expect.objectContaining({ status: 'processed', outcome: 'handled' }),
    ]);
  }, 30_000);

  it('LISTINGS_ITEM_ISSUES_CHANGE and _STATUS_CHANGE: the suppressed SKU is a listing problem with its cause', async () => {
    sim.control.setListingIssues('NT-BLUE', [
      {
        code: LISTING_ISSUE.missing,
        message: "'item_weight' is required but not supplied.",
        severity: 'ERROR',
        attributeName: 'item_weight',
        enforcements: ['LISTING_SUPPRESSED', 'SEARCH_SUPPRESSED'],
      },
    ]);
    const problems = storeListingProblems(runtime.store, runtime.clock);
    const problem = await waitUntil(
      async () => (await problems.list(CONN)).find((p) => p.sku === 'NT-BLUE' && p.issues && p.statuses),
      20_000,
      'the listing problem with its causes',
    );
    expect(problem).toMatchObject({
      marketplaceId: US,
      statuses: [],
      severities: ['ERROR'],
      enforcementActions: ['LISTING_SUPPRESSED', 'SEARCH_SUPPRESSED'],
      issues: [
        {
          code: LISTING_ISSUE.missing,
          severity: 'ERROR',
          attributeNames: ['item_weight'],
          enforcements: ['LISTING_SUPPRESSED', 'SEARCH_SUPPRESSED'],
        },
      ],
    });
    // Amazon clears the issue: the listing is buyable again and no longer a problem.
    sim.control.setListingIssues('NT-BLUE', []);
    await waitUntil(
      async () => !(await problems.list(CONN)).some((p) => p.sku === 'NT-BLUE'),
      20_000,
      'the problem cleared',
    );
    const all = await problems.list(CONN, { all: true });
    expect(all.find((p) => p.sku === 'NT-BLUE')).toMatchObject({
      statuses: ['BUYABLE', 'DISCOVERABLE'],
      severities: ['NONE'],
      issues: [],
    });
  }, 45_000);

  it('FBA_INVENTORY_AVAILABILITY_CHANGES: FBA stock per SKU known for reconciliation', async () => {
    sim.control.setFbaInventory('NT-FBA', 42);
    const row = await waitUntil(
      async () => (await listFbaStock(runtime.store, CONN)).find((r) => r.sku === 'NT-FBA' && r.fulfillable === 42),
      20_000,
      'the FBA stock row',
    );
    expect(row).toMatchObject({ marketplaceId: US, sku: 'NT-FBA', fulfillable: 42 });
    expect(Date.parse(row.eventTime)).not.toBeNaN();
  }, 30_000);

  it('a type without a handler is acknowledged and counted, never left pending', async () => {
    sim.control.sendRawMessage(
      QUEUE,
      JSON.stringify({
        NotificationVersion: '1.0',
        NotificationType: 'ANY_OFFER_CHANGED',
        PayloadVersion: '1.0',
        EventTime: '2026-12-01T00:00:00.000Z',
        Payload: { AnyOfferChangedNotification: { SellerId: 'A1' } },
        NotificationMetadata: { NotificationId: 'n-any-offer-1', PublishTime: '2026-12-01T00:00:01.000Z' },
      }),
    );
    const rows = await waitUntil(
      async () => {
        const r = await inboxRows('ANY_OFFER_CHANGED');
        return r.length ? r : undefined;
      },
      20_000,
      'the unhandled notification stored',
    );
    expect(rows).toEqual([expect.objectContaining({ status: 'processed', outcome: 'unhandled' })]);
    expect(await runtime.inbox.count('pending')).toBe(0);
  }, 30_000);

  it('every notification the simulator published validates against Amazon’s schema', () => {
    if (!SHARED_PRESENT) return void console.warn('../shared absent: notification schemas not checked');
    const conformance = loadConformance();
    const types = new Set(published.map((n) => n.notificationType));
    for (const t of [
      'FEED_PROCESSING_FINISHED',
      'REPORT_PROCESSING_FINISHED',
      'LISTINGS_ITEM_STATUS_CHANGE',
      'LISTINGS_ITEM_ISSUES_CHANGE',
      'FBA_INVENTORY_AVAILABILITY_CHANGES',
    ])
      expect(types).toContain(t);
    expect(published.flatMap((n) => conformance.validateNotification(n.document))).toEqual([]);
  });
});
