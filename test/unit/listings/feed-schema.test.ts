import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ListingChange } from '../../../src/core/transform/listing-delta.ts';
import {
  feedMessagesFromDeltas,
  MAX_MESSAGES_PER_FEED,
} from '../../../src/core/transform/feed-messages-from-deltas.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';
import { goldenCases, readCase, runCase } from './golden-case.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Amazon's official JSON_LISTINGS_FEED schema, read from ../shared (never copied into the repo). */
function officialValidator(): ValidateFunction {
  const schema = JSON.parse(
    readFileSync(sharedPath('sp-api-models', 'schemas', 'feeds', 'listings-feed-schema-v2.json'), 'utf8'),
  ) as Record<string, unknown>;
  delete schema['$schema'];
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}

const US = 'ATVPDKIKX0DER';
function change(i: number, marketplaceId = US): ListingChange {
  return {
    sku: `SKU-${String(i).padStart(6, '0')}`,
    marketplaceId,
    itemId: `ITEM-${i}`,
    productType: 'PRODUCT',
    currency: 'USD',
    toZero: false,
    changes: [
      { kind: 'quantity', to: i % 50, why: 'test' },
      ...(i % 3 === 0 ? [{ kind: 'price' as const, to: { currency: 'USD', minor: 1000 + i }, why: 'test' }] : []),
    ],
  };
}

describe.skipIf(!SHARED_PRESENT)(
  'generated feeds validate against the official JSON_LISTINGS_FEED schema (ajv)',
  () => {
    const validate = SHARED_PRESENT ? officialValidator() : undefined;
    const check = (doc: unknown): void => {
      const ok = validate!(doc);
      expect(ok ? [] : validate!.errors?.slice(0, 5)).toEqual([]);
    };

    it.each(goldenCases())('golden case %s', (name) => {
      for (const batch of runCase(readCase(name).input).batches) check(batch.document);
    });

    it('25,001 changes split into 25,000 + 1 messages, each feed valid, ids 1..n', () => {
      const changes = Array.from({ length: 25_001 }, (_, i) => change(i + 1));
      const batches = feedMessagesFromDeltas(changes, { sellerId: 'A1SELLER', issueLocale: 'en_US' });
      expect(batches.map((b) => b.document.messages.length)).toEqual([MAX_MESSAGES_PER_FEED, 1]);
      for (const b of batches) {
        check(b.document);
        expect(b.document.messages.at(-1)!.messageId).toBe(b.document.messages.length);
        expect(b.bytes).toBeLessThan(10 * 1024 * 1024);
      }
    });

    it('the schema rejects what we must never send (sanity check of the validator)', () => {
      const [batch] = feedMessagesFromDeltas([change(1)], { sellerId: 'A1SELLER' });
      const broken = JSON.parse(JSON.stringify(batch!.document)) as { messages: Record<string, unknown>[] };
      delete broken.messages[0]!['productType'];
      expect(validate!(broken)).toBe(false);
    });
  },
);
describe.skipIf(SHARED_PRESENT)('generated feeds validate against the official JSON_LISTINGS_FEED schema (ajv)', () => {
  it.skip(SHARED_SKIP_MESSAGE, () => undefined);
});

describe('feed byte limit', () => {
  it('splits by size before the message limit, and names the SKU of a message that can never fit', () => {
    const changes = Array.from({ length: 50 }, (_, i) => change(i + 1));
    const batches = feedMessagesFromDeltas(changes, { sellerId: 'A1SELLER', maxBytes: 2_000 });
    expect(batches.length).toBeGreaterThan(1);
    for (const b of batches) expect(b.bytes).toBeLessThanOrEqual(2_000);
    expect(batches.flatMap((b) => b.sent.map((s) => s.sku))).toEqual(changes.map((c) => c.sku));
    const huge: ListingChange = {
      ...change(1),
      changes: [
        {
          kind: 'attribute',
          name: 'bullet_point',
          to: [{ value: 'x'.repeat(5_000), marketplace_id: US }],
          why: 'test',
        },
      ],
    };
    expect(() => feedMessagesFromDeltas([huge], { sellerId: 'A1SELLER', maxBytes: 2_000 })).toThrow(
      expect.objectContaining({
        code: 'SB_LIST_MESSAGE_TOO_LARGE',
        context: expect.objectContaining({ sku: 'SKU-000001' }),
      }),
    );
  });
});
