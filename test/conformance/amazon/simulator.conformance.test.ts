import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';
import { loadConformance, type SpApiConformance } from '../../helpers/sp-api-conformance.ts';
import {
  createAmazonSimulator,
  type AmazonSimulator,
  type Exchange,
  type PublishedNotification,
} from '../../../src/simulator/amazon/index.ts';

/**
 * Drives the simulator over real HTTP through every operation it serves (success and error paths), records every
 * exchange with the onExchange hook, and validates each one against Amazon's models in ../shared.
 */
if (!SHARED_PRESENT) console.warn(SHARED_SKIP_MESSAGE);

describe.skipIf(!SHARED_PRESENT)('SP-API simulator conforms to the official models', () => {
  const exchanges: Exchange[] = [];
  const notifications: PublishedNotification[] = [];
  let sim: AmazonSimulator;
  let conformance: SpApiConformance;
  let token = '';

  const call = async (method: string, path: string, body?: unknown, accessToken = token): Promise<Response> =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: {
        'x-amz-access-token': accessToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  beforeAll(async () => {
    conformance = loadConformance();
    sim = await createAmazonSimulator({
      seed: 2026,
      orders: 40,
      timeScale: 1_000,
      limits: false,
      onExchange: (e) => exchanges.push(e),
      onNotification: (n) => notifications.push(n),
    });
    const res = await fetch(`${sim.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'Atzr|sim-refresh-token',
        client_id: 'id',
        client_secret: 'secret',
      }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('orders: searchOrders pages, getOrder with every includedData, confirmShipment, and the error paths', async () => {
    const all =
      'BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS';
    let next: string | undefined;
    let query = `createdAfter=2020-01-01T00:00:00Z&maxResultsPerPage=9&includedData=${all}&marketplaceIds=ATVPDKIKX0DER`;
    let ids: string[] = [];
    do {
      const res = await call('GET', `/orders/2026-01-01/orders?${query}`);
      const body = (await res.json()) as { orders: { orderId: string }[]; pagination?: { nextToken?: string } };
      ids = ids.concat(body.orders.map((o) => o.orderId));
      next = body.pagination?.nextToken;
      query = `paginationToken=${encodeURIComponent(next ?? '')}`;
    } while (next);
    expect(ids.length).toBe(40);
    await call(
      'GET',
      `/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z&fulfillmentStatuses=UNSHIPPED,SHIPPED&fulfilledBy=MERCHANT`,
    );
    for (const id of ids) await call('GET', `/orders/2026-01-01/orders/${id}?includedData=${all}`);
    for (const status of ['PENDING', 'CANCELLED', 'SHIPPED'] as const) {
      const o = sim.control.addOrder({ status, business: true });
      await call('GET', `/orders/2026-01-01/orders/${o.orderId}?includedData=${all}`);
    }
    const mfn = sim.control.addOrder({ status: 'UNSHIPPED', fulfilledBy: 'MERCHANT' });
    const first = mfn.items[0]!;
    const confirm = await call('POST', `/orders/v0/orders/${mfn.orderId}/shipmentConfirmation`, {
      marketplaceId: mfn.marketplaceId,
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'Other',
        carrierName: 'Local Courier',
        trackingNumber: 'LC-1',
        shipDate: '2026-01-02T10:00:00Z',
        orderItems: [{ orderItemId: first.orderItemId, quantity: 1 }],
      },
    });
    expect(confirm.status).toBe(204);
    // error paths
    expect((await call('GET', '/orders/2026-01-01/orders/999-0000000-0000000')).status).toBe(404);
    expect((await call('GET', '/orders/2026-01-01/orders')).status).toBe(400);
    expect(
      (
        await call('POST', `/orders/v0/orders/${mfn.orderId}/shipmentConfirmation`, {
          marketplaceId: mfn.marketplaceId,
          packageDetail: {
            packageReferenceId: '2',
            carrierCode: 'UPS',
            trackingNumber: 'x',
            shipDate: '2026-01-02T10:00:00Z',
            orderItems: [{ orderItemId: 'nope', quantity: 1 }],
          },
        })
      ).status,
    ).toBe(400);
    for (const kind of ['throttle', 'server-error', 'unavailable'] as const) {
      sim.control.injectFault({ kind, operation: 'orders.getOrder' });
      expect((await call('GET', `/orders/2026-01-01/orders/${ids[0]}`)).status).toBeGreaterThanOrEqual(429);
    }
    expect((await call('GET', `/orders/2026-01-01/orders/${ids[0]}`, undefined, 'not-a-token')).status).toBe(403);
  });

  it('notifications: destinations, subscriptions, ORDER_CHANGE documents', async () => {
    const lwa = await fetch(`${sim.url}/auth/o2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'sellingpartnerapi::notifications',
        client_id: 'id',
        client_secret: 'secret',
      }),
    });
    const grantless = ((await lwa.json()) as { access_token: string }).access_token;
    const dest = await call(
      'POST',
      '/notifications/v1/destinations',
      { name: 'q', resourceSpecification: { sqs: { arn: sim.control.sqsArn('conformance') } } },
      grantless,
    );
    const destinationId = ((await dest.json()) as { payload: { destinationId: string } }).payload.destinationId;
    await call(
      'POST',
      '/notifications/v1/destinations',
      { name: 'eb', resourceSpecification: { eventBridge: { accountId: '123456789012', region: 'us-east-1' } } },
      grantless,
    );
    await call('GET', '/notifications/v1/destinations', undefined, grantless);
    const sub = await call('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', {
      payloadVersion: '1.0',
      destinationId,
      processingDirective: {
        eventFilter: { eventFilterType: 'ORDER_CHANGE', orderChangeTypes: ['OrderStatusChange'] },
      },
    });
    const subscriptionId = ((await sub.json()) as { payload: { subscriptionId: string } }).payload.subscriptionId;
    expect(
      (await call('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', { payloadVersion: '1.0', destinationId }))
        .status,
    ).toBe(409);
    await call('GET', '/notifications/v1/subscriptions/ORDER_CHANGE');
    await call('GET', '/notifications/v1/subscriptions/FEED_PROCESSING_FINISHED');
    for (const status of ['UNSHIPPED', 'PENDING', 'SHIPPED'] as const)
      sim.control.addOrder({ status, business: status === 'SHIPPED' });
    const o = sim.control.addOrder({ status: 'PENDING' });
    sim.control.setOrderStatus(o.orderId, 'UNSHIPPED');
    sim.control.requestCancellation(o.orderId);
    await call('GET', `/orders/2026-01-01/orders/${o.orderId}?includedData=CANCELLATION,BUYER,FULFILLMENT`);
    sim.control.cancelOrder(o.orderId);
    await call('GET', `/orders/2026-01-01/orders/${o.orderId}?includedData=CANCELLATION,BUYER,FULFILLMENT`);
    expect(notifications.filter((n) => n.notificationType === 'ORDER_CHANGE').length).toBeGreaterThanOrEqual(7);
    expect(
      (await call('DELETE', `/notifications/v1/subscriptions/ORDER_CHANGE/${subscriptionId}`, undefined, grantless))
        .status,
    ).toBe(200);
    expect(
      (await call('DELETE', `/notifications/v1/subscriptions/ORDER_CHANGE/${subscriptionId}`, undefined, grantless))
        .status,
    ).toBe(404);
    expect((await call('GET', '/notifications/v1/destinations')).status).toBe(403);
  });

  it('feeds, listings, reports, inventory, finances and tokens, with their documents', async () => {
    const seller = sim.control.sellers[0]!.sellerId;
    const US = 'ATVPDKIKX0DER';
    sim.control.subscribe({ notificationType: 'FEED_PROCESSING_FINISHED', queueName: 'feeds' });
    sim.control.subscribe({ notificationType: 'REPORT_PROCESSING_FINISHED', queueName: 'reports' });
    const example = JSON.parse(
      readFileSync(sharedPath('sp-api-models', 'schemas', 'feeds', 'listings-feed-schema-v2.example.json'), 'utf8'),
    ) as { header: { sellerId: string } };
    example.header.sellerId = seller;
    const ours = {
      header: { sellerId: seller, version: '2.0' },
      messages: [
        {
          messageId: 1,
          sku: 'SB-WIDGET-001',
          operationType: 'PATCH',
          productType: 'PRODUCT',
          patches: [
            {
              op: 'merge',
              path: '/attributes/fulfillment_availability',
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }],
            },
          ],
        },
        {
          messageId: 2,
          sku: 'UNKNOWN-1',
          operationType: 'PATCH',
          productType: 'PRODUCT',
          patches: [
            {
              op: 'replace',
              path: '/attributes/fulfillment_availability',
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }],
            },
          ],
        },
        {
          messageId: 3,
          sku: 'SB-WIDGET-002',
          operationType: 'PATCH',
          productType: 'PRODUCT',
          patches: [
            {
              op: 'replace',
              path: '/attributes/purchasable_offer',
              value: [{ marketplace_id: US, currency: 'USD', our_price: [{ schedule: [{ value_with_tax: -1 }] }] }],
            },
          ],
        },
      ],
    };
    const feedIds: string[] = [];
    for (const document of [example, ours]) {
      expect(conformance.validateListingsFeed(document)).toEqual([]);
      const doc = (await (
        await call('POST', '/feeds/2021-06-30/documents', { contentType: 'application/json; charset=UTF-8' })
      ).json()) as { feedDocumentId: string; url: string };
      expect(
        (
          await fetch(doc.url, {
            method: 'PUT',
            headers: { 'content-type': 'application/json; charset=UTF-8' },
            body: JSON.stringify(document),
          })
        ).status,
      ).toBe(200);
      const created = (await (
        await call('POST', '/feeds/2021-06-30/feeds', {
          feedType: 'JSON_LISTINGS_FEED',
          marketplaceIds: [US],
          inputFeedDocumentId: doc.feedDocumentId,
        })
      ).json()) as { feedId: string };
      feedIds.push(created.feedId);
    }
    await call('GET', `/feeds/2021-06-30/feeds/${feedIds[0]}`);
    sim.control.setFeedResultCompression(true);
    for (const feedId of feedIds) await sim.control.waitForFeed(feedId);
    for (const feedId of feedIds) {
      const feed = (await (await call('GET', `/feeds/2021-06-30/feeds/${feedId}`)).json()) as {
        resultFeedDocumentId: string;
      };
      const doc = (await (await call('GET', `/feeds/2021-06-30/documents/${feed.resultFeedDocumentId}`)).json()) as {
        url: string;
        compressionAlgorithm?: string;
      };
      const bytes = Buffer.from(await (await fetch(doc.url)).arrayBuffer());
      const report = JSON.parse((bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8'));
      expect(conformance.validateProcessingReport(report)).toEqual([]);
    }
    await call('GET', '/feeds/2021-06-30/feeds?feedTypes=JSON_LISTINGS_FEED&pageSize=1&processingStatuses=DONE,FATAL');
    await call('GET', '/feeds/2021-06-30/feeds?feedTypes=JSON_LISTINGS_FEED&pageSize=1');
    await call('DELETE', `/feeds/2021-06-30/feeds/${feedIds[0]}`);
    await call('GET', '/feeds/2021-06-30/feeds/00000000000');

    await call(
      'GET',
      `/listings/2021-08-01/items/${seller}/SB-WIDGET-001?marketplaceIds=${US}&includedData=summaries,attributes,issues,offers,fulfillmentAvailability,productTypes`,
    );
    await call('GET', `/listings/2021-08-01/items/${seller}/NOPE?marketplaceIds=${US}`);
    const patch = {
      productType: 'PRODUCT',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 9 }],
        },
      ],
    };
    await call(
      'PATCH',
      `/listings/2021-08-01/items/${seller}/SB-WIDGET-001?marketplaceIds=${US}&mode=VALIDATION_PREVIEW`,
      patch,
    );
    await call('PATCH', `/listings/2021-08-01/items/${seller}/SB-WIDGET-001?marketplaceIds=${US}`, patch);
    await call('PATCH', `/listings/2021-08-01/items/${seller}/NOPE?marketplaceIds=${US}`, patch);

    const us = sim.control.generateSettlementReport();
    sim.control.generateSettlementReport({ numberFormat: 'eu', withPromotionId: false, gzip: true });
    await call(
      'GET',
      '/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&processingStatuses=DONE&pageSize=1',
    );
    await call('GET', `/reports/2021-06-30/reports/${us.reportId}`);
    await call('GET', `/reports/2021-06-30/documents/${us.reportDocumentId}`);
    await call('GET', '/reports/2021-06-30/reports');

    await call(
      'GET',
      `/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=${US}&marketplaceIds=${US}&details=true`,
    );
    await call(
      'GET',
      `/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=${US}&marketplaceIds=${US}&sellerSkus=SB-WIDGET-001,SB-TOOL-100`,
    );
    await call('GET', '/finances/2024-06-19/transactions?postedAfter=2020-01-01T00:00:00Z');
    await call(
      'GET',
      `/finances/2024-06-19/transactions?relatedIdentifierName=ORDER_ID&relatedIdentifierValue=${sim.control.orders()[0]!.orderId}`,
    );
    await call('POST', '/tokens/2021-03-01/restrictedDataToken', {
      restrictedResources: [
        { method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] },
      ],
    });
    await call('POST', '/tokens/2021-03-01/restrictedDataToken', { restrictedResources: [] });
    expect(notifications.some((n) => n.notificationType === 'FEED_PROCESSING_FINISHED')).toBe(true);
    expect(notifications.some((n) => n.notificationType === 'REPORT_PROCESSING_FINISHED')).toBe(true);
  });

  it('every published notification validates against its JSON schema', () => {
    const failures = notifications.flatMap((n) => conformance.validateNotification(n.document));
    expect(failures).toEqual([]);
    expect(notifications.length).toBeGreaterThan(0);
  });

  it('every recorded SP-API exchange validates against its model', () => {
    const failures: string[] = [];
    for (const exchange of exchanges.filter((e) => e.kind === 'sp-api')) {
      const result = conformance.validateExchange(exchange);
      if (result.errors.length)
        failures.push(`${exchange.method} ${exchange.path} ${exchange.status}: ${result.errors.join('; ')}`);
    }
    expect(failures).toEqual([]);
    // LWA has no Swagger model; check the token response fields clients rely on (sp-api-facts.md §1).
    for (const e of exchanges.filter((x) => x.kind === 'lwa' && x.status === 200)) {
      expect(e.responseBody).toMatchObject({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: expect.any(Number),
      });
    }
    const summary = conformance.summary();
    console.log(
      `simulator conformance: ${summary.operations.length} operations, ${summary.exchanges} exchanges (${summary.requestsValidated} requests + ${summary.responsesValidated} responses), ${summary.messages} messages validated ${JSON.stringify(summary.messagesByKind)}`,
    );
    console.log(`conformance operations: ${summary.operations.join(', ')}`);
    expect(summary.exchanges).toBeGreaterThan(40);
  });
});
