import { describe, expect, it } from 'vitest';
import type { Order, OrderSummaryPage } from '../../../src/core/model/order.ts';
import type { OrderSearch } from '../../../src/core/ports/amazon-marketplace.ts';
import { ORDER_POLL_WATERMARK, pollOrders, type OrderPollDeps } from '../../../src/flows/poll-orders.ts';

const NOW = new Date('2026-11-27T12:00:00.000Z');

function setup(pages: OrderSummaryPage[], stored?: string) {
  const marks = new Map<string, string>(stored ? [[ORDER_POLL_WATERMARK, stored]] : []);
  const queries: OrderSearch[] = [];
  const enqueued: { queue: string; payload: unknown; key?: string }[] = [];
  const seen = new Set<string>();
  const deps: OrderPollDeps = {
    amazon: { searchOrders: async (q) => (queries.push(q), pages.shift() ?? { orders: [] }) },
    watermarks: { get: async (_c, n) => marks.get(n), set: async (_c, n, v) => void marks.set(n, v) },
    jobs: {
      enqueue: async (queue, payload, o) => (
        enqueued.push({ queue, payload, ...(o?.key ? { key: o.key } : {}) }),
        { id: String(enqueued.length), deduplicated: false }
      ),
    },
    sightings: { notePolled: async (_c, ids) => ids.filter((id) => !seen.has(id) && (seen.add(id), true)) },
    clock: { now: () => NOW },
    pollSettingsFor: () => ({ overlapMs: 600_000, initialLookbackMs: 86_400_000, pageSize: 100, maxPages: 5 }),
  };
  return { deps, marks, queries, enqueued };
}

const order = (id: string, lastUpdatedAt: string) => ({ id, lastUpdatedAt }) as unknown as Order;

describe('pollOrders (in-memory ports)', () => {
  it('starts the overlap before the stored cursor; the first poll looks back from now', async () => {
    const a = setup([{ orders: [], searchedBefore: '2026-11-27T11:58:00.000Z' }], '2026-11-27T11:00:00.000Z');
    await pollOrders({ connectionId: 'c' }, a.deps);
    expect(a.queries[0]).toMatchObject({ updatedAfter: '2026-11-27T10:50:00.000Z', pageSize: 100 });
    expect(a.marks.get(ORDER_POLL_WATERMARK)).toBe('2026-11-27T11:58:00.000Z');
    const b = setup([{ orders: [] }]);
    await pollOrders({ connectionId: 'c' }, b.deps);
    expect(b.queries[0]!.updatedAfter).toBe('2026-11-26T12:00:00.000Z');
    expect(b.marks.has(ORDER_POLL_WATERMARK)).toBe(false); // nothing read and no bound: the cursor does not move
  });

  it('never moves the cursor backwards', async () => {
    const f = setup(
      [{ orders: [order('1', '2026-11-27T09:00:00.000Z')], searchedBefore: '2026-11-27T09:30:00.000Z' }],
      '2026-11-27T10:00:00.000Z',
    );
    const out = await pollOrders({ connectionId: 'c' }, f.deps);
    expect(out.watermark).toBe('2026-11-27T10:00:00.000Z');
    expect(f.marks.get(ORDER_POLL_WATERMARK)).toBe('2026-11-27T10:00:00.000Z');
  });

  it('without a bound in the answer, the latest update among the orders read is the cursor (data, not the clock)', async () => {
    const f = setup([{ orders: [order('1', '2026-11-27T08:00:00.000Z'), order('2', '2026-11-27T08:30:00.000Z')] }]);
    const out = await pollOrders({ connectionId: 'c' }, f.deps);
    expect(out).toMatchObject({ orders: 2, firstSeenByPolling: 2, watermark: '2026-11-27T08:30:00.000Z' });
    expect(f.enqueued.map((j) => j.key)).toEqual(['order.sync:1', 'order.sync:2']);
  });

  it('a cursor that is not a timestamp is treated as absent (look-back), not a failure', async () => {
    const f = setup([{ orders: [] }], 'garbage');
    await pollOrders({ connectionId: 'c' }, f.deps);
    expect(f.queries[0]!.updatedAfter).toBe('2026-11-26T12:00:00.000Z');
  });

  it('rejects a payload without connectionId as SB_JOB_PAYLOAD_INVALID', async () => {
    const f = setup([]);
    await expect(pollOrders({}, f.deps)).rejects.toMatchObject({ code: 'SB_JOB_PAYLOAD_INVALID' });
  });
});
