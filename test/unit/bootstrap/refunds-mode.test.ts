import { afterAll, describe, expect, it } from 'vitest';
import { returnModesOf } from '../../../src/bootstrap/order-policies.ts';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { storeConnectionMappings } from '../../../src/connectors/store/connection-mappings.ts';
import { REFUND_RECORD_QUEUE } from '../../../src/flows/record-refund.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

const REFUND = {
  amazonOrderId: '111-0000001-0000001',
  reference: 'ADJ-1',
  postedAt: '2026-12-01T00:00:00.000Z',
  lines: [{ amazonOrderItemId: 'OI-1', quantity: 1 }],
};

/** orders.refunds read at each settlement import (issue 21): an order-policies edit turns it on without a restart. */
describe('the refunds mode of a settlement import', () => {
  it('follows the connection order-policies edit, else orders.refunds', async () => {
    const store = await freshStore('sqlite', 'refunds-mode');
    stores.push(store);
    const config = loadConfig({ file: '/dev/null' });
    const queued: string[] = [];
    const deps = createSettlementDeps({
      store,
      clock: systemClock,
      sage: { postJournal: async () => ({}) as never },
      queue: { enqueue: async (q: string) => void queued.push(q) } as never,
      config: config.settlements,
      refunds: config.orders.refunds,
      refundsNow: returnModesOf(store, systemClock, 'default', config.orders).refunds,
    });
    expect(config.orders.refunds).toBe('off');
    // Off: an import is told not to keep refund rows at all (they grow with the file).
    expect(await deps.refundsWanted!('default')).toBe(false);
    await deps.onRefunds!('default', [REFUND]);
    expect(queued).toEqual([]);
    await storeConnectionMappings(store, systemClock).replace(
      'default',
      'order-policies',
      [{ refunds: 'customer-return' }],
      'test',
    );
    expect(await deps.refundsWanted!('default')).toBe(true);
    await deps.onRefunds!('default', [REFUND]);
    expect(queued).toEqual([REFUND_RECORD_QUEUE]);
  });
});
