import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeedResult } from '../../../src/connectors/amazon/feeds.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';

describe.skipIf(!SHARED_PRESENT)('feed processing report (official example)', () => {
  it('becomes one outcome per message sent: errors invalid, silence accepted, feed-level issues apart', () => {
    const example = JSON.parse(
      readFileSync(
        sharedPath('sp-api-models', 'schemas', 'feeds', 'listings-feed-processing-report-schema-v2.example.json'),
        'utf8',
      ),
    ) as unknown;
    const result = parseFeedResult(example, [
      { messageId: 3, sku: 'My-SKU-A' },
      { messageId: 4, sku: 'My-SKU-B' },
      { messageId: 5, sku: 'My-SKU-C' },
      { messageId: 6, sku: 'My-SKU-D' },
    ]);
    expect(result.feedId).toBe('1234567890');
    expect(result.summary).toMatchObject({ messagesProcessed: 4, messagesAccepted: 2, messagesInvalid: 2 });
    expect(result.messages.map((m) => [m.messageId, m.status, m.issues.length])).toEqual([
      [3, 'accepted', 0],
      [4, 'invalid', 2],
      [5, 'invalid', 1],
      [6, 'accepted', 0],
    ]);
    expect(result.messages[2]!.issues[0]!.attributeName).toBe('purchasable_offer.our_price');
  });
});
describe.skipIf(SHARED_PRESENT)('feed processing report (official example)', () => {
  it.skip(SHARED_SKIP_MESSAGE, () => undefined);
});

describe('parseFeedResult', () => {
  it('rejects a document that is not a processing report', () => {
    expect(() => parseFeedResult({ hello: 'world' })).toThrow(
      expect.objectContaining({ code: 'SB_AMZ_RESPONSE_INVALID' }),
    );
  });

  it('without the sent list, reports the messages it names; feed-level issues apart', () => {
    const r = parseFeedResult({
      header: { sellerId: 'A', version: '2.0', feedId: 'F' },
      issues: [
        { severity: 'ERROR', message: 'feed too large' },
        { messageId: 1, sku: 'S', severity: 'WARNING', message: 'w' },
      ],
      summary: { errors: 1, warnings: 1, messagesProcessed: 1, messagesAccepted: 1, messagesInvalid: 0 },
    });
    expect(r.feedIssues).toHaveLength(1);
    expect(r.messages).toEqual([
      { messageId: 1, sku: 'S', status: 'accepted', issues: [expect.objectContaining({ severity: 'WARNING' })] },
    ]);
  });
});
