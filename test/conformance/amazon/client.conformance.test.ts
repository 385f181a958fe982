import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE } from '../../helpers/shared.ts';
import { loadConformance, type SpApiConformance } from '../../helpers/sp-api-conformance.ts';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  type AmazonSimulator,
  type Exchange,
  type PublishedNotification,
} from '../../../src/simulator/amazon/index.ts';
import type { SpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { paginate } from '../../../src/connectors/amazon/sp-api/client.ts';
import { HttpError } from '../../../src/connectors/amazon/sp-api/http-client.ts';
import { parseNotification } from '../../../src/connectors/amazon/notifications/notification-parser.ts';
import { createRestrictedDataToken } from '../../../src/connectors/amazon/sp-api/rdt.ts';

/**
 * The proof of issue 3: the real client (src/connectors/amazon) drives the simulator over HTTP through every
 * operation it has; the simulator records every exchange, and each request the client sent and each response it
 * got is validated against Amazon's models in ../shared. Notifications the simulator published are validated
 * against their JSON schemas and must be accepted by the client's notification parser.
 */
if (!SHARED_PRESENT) console.warn(SHARED_SKIP_MESSAGE);

describe.skipIf(!SHARED_PRESENT)(
  'the SP-API client conforms to the official models (driven against the simulator)',
  () => {
    const exchanges: Exchange[] = [];
    const notifications: PublishedNotification[] = [];
    let sim: AmazonSimulator;
    let conn: SpApiConnection;
    let conformance: SpApiConformance;
    const US = 'ATVPDKIKX0DER';
    const SELLER = DEFAULT_SELLER.sellerId;

    beforeAll(async () => {
      conformance = loadConformance();
      sim = await createAmazonSimulator({
        seed: 31,
        orders: 30,
        timeScale: 1_000,
        limits: false,
        onExchange: (e) => exchanges.push(e),
        onNotification: (n) => notifications.push(n),
      });
      conn = connectToSimulator(sim.url, { sellerId: SELLER, applicationId: 'conformance', requestTimeoutMs: 10_000 });
    });
    afterAll(async () => {
      await sim?.close();
    });

    it('drives every client operation, success and error paths', async () => {
      const c = conn.client;
      // Notifications first, so the later activity publishes documents.
      const destination = await c.createDestination('sellbridge', {
        sqs: { arn: sim.control.sqsArn('client-conformance') },
      });
      await c.getDestinations();
      for (const type of ['ORDER_CHANGE', 'FEED_PROCESSING_FINISHED', 'REPORT_PROCESSING_FINISHED']) {
        await c.createSubscription(type, {
          payloadVersion: type === 'ORDER_CHANGE' ? '1.0' : '2020-09-04',
          destinationId: destination.destinationId,
        });
      }
      const subscription = await c.getSubscription('ORDER_CHANGE');
      expect(subscription?.destinationId).toBe(destination.destinationId);

      // Orders: every page, every includedData, each order read back.
      const ids: string[] = [];
      for await (const page of paginate((token) =>
        c.searchOrders({
          createdAfter: '2020-01-01T00:00:00Z',
          marketplaceIds: [US],
          maxResultsPerPage: 8,
          includedData: [
            'BUYER',
            'RECIPIENT',
            'PROCEEDS',
            'PROMOTION',
            'FULFILLMENT',
            'PACKAGES',
            'TAX',
            'CANCELLATION',
          ],
          ...(token ? { paginationToken: token } : {}),
        }),
      )) {
        ids.push(...page.map((o) => o.orderId));
      }
      expect(ids).toHaveLength(30);
      await c.searchOrders({
        lastUpdatedAfter: '2020-01-01T00:00:00Z',
        fulfillmentStatuses: ['UNSHIPPED', 'PARTIALLY_SHIPPED'],
        fulfilledBy: ['MERCHANT'],
      });
      for (const id of ids.slice(0, 10))
        await c.getOrder(id, ['BUYER', 'RECIPIENT', 'PROCEEDS', 'FULFILLMENT', 'PACKAGES']);
      const mfn = sim.control.addOrder({
        status: 'UNSHIPPED',
        fulfilledBy: 'MERCHANT',
        items: [{ sku: 'SB-WIDGET-001', quantity: 2 }],
      });
      await c.confirmShipment(mfn.orderId, {
        marketplaceId: mfn.marketplaceId,
        packageDetail: {
          packageReferenceId: '1',
          carrierCode: 'UPS',
          trackingNumber: '1Z999AA10123456784',
          shipDate: new Date().toISOString(),
          orderItems: [{ orderItemId: mfn.items[0]!.orderItemId, quantity: 2 }],
        },
      });
      await expect(c.getOrder('999-9999999-9999999')).rejects.toBeInstanceOf(HttpError);

      // Feeds: document, upload, feed, processing, result download.
      const doc = await c.createFeedDocument('application/json; charset=UTF-8');
      await c.uploadFeedDocument(
        doc.url,
        JSON.stringify({
          header: { sellerId: SELLER, version: '2.0' },
          messages: [
            {
              messageId: 1,
              sku: 'SB-WIDGET-001',
              operationType: 'PATCH',
              productType: 'PRODUCT',
              patches: [
                {
                  op: 'replace',
                  path: '/attributes/fulfillment_availability',
                  value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 11 }],
                },
              ],
            },
          ],
        }),
        'application/json; charset=UTF-8',
      );
      const { feedId } = await c.createFeed({
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: [US],
        inputFeedDocumentId: doc.feedDocumentId,
      });
      sim.control.setFeedResultCompression(true);
      await sim.control.waitForFeed(feedId);
      const feed = await c.getFeed(feedId);
      const result = await c.getFeedDocument(feed.resultFeedDocumentId!);
      const report = JSON.parse((await c.downloadFeedDocument(result)).toString('utf8'));
      expect(conformance.validateProcessingReport(report)).toEqual([]);
      await c.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'], pageSize: 5 });
      const doc2 = await c.createFeedDocument('application/json; charset=UTF-8');
      await c.uploadFeedDocument(
        doc2.url,
        JSON.stringify({
          header: { sellerId: SELLER, version: '2.0' },
          messages: [{ messageId: 1, sku: 'SB-KIT-200', operationType: 'DELETE' }],
        }),
        'application/json; charset=UTF-8',
      );
      const second = await c.createFeed({
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: [US],
        inputFeedDocumentId: doc2.feedDocumentId,
      });
      try {
        await c.cancelFeed(second.feedId);
      } catch (err) {
        // It may already have started; Amazon answers 400 then.
        expect(err).toBeInstanceOf(HttpError);
      }

      // Listings.
      await c.getListingsItem(SELLER, 'SB-WIDGET-001', {
        marketplaceIds: [US],
        includedData: ['summaries', 'attributes', 'issues', 'offers', 'fulfillmentAvailability'],
      });
      const patches = [
        {
          op: 'replace' as const,
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 5 }],
        },
      ];
      await c.patchListingsItem(
        SELLER,
        'SB-WIDGET-001',
        { productType: 'PRODUCT', patches },
        { marketplaceIds: [US], mode: 'VALIDATION_PREVIEW' },
      );
      await c.patchListingsItem(SELLER, 'SB-WIDGET-001', { productType: 'PRODUCT', patches }, { marketplaceIds: [US] });

      // Reports: settlement (plain and gzip), list, read, download.
      sim.control.generateSettlementReport();
      sim.control.generateSettlementReport({ numberFormat: 'eu', withPromotionId: false, gzip: true });
      for await (const reports of paginate((token) =>
        c.getReports({
          ...(token
            ? { nextToken: token }
            : { reportTypes: ['GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2'], pageSize: 1 }),
        }),
      )) {
        for (const r of reports) {
          const full = await c.getReport(r.reportId);
          const document = await c.getReportDocument(full.reportDocumentId!);
          const text = (await c.downloadReportDocument(document)).toString('utf8');
          expect(text.split('\n')[0]).toMatch(/^settlement-id\t/);
        }
      }

      // Inventory, finances, tokens, notifications cleanup.
      await c.getInventorySummaries({ marketplaceId: US, details: true });
      await c.listTransactions({ postedAfter: '2020-01-01T00:00:00Z' });
      const rdt = await createRestrictedDataToken(conn.transport, {
        restrictedResources: [{ method: 'GET', path: `/orders/v0/orders/${ids[0]}`, dataElements: ['buyerInfo'] }],
      });
      expect(rdt.expiresInMs).toBe(3_600_000);
      if (subscription) await c.deleteSubscriptionById('ORDER_CHANGE', subscription.subscriptionId);
    });

    it('survives token expiry (refresh on 401), 429, 5xx and a GZIP-flagged plain document', async () => {
      const c = conn.client;
      const id = sim.control.orders()[0]!.orderId;
      sim.control.expireTokens();
      await c.getOrder(id);
      for (const kind of ['throttle', 'server-error', 'unavailable'] as const) {
        sim.control.injectFault({ kind, operation: 'orders.getOrder' });
        await expect(c.getOrder(id)).rejects.toBeInstanceOf(HttpError);
      }
      sim.control.injectDocumentFault('gzip-flag-not-compressed');
      const r = sim.control.generateSettlementReport({ gzip: true });
      const document = await c.getReportDocument(r.reportDocumentId);
      expect(document.compressionAlgorithm).toBe('GZIP');
      expect((await c.downloadReportDocument(document)).toString('utf8')).toBe(r.text);
    });

    it('every request the client sent and every response it got validates against the models', () => {
      const failures: string[] = [];
      for (const exchange of exchanges.filter((e) => e.kind === 'sp-api')) {
        const result = conformance.validateExchange(exchange);
        if (result.errors.length)
          failures.push(`${exchange.method} ${exchange.path} ${exchange.status}: ${result.errors.join('; ')}`);
      }
      expect(failures).toEqual([]);
    });

    it('every notification validates against its schema and the client parser accepts it', () => {
      expect(notifications.length).toBeGreaterThan(0);
      for (const n of notifications) {
        expect(conformance.validateNotification(n.document)).toEqual([]);
        expect(parseNotification(JSON.stringify(n.document)).notificationType).toBe(n.notificationType);
      }
      const summary = conformance.summary();
      console.log(
        `client conformance: ${summary.operations.length} operations, ${summary.exchanges} exchanges (${summary.requestsValidated} requests + ${summary.responsesValidated} responses), ${summary.messages} messages validated ${JSON.stringify(summary.messagesByKind)}`,
      );
      expect(summary.operations.length).toBe(22);
    });
  },
);
