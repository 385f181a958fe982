import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { createScheduler } from '../../../src/runtime/scheduler.ts';

describe('scheduler', () => {
  it('enqueues each schedule with its key, de-duplicated, on tick', async () => {
    const calls: unknown[] = [];
    const queue = {
      enqueue: async (q: string, p: unknown, o?: unknown) => {
        calls.push([q, p, o]);
        return { id: '1', deduplicated: false };
      },
    };
    const s = createScheduler({ queue, logger: createLogger({ level: 'silent' }) });
    s.add({
      name: 'shipment.poll',
      queue: 'shipment.poll',
      key: 'shipment.poll:c1',
      payload: { connectionId: 'c1' },
      everyMs: 1000,
      priority: 5,
    });
    await s.tick();
    expect(calls).toEqual([
      ['shipment.poll', { connectionId: 'c1' }, { key: 'shipment.poll:c1', dedupe: true, priority: 5 }],
    ]);
  });

  it('skips a tick while `when` says no, enqueues once it says yes (or fails to answer)', async () => {
    const calls: string[] = [];
    const queue = {
      enqueue: async (q: string) => {
        calls.push(q);
        return { id: '1', deduplicated: false };
      },
    };
    let on: boolean | Error = false;
    const s = createScheduler({ queue, logger: createLogger({ level: 'silent' }) });
    s.add({
      name: 'fba',
      queue: 'fba-returns.poll',
      key: 'k',
      payload: {},
      everyMs: 1000,
      when: async () => {
        if (on instanceof Error) throw on;
        return on;
      },
    });
    await s.tick();
    expect(calls).toEqual([]);
    on = true;
    await s.tick();
    on = new Error('store down');
    await s.tick();
    expect(calls).toEqual(['fba-returns.poll', 'fba-returns.poll']);
  });

  it('keeps ticking after an enqueue failure and rejects a non-positive period', async () => {
    let n = 0;
    const queue = {
      enqueue: async () => {
        n++;
        throw new Error('store down');
      },
    };
    const s = createScheduler({ queue, logger: createLogger({ level: 'silent' }) });
    s.add({ name: 'x', queue: 'x', key: 'x', payload: {}, everyMs: 10 });
    await s.tick();
    await s.tick();
    expect(n).toBe(2);
    expect(() => s.add({ name: 'y', queue: 'y', key: 'y', payload: {}, everyMs: 0 })).toThrow(/everyMs/);
  });
});
