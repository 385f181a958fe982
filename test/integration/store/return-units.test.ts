import { afterAll, describe, expect, it } from 'vitest';
import { storeReturnUnits } from '../../../src/connectors/store/return-units.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

/** The ledger of goods coming back (migration 0024-customer-return-units), on SQLite and PostgreSQL when available. */
const pg = await pgAvailable();
const KINDS: StoreKind[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe.each(KINDS)('customer_return_units on %s', (kind) => {
  it('decides once per source line and item, counts refunds and returns of one item as the same goods, and answers the first decision again', async () => {
    const store = await freshStore(kind, 'return-units');
    stores.push(store);
    const units = storeReturnUnits(store, systemClock);
    const key = (source: 'refund' | 'fba-return', sourceKey: string) => ({
      connectionId: 'c',
      amazonOrderId: '111-1',
      source,
      sourceKey,
      tranNo: `T-${sourceKey}`.slice(0, 10),
    });
    expect(await units.decide(key('fba-return', 'LPN:A'), [{ amazonOrderItemId: 'OI1', quantity: 2 }])).toEqual([
      { amazonOrderItemId: 'OI1', enter: 2 },
    ]);
    // The refund of both items: OI1's two units are back already, OI2's one is not.
    expect(
      await units.decide(key('refund', 'ADJ1'), [
        { amazonOrderItemId: 'OI1', quantity: 2 },
        { amazonOrderItemId: 'OI2', quantity: 1 },
      ]),
    ).toEqual([
      { amazonOrderItemId: 'OI1', enter: 0 },
      { amazonOrderItemId: 'OI2', enter: 1 },
    ]);
    // Asked again (a re-run after a crash): the same answers, nothing added.
    expect(await units.decide(key('fba-return', 'LPN:A'), [{ amazonOrderItemId: 'OI1', quantity: 2 }])).toEqual([
      { amazonOrderItemId: 'OI1', enter: 2 },
    ]);
    expect(
      await units.decide(key('refund', 'ADJ1'), [
        { amazonOrderItemId: 'OI1', quantity: 2 },
        { amazonOrderItemId: 'OI2', quantity: 1 },
      ]),
    ).toEqual([
      { amazonOrderItemId: 'OI1', enter: 0 },
      { amazonOrderItemId: 'OI2', enter: 1 },
    ]);
    const rows = await store.db
      .withTables<{ customer_return_units: { amazon_order_item_id: string; seq: number } }>()
      .selectFrom('customer_return_units')
      .select(['amazon_order_item_id', 'seq'])
      .orderBy('amazon_order_item_id')
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => [r.amazon_order_item_id, Number(r.seq)])).toEqual([
      ['OI1', 1],
      ['OI1', 2],
      ['OI2', 1],
    ]);
  });
});
