import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNotification } from '../../src/connectors/amazon/notifications/notification-parser.ts';
import { createSqsNotificationConsumer } from '../../src/connectors/amazon/notifications/sqs-consumer.ts';
import type { Inbox } from '../../src/runtime/inbox/inbox.ts';
import { registerWebhookRoutes } from '../../src/server/routes/webhooks.ts';
import { expectNamedRefusal, fuzzParams, fuzzTimeout, mutated } from './fuzz-settings.ts';

/** Notifications as the webhook (EventBridge) and the SQS consumer receive them: no crash, no 5xx, bounded answers. */
const KEY = 'fuzz-api-key-123456';

const orderChange = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'ORDER_CHANGE',
  source: 'aws.partner/sellingpartnerapi.amazon.com/amzn1.sellerapps.app.test',
  account: '123456789012',
  time: '2026-11-27T20:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {
    NotificationVersion: '1.0',
    NotificationType: 'ORDER_CHANGE',
    PayloadVersion: '1.0',
    EventTime: '2026-11-27T20:00:00Z',
    NotificationMetadata: {
      ApplicationId: 'app',
      SubscriptionId: 'sub',
      PublishTime: '2026-11-27T20:00:01Z',
      NotificationId: 'n-1',
    },
    Payload: {
      OrderChangeNotification: {
        NotificationLevel: 'OrderLevel',
        SellerId: 'A1',
        AmazonOrderId: '111-0000000-0000001',
        OrderChangeType: 'OrderStatusChange',
        Summary: { MarketplaceId: 'ATVPDKIKX0DER', OrderStatus: 'Unshipped' },
      },
    },
  },
};
const feedDone = {
  notificationVersion: '2020-09-04',
  notificationType: 'FEED_PROCESSING_FINISHED',
  payloadVersion: '2020-09-04',
  eventTime: '2026-11-27T20:00:00Z',
  payload: {
    feedProcessingFinishedNotification: {
      sellerId: 'A1',
      feedId: '123',
      feedType: 'JSON_LISTINGS_FEED',
      processingStatus: 'DONE',
    },
  },
  notificationMetadata: {
    applicationId: 'app',
    subscriptionId: 's',
    publishTime: '2026-11-27T20:00:00Z',
    notificationId: 'n-2',
  },
};

/** Bodies: mutated real notifications (deep inside), arbitrary JSON, arbitrary text, deep nesting. */
const body: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: mutated(orderChange).map((v) => JSON.stringify(v) ?? '') },
  { weight: 2, arbitrary: mutated(orderChange.detail).map((v) => JSON.stringify(v) ?? '') },
  { weight: 2, arbitrary: mutated(feedDone).map((v) => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50, max: 3_000 }).map((n) => `{"detail":${'['.repeat(n)}${']'.repeat(n)}}`),
  },
);

const fakeInbox = (): Inbox & { rows: unknown[] } => {
  const rows: unknown[] = [];
  return {
    rows,
    accept: async (row: unknown) => {
      rows.push(row);
      return { id: `i-${rows.length}`, duplicate: false };
    },
  } as unknown as Inbox & { rows: unknown[] };
};

describe('fuzz: SP-API notifications', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    registerWebhookRoutes(app, {
      inbox: fakeInbox(),
      connectionId: 'default',
      settings: { apiKey: KEY, bodyLimitBytes: 256 * 1024 },
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it(
    'parseNotification: a parsed notification or an SB_AMZ_NOTIFICATION_INVALID that says what is wrong',
    () => {
      fc.assert(
        fc.property(body, (text) => {
          try {
            const n = parseNotification(text);
            expect(typeof n.notificationType).toBe('string');
            expect(n.notificationId.length).toBeLessThan(2_000);
          } catch (err) {
            expectNamedRefusal(err, { code: /^SB_AMZ_NOTIFICATION_INVALID$/, maxMessage: 1_000 });
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(5),
  );

  it(
    'POST /webhooks/amazon: never a 5xx (EventBridge would redeliver forever); refusals are 4xx with an SB_ code and a bounded body',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          body,
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          async (payload, type) => {
            const res = await app.inject({
              method: 'POST',
              url: '/webhooks/amazon',
              headers: { 'content-type': type, 'x-api-key': KEY },
              payload,
            });
            expect(res.statusCode, res.body).toBeLessThan(500);
            expect(res.body.length).toBeLessThan(2_000);
            if (res.statusCode >= 400) expectNamedRefusal(res.json(), { maxMessage: 1_000 });
          },
        ),
        fuzzParams(),
      );
    },
    fuzzTimeout(20),
  );

  it(
    'SQS consumer: every message is stored or rejected with a reason, and deleted; the poll never throws',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 5 }), async (bodies) => {
          const inbox = fakeInbox();
          const sqs = {
            send: async (command: { constructor: { name: string }; input: { Entries?: unknown[] } }) =>
              command.constructor.name === 'ReceiveMessageCommand'
                ? { Messages: bodies.map((b, i) => ({ MessageId: `m-${i}`, ReceiptHandle: `r-${i}`, Body: b })) }
                : { Successful: command.input.Entries ?? [] },
          };
          const consumer = createSqsNotificationConsumer({
            queueUrl: 'https://sqs.test/q',
            sqs: sqs as never,
            inbox,
            waitTimeSeconds: 0,
          });
          const r = await consumer.pollOnce();
          expect(r.received).toBe(bodies.length);
          expect(r.stored + r.rejected + r.duplicates).toBe(bodies.length);
          expect(r.deleted).toBe(bodies.length);
          for (const row of inbox.rows as Array<{ status?: string; error?: string }>) {
            if (row.status === 'rejected') expect(String(row.error)).toMatch(/^SB_AMZ_NOTIFICATION_INVALID: /);
          }
        }),
        fuzzParams(),
      );
    },
    fuzzTimeout(20),
  );
});
