import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpApiClient, paginate } from '../../../src/connectors/amazon/sp-api/client.ts';
import { createHttpTransport, HttpError } from '../../../src/connectors/amazon/sp-api/http-client.ts';
import { createAmazonMarketplace } from '../../../src/connectors/amazon/amazon-marketplace.ts';
import { json, startFakeServer } from './fake-http.ts';
import { makeAmazonOrder } from './make-amazon-order.ts';

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function clientFor(handler: Parameters<typeof startFakeServer>[0]) {
  const server = await startFakeServer(handler);
  servers.push(server);
  const transport = createHttpTransport({ baseUrl: server.url, tokens: { getToken: async () => 'tok' } });
  return { client: createSpApiClient(transport), server };
}

describe('SP-API client operations', () => {
  it('searchOrders walks every page with paginationToken and sends filters and includedData', async () => {
    const { client, server } = await clientFor((req, res) => {
      const u = new URL(req.url, 'http://x');
      const token = u.searchParams.get('paginationToken');
      const page = token ? Number(token) : 0;
      const orders = [makeAmazonOrder({ orderId: `113-0000000-000000${page}` })];
      json(res, 200, {
        orders,
        ...(page < 2 ? { pagination: { nextToken: String(page + 1) } } : {}),
        lastUpdatedBefore: '2026-11-27T00:00:00Z',
      });
    });
    const seen: string[] = [];
    for await (const orders of paginate((t) =>
      client.searchOrders({
        lastUpdatedAfter: '2026-11-01T00:00:00Z',
        fulfillmentStatuses: ['UNSHIPPED', 'PARTIALLY_SHIPPED'],
        marketplaceIds: ['ATVPDKIKX0DER'],
        includedData: ['PROCEEDS', 'FULFILLMENT'],
        maxResultsPerPage: 1,
        ...(t ? { paginationToken: t } : {}),
      }),
    )) {
      seen.push(...orders.map((o) => o.orderId));
    }
    expect(seen).toEqual(['113-0000000-0000000', '113-0000000-0000001', '113-0000000-0000002']);
    const first = new URL(server.requests[0]!.url, 'http://x');
    expect(first.pathname).toBe('/orders/2026-01-01/orders');
    expect(Object.fromEntries(first.searchParams)).toEqual({
      lastUpdatedAfter: '2026-11-01T00:00:00Z',
      fulfillmentStatuses: 'UNSHIPPED,PARTIALLY_SHIPPED',
      marketplaceIds: 'ATVPDKIKX0DER',
      includedData: 'PROCEEDS,FULFILLMENT',
      maxResultsPerPage: '1',
    });
  });

  it('an answer that breaks the model is SB_AMZ_RESPONSE_INVALID naming paths, not values', async () => {
    const { client } = await clientFor((_req, res) =>
      json(res, 200, { order: { orderId: 'x', buyer: { buyerName: 'Secret Name' } } }),
    );
    const err = await client.getOrder('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ code: 'SB_AMZ_RESPONSE_INVALID', operation: 'orders.getOrder' });
    expect((err as Error).message).toContain('order.createdTime');
    expect((err as Error).message).not.toContain('Secret');
  });

  it('marketplace port: getOrder asks for what the canonical order needs, confirmShipment posts v0', async () => {
    const { client, server } = await clientFor((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(204);
        return res.end();
      }
      json(res, 200, { order: makeAmazonOrder() });
    });
    const market = createAmazonMarketplace({ client, marketplaceIds: ['ATVPDKIKX0DER'] });
    const order = await market.getOrder('113-1234567-1234567', { includePii: true });
    expect(order.lines).toHaveLength(2);
    expect(new URL(server.requests[0]!.url, 'http://x').searchParams.get('includedData')).toBe(
      'PROCEEDS,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,BUYER,RECIPIENT',
    );
    await market.confirmShipment({
      orderId: '113-1234567-1234567',
      marketplaceId: 'ATVPDKIKX0DER',
      packageReferenceId: '1',
      carrierCode: 'UPS',
      trackingNumber: '1Z999',
      shipDate: '2026-11-21T09:00:00Z',
      lines: [{ lineId: '10001', quantity: 3 }],
    });
    const post = server.requests[1]!;
    expect(post.url).toBe('/orders/v0/orders/113-1234567-1234567/shipmentConfirmation');
    expect(JSON.parse(post.body)).toEqual({
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        packageReferenceId: '1',
        carrierCode: 'UPS',
        trackingNumber: '1Z999',
        shipDate: '2026-11-21T09:00:00Z',
        orderItems: [{ orderItemId: '10001', quantity: 3 }],
      },
    });
  });

  it('marketplace port: a search without one time window kind is rejected before a token is spent', async () => {
    const { client, server } = await clientFor((_req, res) => json(res, 200, { orders: [] }));
    const market = createAmazonMarketplace({ client, marketplaceIds: ['ATVPDKIKX0DER'] });
    await expect(market.searchOrders({})).rejects.toMatchObject({
      code: 'SB_AMZ_REQUEST_REJECTED',
      kind: 'validation',
    });
    await expect(market.searchOrders({ createdAfter: 'a', updatedAfter: 'b' })).rejects.toThrow(/cannot be combined/);
    expect(server.requests).toHaveLength(0);
    await market.searchOrders({
      updatedAfter: '2026-11-01T00:00:00Z',
      statuses: ['unshipped'],
      fulfilledBy: 'merchant',
    });
    const q = new URL(server.requests[0]!.url, 'http://x').searchParams;
    expect([
      q.get('lastUpdatedAfter'),
      q.get('fulfillmentStatuses'),
      q.get('fulfilledBy'),
      q.get('marketplaceIds'),
    ]).toEqual(['2026-11-01T00:00:00Z', 'UNSHIPPED', 'MERCHANT', 'ATVPDKIKX0DER']);
  });

  describe('documents', () => {
    const content = 'settlement-id\ttotal-amount\n1234\t95,00\n';
    it.each([
      ['GZIP-flagged and gzipped', 'GZIP' as const, gzipSync(Buffer.from(content))],
      ['GZIP-flagged but plain', 'GZIP' as const, Buffer.from(content)],
      ['not flagged', undefined, Buffer.from(content)],
    ])('downloads a report document %s', async (_name, compressionAlgorithm, bytes) => {
      const { client } = await clientFor((req, res) => {
        if (req.url.startsWith('/doc')) {
          res.writeHead(200);
          return res.end(bytes);
        }
        json(res, 200, {
          reportDocumentId: 'D1',
          url: `http://${req.headers.host}/doc`,
          ...(compressionAlgorithm ? { compressionAlgorithm } : {}),
        });
      });
      const doc = await client.getReportDocument('D1');
      expect((await client.downloadReportDocument(doc)).toString('utf8')).toBe(content);
    });

    it('feed round trip: createFeedDocument, upload with the content type, createFeed, getFeed, result download', async () => {
      const uploaded: string[] = [];
      const { client, server } = await clientFor((req, res) => {
        const base = `http://${req.headers.host}`;
        if (req.method === 'PUT') {
          uploaded.push(req.body);
          res.writeHead(200);
          return res.end();
        }
        if (req.url === '/feeds/2021-06-30/documents')
          return json(res, 201, { feedDocumentId: 'FD1', url: `${base}/upload/FD1` });
        if (req.url === '/feeds/2021-06-30/feeds') return json(res, 202, { feedId: 'F1' });
        if (req.url === '/feeds/2021-06-30/feeds/F1')
          return json(res, 200, {
            feedId: 'F1',
            feedType: 'JSON_LISTINGS_FEED',
            createdTime: '2026-11-27T00:00:00Z',
            processingStatus: 'DONE',
            resultFeedDocumentId: 'R1',
          });
        if (req.url === '/feeds/2021-06-30/documents/R1')
          return json(res, 200, { feedDocumentId: 'R1', url: `${base}/result`, compressionAlgorithm: 'GZIP' });
        if (req.url === '/result') {
          res.writeHead(200);
          return res.end(gzipSync('{"summary":{"errors":0}}'));
        }
        json(res, 404, { errors: [{ code: 'NotFound', message: '' }] });
      });
      const doc = await client.createFeedDocument('application/json; charset=UTF-8');
      await client.uploadFeedDocument(doc.url, '{"header":{}}', 'application/json; charset=UTF-8');
      const { feedId } = await client.createFeed({
        feedType: 'JSON_LISTINGS_FEED',
        marketplaceIds: ['ATVPDKIKX0DER'],
        inputFeedDocumentId: doc.feedDocumentId,
      });
      const feed = await client.getFeed(feedId);
      const result = await client.downloadFeedDocument(await client.getFeedDocument(feed.resultFeedDocumentId!));
      expect(JSON.parse(result.toString())).toEqual({ summary: { errors: 0 } });
      expect(uploaded).toEqual(['{"header":{}}']);
      const put = server.requests.find((r) => r.method === 'PUT')!;
      expect(put.headers['content-type']).toBe('application/json; charset=UTF-8');
      expect(put.headers['x-amz-access-token']).toBeUndefined();
    });

    it('a failed download is an HttpError for the download operation', async () => {
      const { client } = await clientFor((req, res) => {
        if (req.url === '/doc') return json(res, 503, {});
        json(res, 200, { feedDocumentId: 'D', url: `http://${req.headers.host}/doc` });
      });
      const err = await client.downloadFeedDocument(await client.getFeedDocument('D')).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SB_AMZ_SERVER_ERROR', operation: 'feeds.downloadFeedDocument', status: 503 });
    });
  });
});
