import { afterAll, describe, expect, it } from 'vitest';
import { storeConnectionMappings } from '../../../src/connectors/store/connection-mappings.ts';
import { storeConnectionSyncEdits } from '../../../src/connectors/store/connection-sync-edits.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

/** The sync edit kinds in connection_mappings (migration 0028), on SQLite and PostgreSQL when available. */
const pg = await pgAvailable();
const KINDS: StoreKind[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

describe.each(KINDS)('sync edits in connection_mappings on %s', (kind) => {
  it('keeps each kind per connection with a version, apart from the order kinds', async () => {
    const store = await freshStore(kind, 'connection-sync-edits');
    stores.push(store);
    const sync = storeConnectionSyncEdits(store, systemClock);
    const order = storeConnectionMappings(store, systemClock);
    expect(await sync.edits('a')).toEqual({});

    await sync.replace('a', 'inventory', [{ warehouseIds: ['MAIN', 'EAST'], maxQuantity: 40 }], 'user:ada');
    await sync.replace('a', 'inventory', [{ warehouseIds: ['EAST'] }], 'user:bob');
    await sync.replace('a', 'settlement-gl', [{ currency: '*', bankAccount: '1051-00' }], 'user:ada');
    await sync.replace(
      'b',
      'price-sheets',
      [{ marketplaceId: 'ATVPDKIKX0DER', priceSheet: 'list', currency: 'USD', warehouseId: 'MAIN' }],
      'user:ada',
    );
    await order.replace('a', 'warehouses', [{ marketplaceId: '*', warehouseId: 'EAST' }], 'user:ada');

    expect(await sync.get('a', 'inventory')).toMatchObject({
      rows: [{ warehouseIds: ['EAST'] }],
      version: 2,
      updatedBy: 'user:bob',
    });
    expect(await sync.edits('a')).toEqual({
      inventory: [{ warehouseIds: ['EAST'] }],
      'settlement-gl': [{ currency: '*', bankAccount: '1051-00' }],
    });
    // The order overlay reads only its own kinds.
    expect(Object.keys(await order.edits('a'))).toEqual(['warehouses']);

    await sync.replace('a', 'inventory', [], 'user:ada');
    expect(Object.keys(await sync.edits('a'))).toEqual(['settlement-gl']);
    expect(Object.keys(await sync.edits('b'))).toEqual(['price-sheets']);
  });
});
