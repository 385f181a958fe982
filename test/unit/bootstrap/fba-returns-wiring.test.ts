import { afterAll, describe, expect, it } from 'vitest';
import { registerFbaReturns } from '../../../src/bootstrap/fba-returns.ts';
import { loadConfig } from '../../../src/config/load.ts';
import {
  FBA_RETURN_RECORD_QUEUE,
  FBA_RETURNS_IMPORT_QUEUE,
  FBA_RETURNS_POLL_QUEUE,
} from '../../../src/flows/fba-returns.ts';
import { storeConnectionMappings } from '../../../src/connectors/store/connection-mappings.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';

const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

async function wire(overrides: { path: string; value: unknown }[]) {
  const store = await freshStore('sqlite', 'fba-returns-wiring');
  stores.push(store);
  const handlers: string[] = [];
  const run = new Map<string, (payload: unknown) => Promise<unknown>>();
  const schedules: { queue: string; everyMs: number; key: string }[] = [];
  const info: string[] = [];
  registerFbaReturns({
    config: loadConfig({ file: '/dev/null', overrides: overrides as never }),
    store,
    clock: systemClock,
    logger: { info: (_o: object, m: string) => void info.push(m) } as never,
    queue: {
      register: (q: string, h: (payload: unknown) => Promise<unknown>) => {
        handlers.push(q);
        run.set(q, h);
      },
    } as never,
    scheduler: { add: (s: { queue: string; everyMs: number; key: string }) => void schedules.push(s) } as never,
    amazon: {} as never,
    amazonConnector: (() => ({})) as never,
    sage: {} as never,
  });
  return { handlers, schedules, info, run, store };
}

describe('registerFbaReturns', () => {
  it('while orders.fbaReturns is off (the default) the poll is scheduled but asks Amazon for nothing until an order-policies edit turns it on', async () => {
    const w = await wire([{ path: 'amazon.refreshToken', value: 'Atzr|x' }]);
    expect(w.handlers).toEqual([FBA_RETURNS_POLL_QUEUE, FBA_RETURNS_IMPORT_QUEUE, FBA_RETURN_RECORD_QUEUE]);
    expect(w.schedules).toMatchObject([{ queue: FBA_RETURNS_POLL_QUEUE, key: 'fba-returns.poll:default' }]);
    expect(w.info).toEqual([]);
    const poll = w.run.get(FBA_RETURNS_POLL_QUEUE)!;
    expect(await poll({ connectionId: 'default' })).toEqual({ kind: 'off' });
    await storeConnectionMappings(w.store, systemClock).replace(
      'default',
      'order-policies',
      [{ fbaReturns: 'customer-return' }],
      'test',
    );
    // Now it goes to Amazon for the report (this wiring has no SP-API client, so the call fails).
    await expect(poll({ connectionId: 'default' })).rejects.toThrow();
  });

  it('with customer-return and credentials: the three handlers and the poll every orders.fbaReturnsEveryMs', async () => {
    const w = await wire([
      { path: 'amazon.refreshToken', value: 'Atzr|x' },
      { path: 'orders.fbaReturns', value: 'customer-return' },
      { path: 'orders.fbaReturnsEveryMs', value: '600000' },
    ]);
    expect(w.handlers).toEqual([FBA_RETURNS_POLL_QUEUE, FBA_RETURNS_IMPORT_QUEUE, FBA_RETURN_RECORD_QUEUE]);
    expect(w.schedules).toMatchObject([
      { queue: FBA_RETURNS_POLL_QUEUE, everyMs: 600_000, key: 'fba-returns.poll:default' },
    ]);
  });

  it('without Amazon credentials it says so and schedules nothing', async () => {
    const w = await wire([{ path: 'orders.fbaReturns', value: 'customer-return' }]);
    expect(w.schedules).toEqual([]);
    expect(w.info[0]).toMatch(/refreshToken/);
  });
});
