import { describe, expect, it } from 'vitest';
import { connectionIdOfPayload, createQueueRouter } from '../../../src/bootstrap/connection-queue.ts';
import { routingInbox } from '../../../src/bootstrap/notification-routing.ts';
import type { Inbox, InboxEntry } from '../../../src/runtime/inbox/inbox.ts';
import type { EnqueueOptions, JobHandler, JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import { silentLogger } from '../../../src/observability/logger.ts';

/** An inbox that records what it was given. */
function recordingInbox(): Inbox & { entries: InboxEntry[] } {
  const entries: InboxEntry[] = [];
  return {
    entries,
    accept: async (entry) => {
      entries.push(entry);
      return { id: String(entries.length), duplicate: false };
    },
    acceptProcessed: async (entry) => {
      entries.push(entry);
      return { id: String(entries.length), duplicate: false };
    },
    acceptGuarded: async (entry) => {
      entries.push(entry);
      return { id: String(entries.length), duplicate: false };
    },
    markProcessed: async () => undefined,
    list: async () => [],
    count: async () => 0,
  };
}

const orderChange = (sellerId: string, marketplaceId: string): InboxEntry => ({
  source: 'amazon-sqs',
  dedupeKey: `${sellerId}-${marketplaceId}`,
  kind: 'ORDER_CHANGE',
  subject: 'order:1',
  payload: JSON.stringify({
    Payload: { OrderChangeNotification: { SellerId: sellerId, Summary: { MarketplaceId: marketplaceId } } },
  }),
});

describe('routing one queue to several connections (issue 21)', () => {
  it('by SellerId, then marketplace; an unclaimed notification is kept rejected with the reason', async () => {
    const base = recordingInbox();
    const us = recordingInbox();
    const ca = recordingInbox();
    const eu = recordingInbox();
    const inbox = routingInbox(base, () => [
      { id: 'us', sellerId: 'S1', marketplaceIds: ['US'], inbox: us },
      { id: 'ca', sellerId: 'S1', marketplaceIds: ['CA'], inbox: ca },
      { id: 'eu', sellerId: 'S2', marketplaceIds: ['DE'], inbox: eu },
    ]);
    await inbox.accept(orderChange('S1', 'CA'));
    await inbox.accept(orderChange('S1', 'US'));
    await inbox.accept(orderChange('S2', 'DE'));
    await inbox.accept(orderChange('S9', 'US'));
    expect(ca.entries.map((e) => e.connectionId)).toEqual(['ca']);
    expect(us.entries.map((e) => e.connectionId)).toEqual(['us']);
    expect(eu.entries.map((e) => e.connectionId)).toEqual(['eu']);
    expect(base.entries).toHaveLength(1);
    expect(base.entries[0]).toMatchObject({ status: 'rejected', connectionId: null });
    expect(base.entries[0]!.error).toContain('SellerId S9');
  });

  it('one connection on the queue takes everything, as before', async () => {
    const only = recordingInbox();
    await routingInbox(recordingInbox(), () => [
      { id: 'default', sellerId: undefined, marketplaceIds: [], inbox: only },
    ]).accept(orderChange('S1', 'US'));
    expect(only.entries.map((e) => e.connectionId)).toEqual(['default']);
  });
});

describe('the shared job queue (issue 21)', () => {
  function fakeQueue() {
    const handlers = new Map<string, JobHandler>();
    const enqueued: { queue: string; payload: unknown; options: EnqueueOptions | undefined }[] = [];
    const queue = {
      engine: 'sqlite',
      enqueue: async (q: string, payload: unknown, options?: EnqueueOptions) => {
        enqueued.push({ queue: q, payload, options });
        return { id: String(enqueued.length), deduplicated: false };
      },
      register: (q: string, h: JobHandler) => void handlers.set(q, h),
    } as unknown as JobQueue;
    return { queue, handlers, enqueued };
  }
  const ctx = {
    id: '1',
    queue: 'order.sync',
    key: 'k',
    attempt: 1,
    maxAttempts: 3,
    signal: new AbortController().signal,
  };

  it('dispatches by payload.connectionId (none = default); a paused connection waits with the reason', async () => {
    const { queue, handlers, enqueued } = fakeQueue();
    const paused = new Set<string>();
    const router = createQueueRouter(
      queue,
      (id) => (paused.has(id) ? { runs: false, reason: `connection ${id} is paused: month end` } : { runs: true }),
      silentLogger(),
    );
    const ran: string[] = [];
    router.scoped('default').register('order.sync', async () => ran.push('default'));
    router.scoped('de').register('order.sync', async () => ran.push('de'));
    expect(handlers.size).toBe(1);
    const dispatch = handlers.get('order.sync')!;
    await dispatch({ amazonOrderId: 'A' }, ctx);
    await dispatch({ amazonOrderId: 'B', connectionId: 'de' }, ctx);
    expect(ran).toEqual(['default', 'de']);
    paused.add('de');
    await expect(dispatch({ connectionId: 'de' }, ctx)).rejects.toMatchObject({
      code: 'SB_CONNECTION_WAITING',
      message: expect.stringContaining('month end'),
    });
    await expect(dispatch({ connectionId: 'gone' }, ctx)).rejects.toMatchObject({ code: 'SB_CONNECTION_WAITING' });
    // Keys and payloads: default's as before; another connection's carry its id.
    await router.scoped('default').enqueue('order.sync', { amazonOrderId: 'A' }, { key: 'order.sync:A' });
    await router.scoped('de').enqueue('order.sync', { amazonOrderId: 'B' }, { key: 'order.sync:B' });
    expect(enqueued.map((e) => [e.options?.key, connectionIdOfPayload(e.payload)])).toEqual([
      ['order.sync:A', 'default'],
      ['de/order.sync:B', 'de'],
    ]);
  });
});
