import { afterAll, describe, expect, it } from 'vitest';
import { notificationDispatchingInbox, type NotificationHandler } from '../../../src/bootstrap/intake.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createInbox, type Inbox, type InboxEntry } from '../../../src/runtime/inbox/inbox.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

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
