import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderDispatchingInbox } from '../../../src/bootstrap/intake.ts';
import {
  countFirstSightings,
  firstSighting,
  firstSightingOf,
  lastSightingAt,
  storeOrderSightings,
} from '../../../src/connectors/store/order-sightings.ts';
import { orderToSageTimes } from '../../../src/connectors/store/order-links.ts';
import type { OrderSightings } from '../../../src/core/ports/order-sightings.ts';
import { createInbox, type Inbox } from '../../../src/runtime/inbox/inbox.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, pgAvailable } from '../../helpers/queue-env.ts';

/**
 * Which intake saw an order first (issue 15), on both store dialects: a notification's sighting is its ORDER_CHANGE
 * inbox row (the intake writes no `order_sightings` row any more), so a pushed order polled later is not counted as
 * first seen by polling, one polled first is, and `push` rows written before the change still answer.
 */
const pg = await pgAvailable();
const START = new Date('2026-12-01T12:00:00Z');
let now = START;
const clock = { now: () => now };
const tick = () => (now = new Date(now.getTime() + 60_000));

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !pg)(`order sightings on ${dialect}`, () => {
    let store: Store;
    let inbox: Inbox;
    let sightings: OrderSightings;
    const push = (id: string, conn = 'c1') =>
      inbox.accept({
        source: 'amazon-sqs',
        dedupeKey: `n-${conn}-${id}-${now.getTime()}`,
        kind: 'ORDER_CHANGE',
        subject: `order:${id}`,
        payload: '{}',
        connectionId: conn,
      });
    beforeAll(async () => {
      now = START;
      store = await freshStore(dialect, `order-sightings-${dialect}`);
      inbox = orderDispatchingInbox(createInbox(store, clock), await makeQueue(store), 'c1', clock);
      sightings = storeOrderSightings(store, clock);
    });
    afterAll(() => store?.close());

    it('writes no sighting at intake; a pushed order polled later is not first seen by polling, one polled first is', async () => {
      await push('PUSHED');
      await push('PUSHED'); // a second notification of the same order
      const rows = await store.db
        .selectFrom('order_sightings' as never)
        .selectAll()
        .execute();
      expect(rows).toEqual([]);
      tick();
      expect(await sightings.notePolled('c1', ['PUSHED', 'POLLED', 'POLLED'])).toEqual(['POLLED']);
      // Polled again, and announced after the poll: counted once, and still polling's.
      tick();
      await push('POLLED');
      expect(await sightings.notePolled('c1', ['PUSHED', 'POLLED'])).toEqual([]);
      expect(await firstSightingOf(store, 'c1', 'PUSHED')).toBe('push');
      expect(await firstSightingOf(store, 'c1', 'POLLED')).toBe('poll');
      expect(await firstSightingOf(store, 'c1', 'NEVER')).toBeUndefined();
      // Another connection's notification is not this connection's sighting.
      await push('OTHER', 'c2');
      expect(await sightings.notePolled('c1', ['OTHER'])).toEqual(['OTHER']);
      expect(await firstSightingOf(store, 'c2', 'OTHER')).toBe('push');
      expect(await firstSightingOf(store, 'c1', 'OTHER')).toBe('poll');
      expect(await firstSighting(store.db, 'PUSHED')).toEqual({ source: 'push', at: '2026-12-01T12:00:00.000Z' });
    });

    it('reads push rows written before the change, counts first sightings per source and the latest one', async () => {
      await store.db
        .insertInto('order_sightings' as never)
        .values({
          connection_id: 'c1',
          amazon_order_id: 'LEGACY',
          first_source: 'push',
          first_seen_at: now.toISOString(),
        } as never)
        .execute();
      tick();
      await push('LEGACY'); // its later notification is not a second push sighting
      expect(await sightings.notePolled('c1', ['LEGACY'])).toEqual([]);
      expect(await firstSightingOf(store, 'c1', 'LEGACY')).toBe('push');
      const counts = Object.fromEntries(
        (await countFirstSightings(store, '2026-12-01T00:00:00.000Z')).map((r) => [r.source, r.n]),
      );
      // push: PUSHED, LEGACY (its row) and OTHER on c2; poll: POLLED and OTHER on c1.
      expect(counts).toEqual({ push: 3, poll: 2 });
      expect(await countFirstSightings(store, '2026-12-02T00:00:00.000Z')).toEqual([]);
      expect(await lastSightingAt(store, 'c1')).toBe(now.toISOString());
      expect(await lastSightingAt(store, 'nobody')).toBeNull();
    });

    it('times an order to Sage from its first sighting: the notification, the poll, else the link', async () => {
      const links = store.db.withTables<{ order_links: Record<string, string | null> }>();
      const later = '2026-12-01T13:00:00.000Z';
      for (const id of ['PUSHED', 'POLLED', 'UNSEEN'])
        await links
          .insertInto('order_links')
          .values({
            connection_id: 'c1',
            amazon_order_id: id,
            state: 'created',
            tran_no: null,
            sales_order_key: null,
            marketplace_id: null,
            last_error: null,
            created_at: later,
            updated_at: later,
            sage_created_at: `2026-12-01T14:00:00.000Z`,
          })
          .execute();
      const times = await orderToSageTimes(store, '2026-12-01T00:00:00.000Z', 10, 'c1');
      expect(times.map((t) => t.firstSeenAt).sort()).toEqual([
        '2026-12-01T12:00:00.000Z', // PUSHED: its first notification
        '2026-12-01T12:01:00.000Z', // POLLED: the poll, before its notification
        later, // UNSEEN: the link's creation
      ]);
    });
  });
}
