import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  DEFAULT_SKUS,
  type AmazonSimulator,
} from '../../../src/simulator/amazon/index.ts';
import type { SpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { paginate } from '../../../src/connectors/amazon/sp-api/client.ts';
import { createRestrictedDataToken } from '../../../src/connectors/amazon/sp-api/rdt.ts';
import { readFeedResult, submitJsonListingsFeed } from '../../../src/connectors/amazon/feeds.ts';
import {
  createSqsClient,
  createSqsNotificationConsumer,
} from '../../../src/connectors/amazon/notifications/sqs-consumer.ts';
import { createInbox } from '../../../src/runtime/inbox/inbox.ts';
import { openStore, type Store } from '../../../src/runtime/store/store.ts';

// Feeds, Reports, Listings, FBA Inventory, Notifications, Finances, Tokens and SQS intake against the
// simulator over real HTTP on a random port.
const SELLER = DEFAULT_SELLER.sellerId;
const MARKETPLACE = DEFAULT_SELLER.marketplaceIds[0]!;
let sim: AmazonSimulator;
let conn: SpApiConnection;
const dir = mkdtempSync(join(tmpdir(), 'sb-amz-ops-'));
let store: Store;

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 11, orders: 8, limits: false });
  conn = connectToSimulator(sim.url);
  store = openStore({ url: `sqlite:${join(dir, 'inbox.db')}` });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const sku = DEFAULT_SKUS[0]!.sku;
const feedBody = JSON.stringify({
  header: { sellerId: SELLER, version: '2.0', issueLocale: 'en_US' },
  messages: [
    {
      messageId: 1,
      sku,
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 17 }],
        },
      ],
    },
    {
      messageId: 2,
      sku: 'NO-SUCH-SKU',
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1 }],
        },
      ],
    },
  ],
});

async function submitFeed(): Promise<string> {
  const doc = await conn.client.createFeedDocument('application/json; charset=UTF-8');
  await conn.client.uploadFeedDocument(doc.url, feedBody, 'application/json; charset=UTF-8');
  const { feedId } = await conn.client.createFeed({
    feedType: 'JSON_LISTINGS_FEED',
    marketplaceIds: [MARKETPLACE],
    inputFeedDocumentId: doc.feedDocumentId,
  });
  return feedId;
}

describe('Feeds', () => {
  it('JSON_LISTINGS_FEED round trip: document, upload, createFeed, getFeed, processing report download', async () => {
    const feedId = await submitFeed();
    expect((await conn.client.getFeed(feedId)).processingStatus).toMatch(/IN_QUEUE|IN_PROGRESS|DONE/);
    sim.control.processFeeds();
    await sim.control.waitForFeed(feedId);
    const feed = await conn.client.getFeed(feedId);
    expect(feed.processingStatus).toBe('DONE');
    const report = JSON.parse(
      (await conn.client.downloadFeedDocument(await conn.client.getFeedDocument(feed.resultFeedDocumentId!))).toString(
        'utf8',
      ),
    ) as {
      summary: { messagesAccepted: number; messagesInvalid: number };
      issues: { messageId?: number }[];
    };
    expect(report.summary.messagesAccepted + report.summary.messagesInvalid).toBe(2);
    expect(report.issues.some((i) => i.messageId === 2)).toBe(true);
  });

  it('submitJsonListingsFeed + readFeedResult: one outcome per message, the unknown SKU invalid', async () => {
    const document = JSON.parse(feedBody) as { messages: { messageId: number; sku: string }[] };
    const { feedId } = await submitJsonListingsFeed(conn.client, { marketplaceIds: [MARKETPLACE], document });
    sim.control.processFeeds();
    await sim.control.waitForFeed(feedId);
    const { status, result } = await readFeedResult(
      conn.client,
      feedId,
      document.messages.map(({ messageId, sku }) => ({ messageId, sku })),
    );
    expect(status).toBe('DONE');
    expect(result!.messages.map((m) => [m.messageId, m.status])).toEqual([
      [1, 'accepted'],
      [2, 'invalid'],
    ]);
  });

  it('processing reports: gzipped, and flagged GZIP but plain, both read', async () => {
    for (const setup of [
      () => sim.control.setFeedResultCompression(true),
      () => sim.control.injectDocumentFault('gzip-flag-not-compressed'),
    ]) {
      setup();
      const feedId = await submitFeed();
      sim.control.processFeeds();
      await sim.control.waitForFeed(feedId);
      const doc = await conn.client.getFeedDocument((await conn.client.getFeed(feedId)).resultFeedDocumentId!);
      expect(doc.compressionAlgorithm).toBe('GZIP');
      expect(JSON.parse((await conn.client.downloadFeedDocument(doc)).toString('utf8'))).toHaveProperty('summary');
    }
    sim.control.setFeedResultCompression(false);
  });

  it('getFeeds pages with nextToken; cancelFeed cancels a queued feed', async () => {
    const ids = new Set<string>();
    for await (const feeds of paginate((t) =>
      conn.client.getFeeds(t ? { nextToken: t } : { feedTypes: ['JSON_LISTINGS_FEED'], pageSize: 1 }),
    )) {
      for (const f of feeds) ids.add(f.feedId);
    }
    expect(ids.size).toBeGreaterThanOrEqual(3);
    const queued = await submitFeed();
    await conn.client.cancelFeed(queued);
    expect((await conn.client.getFeed(queued)).processingStatus).toBe('CANCELLED');
  });
});

describe('Reports', () => {
  it.each([
    ['plain', {}],
    ['gzip', { gzip: true }],
    ['EU number format with promotion-id', { numberFormat: 'eu' as const, withPromotionId: true }],
  ])(
    'settlement report (%s): getReports finds it, getReport, getReportDocument and download',
    async (_name, options) => {
      const generated = sim.control.generateSettlementReport(options);
      const found: string[] = [];
      for await (const reports of paginate((t) =>
        conn.client.getReports(
          t
            ? { nextToken: t }
            : {
                reportTypes: ['GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2'],
                processingStatuses: ['DONE'],
                pageSize: 1,
              },
        ),
      )) {
        found.push(...reports.map((r) => r.reportId));
      }
      expect(found).toContain(generated.reportId);
      const report = await conn.client.getReport(generated.reportId);
      const text = (
        await conn.client.downloadReportDocument(await conn.client.getReportDocument(report.reportDocumentId!))
      ).toString('utf8');
      expect(text).toBe(generated.text);
      expect(text.split('\n')[0]).toContain('settlement-id');
    },
  );
});

describe('Listings Items', () => {
  it('getListingsItem, patchListingsItem VALIDATION_PREVIEW leaves the listing, a real patch changes it', async () => {
    const item = await conn.client.getListingsItem(SELLER, sku, {
      marketplaceIds: [MARKETPLACE],
      includedData: ['summaries', 'fulfillmentAvailability'],
    });
    expect(item.sku).toBe(sku);
    const patch = {
      productType: item.summaries?.[0]?.productType ?? 'PRODUCT',
      patches: [
        {
          op: 'replace' as const,
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 42 }],
        },
      ],
    };
    const preview = await conn.client.patchListingsItem(SELLER, sku, patch, {
      marketplaceIds: [MARKETPLACE],
      mode: 'VALIDATION_PREVIEW',
    });
    expect(preview.status).toBe('VALID');
    const before = await conn.client.getListingsItem(SELLER, sku, {
      marketplaceIds: [MARKETPLACE],
      includedData: ['fulfillmentAvailability'],
    });
    expect(before.fulfillmentAvailability?.[0]?.quantity).not.toBe(42);
    const done = await conn.client.patchListingsItem(SELLER, sku, patch, { marketplaceIds: [MARKETPLACE] });
    expect(done.status).toBe('ACCEPTED');
    const after = await conn.client.getListingsItem(SELLER, sku, {
      marketplaceIds: [MARKETPLACE],
      includedData: ['fulfillmentAvailability'],
    });
    expect(after.fulfillmentAvailability?.[0]?.quantity).toBe(42);
  });

  it("an unknown SKU is a 404 with Amazon's code", async () => {
    const err = await conn.client
      .getListingsItem(SELLER, 'NO-SUCH-SKU', { marketplaceIds: [MARKETPLACE] })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'validation', status: 404 });
  });
});

describe('FBA Inventory, Finances, Tokens', () => {
  it('getInventorySummaries returns what the simulator holds', async () => {
    sim.control.setFbaInventory(sku, 7);
    const page = await conn.client.getInventorySummaries({
      marketplaceId: MARKETPLACE,
      details: true,
      sellerSkus: [sku],
    });
    expect(page.items.find((s) => s.sellerSku === sku)?.inventoryDetails?.fulfillableQuantity).toBe(7);
  });

  it('listTransactions answers with the model shape', async () => {
    const page = await conn.client.listTransactions({
      postedAfter: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    });
    expect(Array.isArray(page.items)).toBe(true);
  });

  it('createRestrictedDataToken returns a token and its lifetime', async () => {
    const rdt = await createRestrictedDataToken(conn.transport, {
      restrictedResources: [
        { method: 'GET', path: '/orders/v0/orders/123-1234567-1234567', dataElements: ['buyerInfo'] },
      ],
    });
    expect(rdt.token).toBeTruthy();
    expect(rdt.expiresInMs).toBeGreaterThan(0);
  });
});

describe('Notifications and SQS intake', () => {
  it('destination and subscriptions: create, read, delete (grantless where Amazon says so)', async () => {
    const arn = sim.control.sqsArn('ops-queue');
    const destination = await conn.client.createDestination('sellbridge-ops', { sqs: { arn } });
    expect((await conn.client.getDestinations()).map((d) => d.destinationId)).toContain(destination.destinationId);
    const sub = await conn.client.createSubscription('FEED_PROCESSING_FINISHED', {
      payloadVersion: '1.0',
      destinationId: destination.destinationId,
    });
    expect((await conn.client.getSubscription('FEED_PROCESSING_FINISHED'))?.subscriptionId).toBe(sub.subscriptionId);
    await conn.client.deleteSubscriptionById('FEED_PROCESSING_FINISHED', sub.subscriptionId);
    expect(await conn.client.getSubscription('FEED_PROCESSING_FINISHED')).toBeUndefined();
  });

  it('ORDER_CHANGE over SQS: stored once in the inbox despite duplicates, malformed kept as rejected, queue emptied', async () => {
    const queueName = 'intake-queue';
    const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName });
    sim.control.injectNotificationFault('duplicate', 2);
    const orders = sim.control.addOrders(3);
    sim.control.sendRawMessage(queueName, '{"not":"a notification"');
    const inbox = createInbox(store, { now: () => new Date() });
    const consumer = createSqsNotificationConsumer({
      queueUrl,
      sqs: createSqsClient({
        region: 'us-east-1',
        endpoint: sim.url,
        credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
      }),
      inbox,
      waitTimeSeconds: 0,
    });
    let received = 0;
    let duplicates = 0;
    while (sim.control.queueDepth(queueName) > 0) {
      const r = await consumer.pollOnce();
      received += r.received;
      duplicates += r.duplicates;
    }
    expect(received).toBe(3 + 2 + 1);
    expect(duplicates).toBe(2);
    const pending = await inbox.list({ status: 'pending' });
    expect(pending.map((r) => r.subject).sort()).toEqual(orders.map((o) => `order:${o.orderId}`).sort());
    expect(await inbox.count('rejected')).toBe(1);
  });
});
