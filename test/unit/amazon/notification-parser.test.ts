import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseNotification } from '../../../src/connectors/amazon/notifications/notification-parser.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';

const dir = SHARED_PRESENT ? sharedPath('sp-api-models', 'schemas', 'notifications') : '';
const schemas = SHARED_PRESENT
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ file: f, schema: JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as { examples?: unknown[] } }))
  : [];
const examples = schemas.flatMap(({ file, schema }) =>
  (schema.examples ?? []).map((doc, i) => ({ name: `${file}#${i}`, file, schema, doc })),
);

function eventBridge(doc: Record<string, unknown>, type: string) {
  return {
    version: '0',
    id: 'e7f1c3a0-0000-0000-0000-000000000000',
    'detail-type': type,
    source: 'aws.partner/sellingpartnerapi.amazon.com/amzn1.sellerapps.app.x',
    account: '123456789012',
    time: '2026-11-27T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: doc,
  };
}

describe.skipIf(!SHARED_PRESENT)('notification parser on the official schema examples', () => {
  it('has examples of both key families', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  it.each(examples)(
    '$name: valid against its schema, parsed as a document and inside an EventBridge envelope',
    ({ schema, doc }) => {
      const ajv = new Ajv({ strict: false, allErrors: true });
      addFormats.default(ajv);
      const validate = ajv.compile(schema);
      // The ListingsItemStatusChange schema's enum says LISTINGS_ITEM_STATUS_CHANGED while its example (and Amazon) send ..._CHANGE.
      if (!validate(doc)) expect(JSON.stringify(validate.errors)).toMatch(/LISTINGS_ITEM_STATUS_CHANGE|enum|const/);
      const parsed = parseNotification(JSON.stringify(doc));
      const d = doc as Record<string, unknown>;
      expect(parsed.notificationType).toBe(d['NotificationType'] ?? d['notificationType']);
      expect(parsed.envelope).toBe('document');
      const meta = (d['NotificationMetadata'] ?? d['notificationMetadata']) as Record<string, string> | undefined;
      if (meta) expect(parsed.notificationId).toBe(meta['NotificationId'] ?? meta['notificationId']);
      else expect(parsed.notificationId).toMatch(/^sha256:[0-9a-f]{64}$/);
      const wrapped = parseNotification(eventBridge(d, parsed.notificationType));
      expect(wrapped.envelope).toBe('eventbridge');
      expect({ ...wrapped, envelope: 'document' }).toEqual(parsed);
    },
  );

  it('extracts what changed: order, feed, report ids', () => {
    const byType = new Map(examples.map((e) => [parseNotification(e.doc).notificationType, parseNotification(e.doc)]));
    expect(byType.get('ORDER_CHANGE')!.subject).toEqual({
      kind: 'order',
      orderId: '903-8868176-2219830',
      status: 'Unshipped',
      marketplaceId: 'ATVPDKIKX0DER',
    });
    expect(byType.get('ORDER_CHANGE')!.sellerId).toBe('A3TH9S8BH6GOGM');
    expect(byType.get('FEED_PROCESSING_FINISHED')!.subject).toMatchObject({
      kind: 'feed',
      feedId: '53347018456',
      processingStatus: 'DONE',
    });
    expect(byType.get('REPORT_PROCESSING_FINISHED')!.subject).toMatchObject({ kind: 'report' });
  });
});
describe.skipIf(SHARED_PRESENT)('notification parser on the official schema examples', () => {
  it.skip(SHARED_SKIP_MESSAGE, () => undefined);
});

describe('notification parser rejects', () => {
  it.each([
    ['not JSON', '{oops'],
    ['an array', '[]'],
    ['no type', JSON.stringify({ Payload: {} })],
    ['no payload', JSON.stringify({ NotificationType: 'ORDER_CHANGE' })],
    [
      'ORDER_CHANGE without an order id',
      JSON.stringify({ NotificationType: 'ORDER_CHANGE', Payload: { OrderChangeNotification: {} } }),
    ],
    ['an EventBridge event from another source', JSON.stringify({ source: 'aws.s3', 'detail-type': 'x', detail: {} })],
  ])('%s, with SB_AMZ_NOTIFICATION_INVALID', (_name, body) => {
    expect(() => parseNotification(body)).toThrow(expect.objectContaining({ code: 'SB_AMZ_NOTIFICATION_INVALID' }));
  });
});
