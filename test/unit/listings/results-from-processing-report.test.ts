import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeedResult } from '../../../src/connectors/amazon/feeds.ts';
import type { ListingChange } from '../../../src/core/transform/listing-delta.ts';
import {
  acceptedChanges,
  resultsFromProcessingReport,
  type ProcessingReportView,
  type SentBatchView,
} from '../../../src/core/transform/results-from-processing-report.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';

const US = 'ATVPDKIKX0DER';
const change = (sku: string): ListingChange => ({
  sku,
  marketplaceId: US,
  itemId: sku,
  productType: 'PRODUCT',
  currency: 'USD',
  toZero: false,
  changes: [{ kind: 'quantity', to: 1, why: 't' }],
});
const batchOf = (skus: string[], firstId = 1): SentBatchView => ({
  marketplaceId: US,
  sent: skus.map((sku, i) => ({ messageId: firstId + i, sku, change: change(sku) })),
});

describe('resultsFromProcessingReport', () => {
  it('per SKU: clean -> accepted, warning -> accepted-with-warnings, error -> rejected with every reason; only failures leave the batch', () => {
    const report: ProcessingReportView = {
      feedId: 'F1',
      feedIssues: [],
      messages: [
        { messageId: 1, sku: 'A', status: 'accepted', issues: [] },
        {
          messageId: 2,
          sku: 'B',
          status: 'accepted',
          issues: [
            {
              messageId: 2,
              sku: 'B',
              code: '18027',
              severity: 'WARNING',
              message: 'value rounded',
              attributeName: 'purchasable_offer',
            },
          ],
        },
        {
          messageId: 3,
          sku: 'C',
          status: 'invalid',
          issues: [
            { messageId: 3, sku: 'C', code: '90220', severity: 'ERROR', message: 'x is required' },
            { messageId: 3, sku: 'C', code: '90220', severity: 'ERROR', message: 'y is required' },
          ],
        },
        { messageId: 4, sku: 'D', status: 'invalid', issues: [] },
      ],
    };
    const r = resultsFromProcessingReport(report, batchOf(['A', 'B', 'C', 'D', 'E']));
    expect(r.outcomes.map((o) => [o.sku, o.status, o.next, o.reasons])).toEqual([
      ['A', 'accepted', 'done', []],
      ['B', 'accepted-with-warnings', 'done', ['18027: value rounded (purchasable_offer)']],
      ['C', 'rejected', 'dead-letter', ['90220: x is required', '90220: y is required']],
      ['D', 'rejected', 'dead-letter', ['Amazon marked the message invalid without an issue']],
      ['E', 'accepted', 'done', []], // not named in the report: accepted, as parseFeedResult reads it
    ]);
    expect(r.counts).toEqual({ accepted: 2, warnings: 1, rejected: 2, retry: 0 });
    expect(acceptedChanges(r).map((c) => c.sku)).toEqual(['A', 'B', 'E']);
  });

  it('a FATAL or CANCELLED feed, or no report: every SKU is retried with the feed-level reason, none is dead-lettered', () => {
    const report: ProcessingReportView = {
      feedId: 'F2',
      feedIssues: [{ severity: 'ERROR', code: 'SIM_FEED_INVALID', message: 'not JSON' }],
      messages: [],
    };
    for (const r of [
      resultsFromProcessingReport(report, batchOf(['A', 'B']), 'FATAL'),
      resultsFromProcessingReport(report, batchOf(['A', 'B']), 'CANCELLED'),
    ]) {
      expect(r.outcomes.map((o) => [o.sku, o.status, o.next, o.reasons])).toEqual([
        ['A', 'rejected', 'retry', ['SIM_FEED_INVALID: not JSON']],
        ['B', 'rejected', 'retry', ['SIM_FEED_INVALID: not JSON']],
      ]);
      expect(acceptedChanges(r)).toEqual([]);
    }
    expect(resultsFromProcessingReport(undefined, batchOf(['A']), 'FATAL').outcomes[0]!.reasons).toEqual([
      'feed (no report) ended FATAL; no message was applied',
    ]);
  });
});

describe.skipIf(!SHARED_PRESENT)("Amazon's example processing report through the connector's parseFeedResult", () => {
  it('messages 4 and 5 rejected with their codes; 3 and 6 accepted', () => {
    const example = JSON.parse(
      readFileSync(
        sharedPath('sp-api-models', 'schemas', 'feeds', 'listings-feed-processing-report-schema-v2.example.json'),
        'utf8',
      ),
    ) as unknown;
    const batch = batchOf(['My-SKU-A', 'My-SKU-B', 'My-SKU-C', 'My-SKU-D'], 3);
    const r = resultsFromProcessingReport(parseFeedResult(example, batch.sent), batch);
    expect(r.feedId).toBe('1234567890');
    expect(r.outcomes.map((o) => [o.messageId, o.status])).toEqual([
      [3, 'accepted'],
      [4, 'rejected'],
      [5, 'rejected'],
      [6, 'accepted'],
    ]);
    expect(r.outcomes[2]!.reasons[0]).toMatch(/^99022: .*\(purchasable_offer\.our_price\)$/);
  });
});
describe.skipIf(SHARED_PRESENT)("Amazon's example processing report through the connector's parseFeedResult", () => {
  it.skip(SHARED_SKIP_MESSAGE, () => undefined);
});
