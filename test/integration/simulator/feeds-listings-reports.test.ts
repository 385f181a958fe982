import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { processListingsFeed } from '../../../src/simulator/amazon/feed-processor.ts';

let sim: AmazonSimulator;
let token = '';
const SELLER = 'A1SIMSELLER0001';
const US = 'ATVPDKIKX0DER';

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'x-amz-access-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function download(url: string, gzip: boolean): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  // Tolerate a document flagged GZIP that is not compressed (gzip magic 1f 8b).
  return gzip && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

async function submitFeed(feed: unknown): Promise<string> {
  const doc = await api('POST', '/feeds/2021-06-30/documents', { contentType: 'application/json; charset=UTF-8' });
  expect(doc.status).toBe(201);
  const upload = await fetch(String(doc.json.url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: JSON.stringify(feed),
  });
  expect(upload.status).toBe(200);
  const created = await api('POST', '/feeds/2021-06-30/feeds', {
    feedType: 'JSON_LISTINGS_FEED',
    marketplaceIds: [US],
    inputFeedDocumentId: doc.json.feedDocumentId,
  });
  expect(created.status).toBe(202);
  return String(created.json.feedId);
}

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 11, orders: 25, timeScale: 1_000, limits: false });
  const res = await fetch(`${sim.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=refresh_token&refresh_token=r&client_id=a&client_secret=b',
  });
  token = ((await res.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await sim?.close();
});

describe('feeds, listings, reports, inventory, finances, tokens', () => {
  it('processes a JSON_LISTINGS_FEED after a (scaled) delay with per-message issues, and the listing reflects it', async () => {
    const feedId = await submitFeed({
      header: { sellerId: SELLER, version: '2.0', issueLocale: 'en_US' },
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
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 7 }],
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
        {
          messageId: 3,
          sku: 'SB-WIDGET-002',
          operationType: 'PATCH',
          productType: 'PRODUCT',
          patches: [
            {
              op: 'replace',
              path: '/attributes/fulfillment_availability',
              value: [{ fulfillment_channel_code: 'DEFAULT', quantity: -4 }],
            },
          ],
        },
      ],
    });
    expect(['IN_QUEUE', 'IN_PROGRESS', 'DONE']).toContain(
      (await api('GET', `/feeds/2021-06-30/feeds/${feedId}`)).json.processingStatus,
    );
    const done = await sim.control.waitForFeed(feedId);
    expect(done.processingStatus).toBe('DONE');
    const feed = (await api('GET', `/feeds/2021-06-30/feeds/${feedId}`)).json;
    const doc = (await api('GET', `/feeds/2021-06-30/documents/${String(feed.resultFeedDocumentId)}`)).json;
    const report = JSON.parse(await download(String(doc.url), doc.compressionAlgorithm === 'GZIP'));
    expect(report.summary).toMatchObject({ messagesProcessed: 3, messagesAccepted: 1, messagesInvalid: 2 });
    expect(report.issues.map((i: { messageId: number; code: string }) => [i.messageId, i.code])).toEqual([
      [2, 'SIM_SKU_NOT_FOUND'],
      [3, 'SIM_INVALID_VALUE'],
    ]);
    const listing = await api(
      'GET',
      `/listings/2021-08-01/items/${SELLER}/SB-WIDGET-001?marketplaceIds=${US}&includedData=summaries,fulfillmentAvailability`,
    );
    expect(listing.json.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 7 }]);
  });

  it('ends FATAL when the feed does not match the schema, and gzips results when asked (or flags GZIP without compressing)', async () => {
    sim.control.setFeedResultCompression(true);
    const feedId = await submitFeed({ header: { sellerId: SELLER }, messages: [] });
    sim.control.processFeeds();
    const feed = (await api('GET', `/feeds/2021-06-30/feeds/${feedId}`)).json;
    expect(feed.processingStatus).toBe('FATAL');
    const doc = (await api('GET', `/feeds/2021-06-30/documents/${String(feed.resultFeedDocumentId)}`)).json;
    expect(doc.compressionAlgorithm).toBe('GZIP');
    const raw = Buffer.from(await (await fetch(String(doc.url))).arrayBuffer());
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
    sim.control.injectDocumentFault('gzip-flag-not-compressed');
    const second = await submitFeed({
      header: { sellerId: SELLER, version: '2.0' },
      messages: [{ messageId: 1, sku: 'SB-KIT-200', operationType: 'DELETE' }],
    });
    sim.control.processFeeds();
    const secondFeed = (await api('GET', `/feeds/2021-06-30/feeds/${second}`)).json;
    const secondDoc = (await api('GET', `/feeds/2021-06-30/documents/${String(secondFeed.resultFeedDocumentId)}`)).json;
    expect(secondDoc.compressionAlgorithm).toBe('GZIP');
    expect(JSON.parse(await download(String(secondDoc.url), true)).summary.messagesAccepted).toBe(1);
    sim.control.setFeedResultCompression(false);
  });

  it('falls back to structural feed checks when the official schema folder is absent', () => {
    const listings = { get: () => undefined } as unknown as Parameters<typeof processListingsFeed>[0]['listings'];
    const bad = processListingsFeed({
      feedId: '1',
      sellerId: SELLER,
      content: JSON.stringify({ header: { sellerId: SELLER }, messages: [] }),
      listings,
      modelsDir: '/nonexistent',
    });
    expect(bad.status).toBe('FATAL');
    const partial = processListingsFeed({
      feedId: '2',
      sellerId: SELLER,
      content: JSON.stringify({
        header: { sellerId: SELLER, version: '2.0' },
        messages: [
          { messageId: 1, sku: 'X', operationType: 'PATCH' },
          { messageId: 2, sku: 'Y', operationType: 'DELETE' },
        ],
      }),
      listings,
      modelsDir: '/nonexistent',
    });
    expect(partial.status).toBe('DONE');
    expect(partial.report.summary).toMatchObject({
      messagesProcessed: 2,
      messagesInvalid: 1,
      messagesAccepted: 1,
      warnings: 1,
    });
    expect(
      processListingsFeed({ feedId: '3', sellerId: SELLER, content: '{not json', listings, modelsDir: '/nonexistent' })
        .status,
    ).toBe('FATAL');
  });

  it('cancels only IN_QUEUE feeds and lists feeds with getFeeds pagination', async () => {
    const a = await submitFeed({
      header: { sellerId: SELLER, version: '2.0' },
      messages: [{ messageId: 1, sku: 'SB-TOOL-100', operationType: 'DELETE' }],
    });
    expect((await api('DELETE', `/feeds/2021-06-30/feeds/${a}`)).status).toBe(200);
    expect((await api('DELETE', `/feeds/2021-06-30/feeds/${a}`)).status).toBe(400);
    const first = await api('GET', '/feeds/2021-06-30/feeds?feedTypes=JSON_LISTINGS_FEED&pageSize=2');
    expect((first.json.feeds as unknown[]).length).toBe(2);
    const next = await api('GET', `/feeds/2021-06-30/feeds?nextToken=${String(first.json.nextToken)}`);
    expect((next.json.feeds as unknown[]).length).toBeGreaterThan(0);
    expect((await api('GET', '/feeds/2021-06-30/feeds')).status).toBe(400);
  });

  it('patchListingsItem: VALIDATION_PREVIEW validates without saving; a real patch is ACCEPTED and read back', async () => {
    const patch = {
      productType: 'PRODUCT',
      patches: [
        {
          op: 'replace',
          path: '/attributes/purchasable_offer',
          value: [{ marketplace_id: US, currency: 'USD', our_price: [{ schedule: [{ value_with_tax: 21.5 }] }] }],
        },
      ],
    };
    const preview = await api(
      'PATCH',
      `/listings/2021-08-01/items/${SELLER}/SB-GADGET-010?marketplaceIds=${US}&mode=VALIDATION_PREVIEW`,
      patch,
    );
    expect(preview.json.status).toBe('VALID');
    const before = await api(
      'GET',
      `/listings/2021-08-01/items/${SELLER}/SB-GADGET-010?marketplaceIds=${US}&includedData=offers`,
    );
    expect((before.json.offers as { price: { amount: string } }[])[0]!.price.amount).toBe('49.99');
    expect(
      (await api('PATCH', `/listings/2021-08-01/items/${SELLER}/SB-GADGET-010?marketplaceIds=${US}`, patch)).json
        .status,
    ).toBe('ACCEPTED');
    const after = await api(
      'GET',
      `/listings/2021-08-01/items/${SELLER}/SB-GADGET-010?marketplaceIds=${US}&includedData=offers`,
    );
    expect((after.json.offers as { price: { amount: string } }[])[0]!.price.amount).toBe('21.50');
    const bad = await api('PATCH', `/listings/2021-08-01/items/${SELLER}/SB-GADGET-010?marketplaceIds=${US}`, {
      productType: 'PRODUCT',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 1.5 }],
        },
      ],
    });
    expect(bad.json.status).toBe('INVALID');
    expect((await api('GET', `/listings/2021-08-01/items/${SELLER}/NOPE?marketplaceIds=${US}`)).status).toBe(404);
  });

  it('settlement reports: V2 flat file, US and EU formats, promotion-id optional, gzip, REPORT_PROCESSING_FINISHED', async () => {
    const us = sim.control.generateSettlementReport({ withPromotionId: true });
    const eu = sim.control.generateSettlementReport({ numberFormat: 'eu', withPromotionId: false, gzip: true });
    const list = await api(
      'GET',
      '/reports/2021-06-30/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2&processingStatuses=DONE',
    );
    expect((list.json.reports as { reportId: string }[]).map((r) => r.reportId)).toEqual(
      expect.arrayContaining([us.reportId, eu.reportId]),
    );
    const report = (await api('GET', `/reports/2021-06-30/reports/${us.reportId}`)).json;
    const doc = (await api('GET', `/reports/2021-06-30/documents/${String(report.reportDocumentId)}`)).json;
    expect(doc.compressionAlgorithm).toBeUndefined();
    const text = await download(String(doc.url), false);
    const [header, summary] = text.split('\n');
    expect(header!.split('\t').slice(-2)).toEqual(['quantity-purchased', 'promotion-id']);
    expect(summary!.split('\t')[4]).toMatch(/^-?\d+\.\d{2}$/);
    const euDoc = (await api('GET', `/reports/2021-06-30/documents/${eu.reportDocumentId}`)).json;
    expect(euDoc.compressionAlgorithm).toBe('GZIP');
    const euText = await download(String(euDoc.url), true);
    expect(euText.split('\n')[0]!.split('\t').at(-1)).toBe('quantity-purchased');
    expect(euText.split('\n')[1]!.split('\t')[4]).toMatch(/^-?\d+,\d{2}$/);
    // The total equals the sum of the amount rows.
    const rows = text
      .trim()
      .split('\n')
      .slice(2)
      .map((line) => line.split('\t')[14]!);
    const sum = rows.reduce((n, a) => n + Math.round(Number(a) * 100), 0);
    expect(sum).toBe(us.totalMinor);
  });

  it('settlement refunds mirror the order rows with the sign reversed and keep a RefundCommission', async () => {
    const shipped = sim.control.orders().find((o) => o.status === 'SHIPPED' && o.marketplaceId === US)!;
    const { text } = sim.control.generateSettlementReport({ refundOrderIds: [shipped.orderId] });
    const lines = text
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const refunds = lines.filter((cols) => cols[6] === 'Refund' && cols[7] === shipped.orderId);
    const principal = shipped.items.reduce((n, i) => n + i.unitPriceMinor * i.quantity, 0);
    const refundedPrincipal = refunds
      .filter((c) => c[12] === 'ItemPrice' && c[13] === 'Principal')
      .reduce((n, c) => n + Math.round(Number(c[14]) * 100), 0);
    expect(refundedPrincipal).toBe(-principal);
    expect(refunds.some((c) => c[13] === 'RefundCommission')).toBe(true);
    expect(refunds.every((c) => c[9] !== '')).toBe(true);
  });

  it('serves a truncated document when told to (malformed-document fault)', async () => {
    sim.control.injectDocumentFault('truncated');
    const r = sim.control.generateSettlementReport();
    const doc = (await api('GET', `/reports/2021-06-30/documents/${r.reportDocumentId}`)).json;
    const text = await download(String(doc.url), false);
    expect(text.length).toBeLessThan(r.text.length);
    expect(r.text.startsWith(text)).toBe(true);
  });

  it('advances the order life cycle: PENDING -> UNSHIPPED, AFN UNSHIPPED -> SHIPPED, MFN waits for confirmShipment', () => {
    const pending = sim.control.addOrder({ status: 'PENDING', fulfilledBy: 'MERCHANT' });
    const afn = sim.control.addOrder({ status: 'UNSHIPPED', fulfilledBy: 'AMAZON' });
    sim.control.advanceOrders();
    expect(sim.control.order(pending.orderId)!.status).toBe('UNSHIPPED');
    expect(sim.control.order(afn.orderId)!.status).toBe('SHIPPED');
    sim.control.advanceOrders();
    expect(sim.control.order(pending.orderId)!.status).toBe('UNSHIPPED');
  });

  it('getInventorySummaries, listTransactions and createRestrictedDataToken answer in the model shapes', async () => {
    sim.control.setFbaInventory('SB-WIDGET-001', 42);
    const inv = await api(
      'GET',
      `/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=${US}&marketplaceIds=${US}&details=true&sellerSkus=SB-WIDGET-001`,
    );
    expect(
      (inv.json.payload as { inventorySummaries: { inventoryDetails: { fulfillableQuantity: number } }[] })
        .inventorySummaries[0]!.inventoryDetails.fulfillableQuantity,
    ).toBe(42);
    const tx = await api('GET', '/finances/2024-06-19/transactions?postedAfter=2020-01-01T00:00:00Z');
    expect(tx.status).toBe(200);
    const rdt = await api('POST', '/tokens/2021-03-01/restrictedDataToken', {
      restrictedResources: [
        { method: 'GET', path: '/orders/v0/orders/123-1234567-1234567', dataElements: ['buyerInfo'] },
      ],
    });
    expect(rdt.json.expiresIn).toBe(3600);
    expect(String(rdt.json.restrictedDataToken)).toMatch(/^Atz\.sprdt\|/);
  });
});
