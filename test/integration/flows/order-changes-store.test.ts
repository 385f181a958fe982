import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrderChanges, storeOrderChanges } from '../../../src/connectors/store/order-changes.ts';
import { storeOrderLinks } from '../../../src/connectors/store/order-links.ts';
import type { OrderChanges } from '../../../src/core/ports/order-changes.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, pgAvailable } from '../../helpers/queue-env.ts';

/**
 * `order_changes` (migration 0023) on both store dialects: the ship-by noted before creation, comparisons that replace
 * the differences and append the applied changes (stamped by the store's clock), the at-risk list joined with the
 * order's link state, and the gauges' counts.
 */
const pg = await pgAvailable();
const NOW = new Date('2026-12-01T12:00:00Z');
const clock = { now: () => NOW };
const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

/** An order's link row as order.sync leaves it in `state`, with the ship-by it carried, if any. */
function insertLink(store: Store, connectionId: string, id: string, state: string, shipBy: string | null = null) {
  return store.db
    .withTables<{ order_links: Record<string, string | null> }>()
    .insertInto('order_links')
    .values({
      connection_id: connectionId,
      amazon_order_id: id,
      state,
      tran_no: null,
      sales_order_key: null,
      marketplace_id: null,
      last_error: null,
      latest_ship_date: shipBy,
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
    })
    .execute();
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !pg)(`order_changes on ${dialect}`, () => {
    let store: Store;
    let changes: OrderChanges;
    beforeAll(async () => {
      store = await freshStore(dialect, `order-changes-${dialect}`);
      changes = storeOrderChanges(store, clock);
      for (const [id, state] of [
        ['A', 'created'],
        ['B', 'confirmed'],
        ['C', 'dead-lettered'],
      ] as const)
        await insertLink(store, 'c1', id, state);
    });
    afterAll(() => store?.close());

    it('keeps the ship-by, replaces the differences and appends the applied changes', async () => {
      const key = { connectionId: 'c1', amazonOrderId: 'A' };
      await changes.noteShipBy(key, at(2 * HOUR));
      await changes.noteShipBy({ connectionId: 'c1', amazonOrderId: 'B' }, at(-HOUR));
      await changes.noteShipBy({ connectionId: 'c1', amazonOrderId: 'C' }, at(-HOUR));
      await changes.recordComparison(key, {
        amazonUpdatedAt: 'v1',
        shipToDigest: 'd1',
        differences: [{ field: 'lines[1]', problem: 'quantity 2 in Sage (line 1), 3 at Amazon' }],
        applied: [{ kind: 'line-cancelled', lineNo: 2, amazonOrderItemId: '2', amazonUpdatedAt: 'v1' }],
      });
      const second = await changes.recordComparison(key, {
        amazonUpdatedAt: 'v2',
        differences: [],
        applied: [{ kind: 'ship-to-updated', amazonUpdatedAt: 'v2' }],
      });
      expect(second).toMatchObject({
        amazonUpdatedAt: 'v2',
        latestShipDate: at(2 * HOUR),
        shipToDigest: 'd1',
        differences: [],
      });
      expect(second.applied.map((a) => [a.kind, a.at])).toEqual([
        ['line-cancelled', NOW.toISOString()],
        ['ship-to-updated', NOW.toISOString()],
      ]);
      expect(await changes.get('c1', 'A')).toEqual(second);
    });

    it('lists the orders at risk (not shipped), late first, and counts them', async () => {
      const risk = await changes.atRisk({ now: NOW.toISOString(), before: at(3 * HOUR) });
      expect(risk.map((r) => [r.amazonOrderId, r.late])).toEqual([
        ['C', true],
        ['A', false],
      ]);
      expect(await countOrderChanges(store, { now: NOW.toISOString(), before: at(3 * HOUR) })).toEqual([
        { connectionId: 'c1', flagged: 0, lineCancelled: 1, shipToUpdated: 1, atRisk: 2, late: 1 },
      ]);
    });

    it('reads the ship-by order.sync carried on the link (issue 15): a comparison date first, then the link, then an older noted one', async () => {
      const link = (id: string, state: string, shipBy: string) => insertLink(store, 'c2', id, state, shipBy);
      await link('D', 'dead-lettered', at(-2 * HOUR)); // failed mapping: the link alone knows its ship-by
      await link('E', 'created', at(10 * HOUR)); // Amazon moved it since: the comparison's date wins
      await changes.recordComparison(
        { connectionId: 'c2', amazonOrderId: 'E' },
        {
          amazonUpdatedAt: 'v1',
          latestShipDate: at(HOUR),
          differences: [],
          applied: [],
        },
      );
      await link('F', 'reserved', at(2 * HOUR)); // an older Sellbridge noted an earlier date before mapping
      await changes.noteShipBy({ connectionId: 'c2', amazonOrderId: 'F' }, at(-5 * HOUR));
      await link('G', 'confirmed', at(-HOUR)); // shipped: not at risk
      const risk = await changes.atRisk({ now: NOW.toISOString(), before: at(3 * HOUR), connectionId: 'c2' });
      expect(risk.map((r) => [r.amazonOrderId, r.latestShipDate, r.late])).toEqual([
        ['D', at(-2 * HOUR), true],
        ['E', at(HOUR), false],
        ['F', at(2 * HOUR), false],
      ]);
      expect(
        (await countOrderChanges(store, { now: NOW.toISOString(), before: at(3 * HOUR) })).find(
          (c) => c.connectionId === 'c2',
        ),
      ).toEqual({ connectionId: 'c2', flagged: 0, lineCancelled: 0, shipToUpdated: 0, atRisk: 3, late: 1 });
    });

    it("answers a creation's version from its link (no order_changes row), until a comparison is recorded (issue 15; runs last: it adds an order)", async () => {
      const links = storeOrderLinks(store, clock, (n) => `T${n}`);
      const key = { connectionId: 'c1', amazonOrderId: 'D' };
      const reserved = await links.reserve(key, undefined, { latestShipDate: at(3 * HOUR) });
      await links.advance(key, reserved, 'created', {
        salesOrderKey: '77',
        createdFrom: { amazonUpdatedAt: at(-HOUR), shipToDigest: 'digest-1' },
      });
      const rows = store.db.withTables<{ order_changes: { amazon_order_id: string } }>();
      expect(
        await rows.selectFrom('order_changes').select('amazon_order_id').where('amazon_order_id', '=', 'D').execute(),
      ).toEqual([]);
      expect(await changes.get('c1', 'D')).toEqual({
        connectionId: 'c1',
        amazonOrderId: 'D',
        amazonUpdatedAt: at(-HOUR),
        latestShipDate: at(3 * HOUR),
        shipToDigest: 'digest-1',
        differences: [],
        applied: [],
        updatedAt: NOW.toISOString(),
      });
      // A later comparison is what get answers from then on (its version, ship-by and ship-to).
      const compared = await changes.recordComparison(key, {
        amazonUpdatedAt: at(0),
        latestShipDate: at(4 * HOUR),
        shipToDigest: 'digest-2',
        differences: [{ field: 'lines[0].quantity', problem: 'differs' }],
        applied: [],
      });
      expect(await changes.get('c1', 'D')).toEqual(compared);
      // A link without a creation recorded and no comparison has no revision.
      await links.reserve({ connectionId: 'c1', amazonOrderId: 'E' }, undefined, {});
      expect(await changes.get('c1', 'E')).toBeUndefined();
    });
  });
}
