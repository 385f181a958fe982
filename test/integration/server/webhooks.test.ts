import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDispatchingInbox } from '../../../src/bootstrap/intake.ts';
import { ORDER_SYNC_QUEUE, ORDER_WORK_PRIORITY, orderSyncKey } from '../../../src/flows/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createInbox, type Inbox } from '../../../src/runtime/inbox/inbox.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { registerWebhookRoutes, WEBHOOK_SOURCE } from '../../../src/server/routes/webhooks.ts';
import { freshStore, makeQueue, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

/** POST /webhooks/amazon over app.inject(), with the real inbox and job queue (no handlers run), on SQLite and on PostgreSQL (pg-boss, the job enqueued in the inbox transaction) when it is available. */
const pg = await pgAvailable();
const KINDS: StoreKind[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];

const settings = { apiKey: 'k-123456', basicUser: 'eventbridge', basicPassword: 'p@ss:word', bodyLimitBytes: 4096 };

function orderChange(orderId: string, notificationId: string, status = 'Unshipped') {
  return {
    version: '0',
    id: `evt-${notificationId}`,
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
        NotificationId: notificationId,
      },
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: 'OrderLevel',
          SellerId: 'A1',
          AmazonOrderId: orderId,
          OrderChangeType: 'OrderStatusChange',
          Summary: { MarketplaceId: 'ATVPDKIKX0DER', OrderStatus: status },
        },
      },
    },
  };
}

describe.each(KINDS)('POST /webhooks/amazon on %s', (kind) => {
  let store: Store;
  let queue: JobQueue;
  let inbox: Inbox;
  let app: FastifyInstance;

  const post = (body: unknown, headers: Record<string, string | undefined> = { 'x-api-key': settings.apiKey }) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/amazon',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const orderJobs = async () =>
    (await queue.listJobs({ queue: ORDER_SYNC_QUEUE, limit: 100 })).filter((j) => j.state === 'pending');

  beforeAll(async () => {
    store = await freshStore(kind, 'webhooks');
    queue = await makeQueue(store);
    inbox = createInbox(store, systemClock);
    app = Fastify();
    registerWebhookRoutes(app, {
      inbox: orderDispatchingInbox(inbox, queue, 'default'),
      connectionId: 'default',
      settings,
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await queue?.stop();
    await store?.close();
  });

  it('a 10,000-deep JSON body is a 400 with an SB_ code (a 5xx makes EventBridge redeliver it forever) (issue 13)', async () => {
    const big = Fastify();
    registerWebhookRoutes(big, {
      inbox: orderDispatchingInbox(inbox, queue, 'default'),
      connectionId: 'default',
      settings: { ...settings, bodyLimitBytes: 1_000_000 },
    });
    const event = orderChange('111-0000000-0000042', 'deep-1');
    const body = JSON.stringify(event).replace(
      '"resources":[]',
      `"resources":${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    );
    const res = await big.inject({
      method: 'POST',
      url: '/webhooks/amazon',
      headers: { 'content-type': 'application/json', 'x-api-key': settings.apiKey },
      payload: body,
    });
    await big.close();
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('SB_AMZ_NOTIFICATION_INVALID');
    expect(res.body.length).toBeLessThan(1000);
  });

  it('checks credentials before it reads the body: a wrong key with a malformed body is 401', async () => {
    const res = await post('{"not json', { 'x-api-key': 'wrong' });
    expect(res.statusCode).toBe(401);
  });

  it('401 without credentials or with wrong ones; the admin bearer token is not a webhook credential', async () => {
    for (const headers of [
      {},
      { 'x-api-key': 'wrong' },
      { authorization: 'Bearer k-123456' },
      { authorization: `Basic ${Buffer.from('eventbridge:nope').toString('base64')}` },
    ]) {
      const r = await post(orderChange('111-0000000-0000001', 'n-unauth'), headers);
      expect(r.statusCode, JSON.stringify(headers)).toBe(401);
      expect(r.json().error).toContain('webhook credentials');
    }
    // Authentication comes before parsing: an unauthenticated caller learns nothing about what we accept.
    expect((await post('{oops', {})).statusCode).toBe(401);
    expect(await inbox.count()).toBe(0);
  });

  it('accepts an EventBridge ORDER_CHANGE with the API key: 202 after the inbox row and its order.sync job are committed', async () => {
    const r = await post(orderChange('111-0000000-0000002', 'n-2'));
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      accepted: true,
      duplicate: false,
      notificationId: 'n-2',
      notificationType: 'ORDER_CHANGE',
    });
    const rows = await inbox.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: WEBHOOK_SOURCE,
      kind: 'ORDER_CHANGE',
      subject: 'order:111-0000000-0000002',
      status: 'processed',
      connection_id: 'default',
    });
    const jobs = await orderJobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      key: orderSyncKey('111-0000000-0000002'),
      payload: { connectionId: 'default', amazonOrderId: '111-0000000-0000002' },
    });
  });

  it('accepts HTTP Basic as EventBridge API destinations send it (a password with a colon)', async () => {
    const r = await post(orderChange('111-0000000-0000003', 'n-3'), {
      authorization: `Basic ${Buffer.from('eventbridge:p@ss:word').toString('base64')}`,
    });
    expect(r.statusCode).toBe(202);
  });

  it('a repeated delivery answers 200 duplicate and queues nothing; another notification of the same order joins its pending job', async () => {
    const again = await post(orderChange('111-0000000-0000002', 'n-2'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ duplicate: true });
    // A later (or out-of-order) notification of the same order: a new inbox row, the same pending job.
    const older = await post(orderChange('111-0000000-0000002', 'n-2-older', 'Pending'));
    expect(older.statusCode).toBe(202);
    const jobs = (await orderJobs()).filter((j) => j.key === orderSyncKey('111-0000000-0000002'));
    expect(jobs).toHaveLength(1);
  });

  it('400 with a clear message for a body that is not a notification; nothing stored', async () => {
    const before = await inbox.count();
    for (const body of [
      '{oops',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify({ NotificationType: 'ORDER_CHANGE', Payload: { OrderChangeNotification: {} } }),
    ]) {
      const r = await post(body);
      expect(r.statusCode, body).toBe(400);
      expect(r.json(), body).toMatchObject({
        code: 'SB_AMZ_NOTIFICATION_INVALID',
        error: expect.stringMatching(/^not an SP-API notification: /),
      });
    }
    expect(await inbox.count()).toBe(before);
  });

  it('413 for a body over the limit', async () => {
    const big = orderChange('111-0000000-0000009', 'n-big') as Record<string, unknown>;
    big['padding'] = 'x'.repeat(settings.bodyLimitBytes);
    expect((await post(big)).statusCode).toBe(413);
  });

  // The SQLite queue's own table shows the priority; pg-boss keeps it in its schema.
  it.skipIf(kind !== 'sqlite')('order work goes before bulk work: the job carries the order priority', async () => {
    const [job] = await orderJobs();
    const row = await store.db
      .withTables<{ jobs: { id: string; priority: number } }>()
      .selectFrom('jobs')
      .select('priority')
      .where('id', '=', job!.id)
      .executeTakeFirstOrThrow();
    expect(Number(row.priority)).toBe(ORDER_WORK_PRIORITY);
  });

  it('a webhook without configured credentials is closed (401 naming the setting)', async () => {
    const closed = Fastify();
    registerWebhookRoutes(closed, { inbox, connectionId: 'default', settings: { bodyLimitBytes: 4096 } });
    const r = await closed.inject({
      method: 'POST',
      url: '/webhooks/amazon',
      headers: { 'content-type': 'application/json', 'x-api-key': '' },
      payload: '{}',
    });
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toContain('orders.webhook.apiKey');
    await closed.close();
  });
});
