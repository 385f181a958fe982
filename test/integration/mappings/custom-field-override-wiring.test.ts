import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerInventory, type InventoryWiringInput } from '../../../src/bootstrap/inventory.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { customFieldMapOf, INVENTORY_WATCH_QUEUE } from '../../../src/flows/inventory.ts';
import { adminEnv, type AdminEnv } from '../server/admin-env.ts';

/**
 * A custom-field map edited through the admin API (CSV import) replaces the configured one in the inventory flows'
 * settings at the next inventory job, without a restart; emptying it returns to inventory.customFieldMap.
 */
describe('custom-field override reaches the inventory flows', () => {
  let env: AdminEnv;
  beforeAll(async () => {
    env = await adminEnv();
  });
  afterAll(() => env.close());

  it('an inventory job after a CSV import sees the stored map', async () => {
    const handlers = new Map<string, (payload: unknown) => Promise<unknown>>();
    const { deps } = registerInventory({
      config: loadConfig({ env: {} }),
      store: env.store,
      clock: { now: () => new Date() },
      queue: {
        register: (name: string, h: (payload: unknown) => Promise<unknown>) => handlers.set(name, h),
        enqueue: async () => ({ id: '1', deduplicated: false }),
      },
      scheduler: { add: () => undefined },
      sage: { getStock: async () => [], getPrices: async () => [] },
      amazonConnector: () => {
        throw new Error('not used');
      },
    } as unknown as InventoryWiringInput);
    // The job itself may fail on the fakes; the stored map is read before it runs.
    const job = async () => handlers.get(INVENTORY_WATCH_QUEUE)!({ connectionId: 'default' }).catch(() => undefined);

    await job();
    expect(await customFieldMapOf('default', deps)).toEqual([]);

    const csv =
      'source,attribute,kind,required,maxLength,allowed\r\nUserFld2,color,enum,yes,,Red|Blue\r\nShortDesc,item_name,text,true,150,\r\n';
    const imp = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/custom-fields.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(imp.json()).toEqual({ imported: 2 });
    await job();
    expect(await customFieldMapOf('default', deps)).toEqual([
      { source: 'UserFld2', attribute: 'color', kind: 'enum', required: true, allowed: ['Red', 'Blue'] },
      { source: 'ShortDesc', attribute: 'item_name', kind: 'text', required: true, maxLength: 150 },
    ]);
    expect((await env.app.inject({ url: '/api/v1/mappings/custom-fields.csv', headers: env.as.viewer })).body).toBe(
      'source,attribute,kind,required,maxLength,allowed,unit,min,max\r\nUserFld2,color,enum,true,,Red|Blue,,,\r\nShortDesc,item_name,text,true,150,,,,\r\n',
    );

    const bad = await env.app.inject({
      method: 'POST',
      url: '/api/v1/mappings/custom-fields.csv',
      headers: { ...env.as.operator, 'content-type': 'text/csv' },
      payload: 'source,attribute,kind\r\nWeight,item_weight,weight\r\n',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues).toEqual([expect.objectContaining({ row: 2, field: 'unit' })]);

    await env.app.inject({
      method: 'PUT',
      url: '/api/v1/mappings/custom-fields',
      headers: env.as.operator,
      payload: { rows: [] },
    });
    await job();
    expect(await customFieldMapOf('default', deps)).toEqual([]);
  });
});
