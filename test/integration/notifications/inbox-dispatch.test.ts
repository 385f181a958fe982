import { afterAll, describe, expect, it } from 'vitest';
import { sql, type SqlBool } from 'kysely';
import {
  notificationDispatchingInbox,
  ORDER_CHANGE,
  orderDispatchingInbox,
  type NotificationHandler,
} from '../../../src/bootstrap/intake.ts';
import { orderSyncJobOptions } from '../../../src/bootstrap/orders.ts';
import { ORDER_SYNC_QUEUE } from '../../../src/flows/index.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createInbox, type Inbox, type InboxEntry } from '../../../src/runtime/inbox/inbox.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, pgAvailable, waitUntil, type StoreKind } from '../../helpers/queue-env.ts';

/**
 * The dispatching inbox (bootstrap/intake.ts) over the store's inbox, on SQLite and PostgreSQL when available (issue
 * 15): a handler's work runs in the transaction that then inserts the row already processed with its outcome; a
 * duplicate inserts nothing and keeps nothing of its handler's work; rejected and unhandled entries are kept as
 * before. The handler here queues a job that is never de-duplicated, so a duplicate's work left behind would show.
 */
const pg = await pgAvailable();
const KINDS: StoreKind[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];
const stores: Store[] = [];
const queues: JobQueue[] = [];
afterAll(async () => {
  for (const q of queues) await q.stop({ graceMs: 0 });
  for (const s of stores) await s.close();
});

const QUEUE = 'test.notified';
const entry = (dedupeKey: string, kind = 'TEST_CHANGE', payload: unknown = { n: dedupeKey }): InboxEntry => ({
  source: 'amazon-sqs',
  dedupeKey,
  kind,
  subject: `thing:${dedupeKey}`,
  payload: JSON.stringify(payload),
  connectionId: 'c1',
});

describe.each(KINDS)('the dispatching inbox on %s', (kind) => {
  async function setup(
    name: string,
    apply?: NotificationHandler['apply'],
  ): Promise<{
    queue: JobQueue;
    inbox: Inbox;
    dispatching: Inbox;
    jobs: () => Promise<number>;
  }> {
    const store = await freshStore(kind, `inbox-dispatch-${name}`);
    stores.push(store);
    const queue = await makeQueue(store);
    queues.push(queue);
    const inbox = createInbox(store, systemClock);
    const handler: NotificationHandler = {
      parse: (document) => {
        if ((document as { bad?: boolean }).bad)
          throw new SellbridgeError('SB_AMZ_NOTIFICATION_INVALID', 'bad document', {});
        return document;
      },
      apply:
        apply ??
        (async ({ tx, entry: e }) => {
          await queue.enqueue(QUEUE, { subject: e.subject }, { tx });
          return (e.payload.includes('ignore') ? 'ignored' : 'handled') as 'handled' | 'ignored';
        }),
    };
    const dispatching = notificationDispatchingInbox(inbox, { TEST_CHANGE: handler }, 'c1');
    const jobs = async () => (await queue.listJobs({ queue: QUEUE, limit: 100 })).length;
    return { queue, inbox, dispatching, jobs };
  }

  it('inserts a handled entry processed with its outcome and its work; a duplicate keeps nothing of its work', async () => {
    const { inbox, dispatching, jobs } = await setup('handled');
    const first = await dispatching.accept(entry('n-1'));
    expect(first).toMatchObject({ duplicate: false, id: expect.any(String) });
    expect(await jobs()).toBe(1);
    const [row] = await inbox.list();
    expect(row).toMatchObject({ id: first.id, status: 'processed', outcome: 'handled', connection_id: 'c1' });
    expect(Date.parse(row!.processed_at!)).toBeGreaterThanOrEqual(Date.parse(row!.received_at));

    expect(await dispatching.accept(entry('n-1'))).toEqual({ id: undefined, duplicate: true });
    expect(await jobs()).toBe(1); // the duplicate's job was rolled back with its transaction
    expect(await inbox.count()).toBe(1);

    expect(await dispatching.accept(entry('n-2', 'TEST_CHANGE', { ignore: true }))).toMatchObject({ duplicate: false });
    expect((await inbox.list()).map((r) => r.outcome)).toEqual(['handled', 'ignored']);
  });

  it('keeps concurrent copies of one notification once, with one job', async () => {
    const { inbox, dispatching, jobs } = await setup('concurrent');
    const results = await Promise.all(Array.from({ length: 4 }, () => dispatching.accept(entry('n-same'))));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await jobs()).toBe(1);
    expect(await inbox.count('processed')).toBe(1);
  });

  it('keeps unhandled kinds processed as unhandled and rejected documents rejected; a failed handler keeps nothing', async () => {
    let fail = true;
    const ctx = await setup('kept', async ({ tx, entry: e }) => {
      await ctx.queue.enqueue(QUEUE, { subject: e.subject }, { tx });
      if (fail) throw new Error('handler failed');
      return 'handled';
    });
    const { inbox, dispatching, jobs } = ctx;
    expect(await dispatching.accept(entry('u-1', 'OTHER_KIND'))).toMatchObject({ duplicate: false });
    expect(await dispatching.accept(entry('u-1', 'OTHER_KIND'))).toMatchObject({ duplicate: true });
    expect(await dispatching.accept(entry('r-1', 'TEST_CHANGE', { bad: true }))).toMatchObject({ duplicate: false });
    expect(
      (await inbox.list()).map((r) => ({ kind: r.kind, status: r.status, outcome: r.outcome, error: r.error })),
    ).toEqual([
      { kind: 'OTHER_KIND', status: 'processed', outcome: 'unhandled', error: null },
      { kind: 'TEST_CHANGE', status: 'rejected', outcome: null, error: 'SB_AMZ_NOTIFICATION_INVALID: bad document' },
    ]);
    // The source is not acknowledged and delivers it again: nothing of the failed attempt was kept.
    await expect(dispatching.accept(entry('f-1'))).rejects.toThrow('handler failed');
    expect(await inbox.count()).toBe(2);
    expect(await jobs()).toBe(0);
    fail = false;
    expect(await dispatching.accept(entry('f-1'))).toMatchObject({ duplicate: false });
    expect(await jobs()).toBe(1);
    expect(await inbox.count('processed')).toBe(2);
  });
});

/**
 * ORDER_CHANGE through the dispatching inbox as `sellbridge run` wires it (issue 15): on SQLite the order.sync job is
 * queued guarded by the inbox row and the row inserted after it, without a transaction (two statements); on
 * PostgreSQL in the row's transaction. Either way a notification queues its order once, a duplicate queues nothing
 * (not even after the first job ran), and a job queued by a delivery that died before its row was written is joined
 * by the redelivery.
 */
describe.each(KINDS)('ORDER_CHANGE intake on %s', (kind) => {
  const change = (dedupeKey: string, orderId: string): InboxEntry => ({
    source: 'amazon-sqs',
    dedupeKey,
    kind: ORDER_CHANGE,
    subject: `order:${orderId}`,
    payload: JSON.stringify({
      NotificationType: ORDER_CHANGE,
      Payload: { OrderChangeNotification: { AmazonOrderId: orderId } },
    }),
    connectionId: 'c1',
  });

  it('queues the order once per notification; duplicates, concurrent copies and redeliveries add nothing', async () => {
    const store = await freshStore(kind, `order-intake-${kind}`);
    stores.push(store);
    const queue = await makeQueue(store);
    queues.push(queue);
    const inbox = createInbox(store, systemClock);
    const dispatching = orderDispatchingInbox(inbox, queue, 'c1');
    const syncJobs = async () =>
      (await queue.listJobs({ queue: ORDER_SYNC_QUEUE, limit: 100 })).map((j) => `${j.key} ${j.state}`).sort();
    // The path under test: guarded where the queue can (SQLite), transactional where not (pg-boss).
    expect(queue.enqueueIf !== undefined).toBe(kind === 'sqlite');

    expect(await dispatching.accept(change('n-1', 'A-1'))).toMatchObject({ duplicate: false });
    expect(await dispatching.accept(change('n-1', 'A-1'))).toEqual({ id: undefined, duplicate: true });
    const copies = await Promise.all(Array.from({ length: 4 }, () => dispatching.accept(change('n-2', 'A-2'))));
    expect(copies.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await syncJobs()).toEqual(['order.sync:A-1 pending', 'order.sync:A-2 pending']);
    expect((await inbox.list()).map((r) => [r.dedupe_key, r.status, r.outcome])).toEqual([
      ['n-1', 'processed', 'handled'],
      ['n-2', 'processed', 'handled'],
    ]);

    // After the jobs ran, a duplicate still queues nothing (its row is there: the guard, or the rolled-back insert).
    const runs: unknown[] = [];
    queue.register(ORDER_SYNC_QUEUE, async (p) => void runs.push(p));
    await queue.start();
    await waitUntil(async () => (await syncJobs()).every((j) => j.endsWith('completed')), 10_000, 'both jobs');
    expect(await dispatching.accept(change('n-1', 'A-1'))).toMatchObject({ duplicate: true });
    expect(await syncJobs()).toEqual(['order.sync:A-1 completed', 'order.sync:A-2 completed']);
    expect(runs).toHaveLength(2);

    if (queue.enqueueIf) {
      // A delivery that died between its job and its row: the job is there, the row not; the source delivers again.
      await queue.stop({ graceMs: 0 });
      const guard = sql<SqlBool>`NOT EXISTS (SELECT 1 FROM inbox WHERE source = 'amazon-sqs' AND dedupe_key = 'n-3')`;
      expect(
        await queue.enqueueIf(
          ORDER_SYNC_QUEUE,
          { connectionId: 'c1', amazonOrderId: 'A-3' },
          orderSyncJobOptions('A-3'),
          guard,
        ),
      ).toBe(true);
      expect(await dispatching.accept(change('n-3', 'A-3'))).toMatchObject({ duplicate: false });
      expect((await syncJobs()).filter((j) => j.includes('A-3'))).toEqual(['order.sync:A-3 pending']);
      expect(await inbox.count('processed')).toBe(3);
    }
  });
});
