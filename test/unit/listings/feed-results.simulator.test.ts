import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeedResult, submitJsonListingsFeed, type ParsedFeedResult } from '../../../src/connectors/amazon/feeds.ts';
import type { SpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { DEFAULT_LISTING_SYNC_RULES, type ListingLink } from '../../../src/core/model/listing.ts';
import { feedMessagesFromDeltas } from '../../../src/core/transform/feed-messages-from-deltas.ts';
import { applyListingChanges, listingDeltaFromSage } from '../../../src/core/transform/listing-delta.ts';
import {
  acceptedChanges,
  errorFromOutcome,
  resultsFromProcessingReport,
  type ProcessingReportView,
} from '../../../src/core/transform/results-from-processing-report.ts';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  DEFAULT_SKUS,
  type AmazonSimulator,
} from '../../../src/simulator/amazon/index.ts';

// The whole pure chain against the SP-API simulator over HTTP: delta -> feed -> Amazon's feed processor ->
// the connector's readFeedResult -> per-SKU outcomes; then a read-back of what the listings show.
const MARKETPLACE = DEFAULT_SELLER.marketplaceIds[0]!;
let sim: AmazonSimulator;
let conn: SpApiConnection;

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 3, orders: 0, limits: false });
  conn = connectToSimulator(sim.url);
});
afterAll(async () => {
  await sim.close();
});

// Compile-time: the connector's parsed report is what the core transform reads (reuse, no second parser).
const _assignable = (r: ParsedFeedResult): ProcessingReportView => r;
void _assignable;

describe('listings feed against the SP-API simulator', () => {
  it("accepted SKUs change on Amazon, the unknown SKU alone is rejected with Amazon's reason, only accepted changes become last-sent", async () => {
    const [a, b, c] = DEFAULT_SKUS;
    const link = (sku: string, itemId: string): ListingLink => ({
      sku,
      itemId,
      marketplaceId: MARKETPLACE,
      currency: 'USD',
      productType: 'PRODUCT',
      fulfillment: 'MFN',
    });
    const links = [link(a!.sku, 'A'), link(b!.sku, 'B'), link(c!.sku, 'C'), link('NOT-ON-AMAZON', 'D')];
    const delta = listingDeltaFromSage({
      links,
      stock: [
        { itemId: 'A', warehouseId: 'MAIN', onHand: 7, available: 7 },
        { itemId: 'B', warehouseId: 'MAIN', onHand: 0, available: 0 },
        { itemId: 'C', warehouseId: 'MAIN', onHand: 3, available: 3 },
        { itemId: 'D', warehouseId: 'MAIN', onHand: 9, available: 9 },
      ],
      prices: [
        {
          itemId: 'C',
          warehouseId: 'MAIN',
          priceSheet: 'list',
          price: { currency: 'USD', minor: 5123 },
          effectiveDate: '2026-01-01',
        },
      ],
      lastSent: [
        { sku: a!.sku, marketplaceId: MARKETPLACE, quantity: 25 },
        { sku: b!.sku, marketplaceId: MARKETPLACE, quantity: 25 },
        { sku: c!.sku, marketplaceId: MARKETPLACE, quantity: 3 },
      ],
      rules: DEFAULT_LISTING_SYNC_RULES,
    });
    const [batch, ...rest] = feedMessagesFromDeltas(delta.changes, { sellerId: DEFAULT_SELLER.sellerId });
    expect(rest).toEqual([]);
    expect(batch!.sent.map((s) => s.sku)).toEqual([b!.sku, 'NOT-ON-AMAZON', c!.sku, a!.sku]); // the drop to zero first, then by SKU

    const { feedId } = await submitJsonListingsFeed(conn.client, {
      marketplaceIds: [batch!.marketplaceId],
      document: batch!.document,
    });
    sim.control.processFeeds();
    await sim.control.waitForFeed(feedId);
    const read = await readFeedResult(conn.client, feedId, batch!.sent);
    expect(read.status).toBe('DONE');
    const results = resultsFromProcessingReport(read.result, batch!);

    expect(results.outcomes.map((o) => [o.sku, o.status, o.next])).toEqual([
      [b!.sku, 'accepted', 'done'],
      ['NOT-ON-AMAZON', 'rejected', 'dead-letter'],
      [c!.sku, 'accepted', 'done'],
      [a!.sku, 'accepted', 'done'],
    ]);
    expect(results.counts).toEqual({ accepted: 3, warnings: 0, rejected: 1, retry: 0 });
    const rejected = results.outcomes[1]!;
    expect(rejected.reasons.join(' ')).toMatch(/NOT-ON-AMAZON/);
    const error = errorFromOutcome(rejected, feedId);
    expect(error.code).toBe('SB_LIST_MESSAGE_REJECTED');
    expect(error.context).toEqual({ sku: 'NOT-ON-AMAZON', marketplaceId: MARKETPLACE, messageId: 2, feedId });

    // Read-back: the simulator's listings show what was sent (merge kept the channel, the price is exact).
    const qty = (sku: string) =>
      sim.control
        .listing(sku)!
        .attributes['fulfillment_availability']!.find((v) => v['fulfillment_channel_code'] === 'DEFAULT')!['quantity'];
    expect(qty(a!.sku)).toBe(7);
    expect(qty(b!.sku)).toBe(0);
    expect(qty(c!.sku)).toBe(25); // unchanged quantity was not sent (the simulator's seed is 25)
    const offer = sim.control.listing(c!.sku)!.attributes['purchasable_offer']![0] as {
      marketplace_id: string;
      currency: string;
      our_price: { schedule: { value_with_tax: number }[] }[];
    };
    expect(offer).toMatchObject({ marketplace_id: MARKETPLACE, currency: 'USD' });
    expect(offer.our_price[0]!.schedule[0]!.value_with_tax).toBe(51.23);

    // Only accepted changes move the baseline: the rejected SKU is computed again next time.
    const after = applyListingChanges([], acceptedChanges(results));
    expect(after.map((s) => s.sku).sort()).toEqual([a!.sku, b!.sku, c!.sku].sort());
  });
});
