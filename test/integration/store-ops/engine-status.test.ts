import { afterAll, describe, expect, it } from 'vitest';
import {
  createEngineStatusRecorder,
  createEngineStatusSink,
  failureLabel,
  readEngineStatus,
  readThroughput,
} from '../../../src/connectors/store/engine-status.ts';
import { orderToSageTimes, storeOrderLinks } from '../../../src/connectors/store/order-links.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { dropSchemas, freshStore, type StoreKind } from '../../helpers/queue-env.ts';

/**
 * engine_status / engine_throughput (migration 0026) and order_links.sage_created_at: what a worker records so that
 * any process can show it, on SQLite and PostgreSQL.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('engine status in the store (%s)', (kind) => {
  const stores: Store[] = [];
  const open = async (name: string) => {
    const s = await freshStore(kind, `engine-status-${kind}-${name}`);
    stores.push(s);
    return s;
  };
  afterAll(async () => {
    for (const s of stores) {
      const schema = s.schema;
      await s.close();
      if (kind === 'postgres') await dropSchemas(schema);
    }
  });

  it('writes at most once per flush period per target, newest call times win across workers, state changes at once', async () => {
    const store = await open('recorder');
    let now = Date.parse('2026-12-07T10:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const a = createEngineStatusRecorder({ store, clock, connectionId: 'us', flushMs: 60_000 });
    const b = createEngineStatusRecorder({ store, clock, connectionId: 'us', flushMs: 60_000 });
    for (let i = 0; i < 100; i++) a.outcome('sage500', true);
    // Nothing written yet: the first write waits for the flush period (not one write per call).
    expect(await readEngineStatus(store)).toEqual([]);
    await a.flush();
    expect(await readEngineStatus(store)).toEqual([
      expect.objectContaining({
        connectionId: 'us',
        target: 'sage500',
        circuitState: 'closed',
        lastOkAt: '2026-12-07T10:00:00.000Z',
      }),
    ]);

    // Another worker with an older success and a newer outage: the newest of each wins.
    now += 5_000;
    b.outcome('sage500', false, failureLabel(Object.assign(new Error('x'), { code: 'SB_SAGE_UNAVAILABLE' })));
    await b.flush();
    let row = (await readEngineStatus(store))[0]!;
    expect(row.lastOkAt).toBe('2026-12-07T10:00:00.000Z');
    expect(row.lastFailureAt).toBe('2026-12-07T10:00:05.000Z');
    expect(row.lastFailure).toBe('SB_SAGE_UNAVAILABLE');

    // A circuit opening is written without waiting for the period.
    b.circuit('sage500', 'open');
    await expect
      .poll(async () => (await readEngineStatus(store))[0]!.circuitState, { timeout: 5_000, interval: 20 })
      .toBe('open');
    now -= 60_000; // a worker whose last call is older than the recorded one does not move the time back
    a.outcome('sage500', true);
    await a.flush();
    row = (await readEngineStatus(store))[0]!;
    expect(row.lastOkAt).toBe('2026-12-07T10:00:00.000Z');
    await a.close();
    await b.close();
  });

  it("one sink writes every connection's rows and minutes in a few statements, however many connections", async () => {
    const store = await open('sink');
    const clock = { now: () => new Date('2026-12-07T10:00:30.000Z') };
    const sink = createEngineStatusSink({ store, clock, flushMs: 60_000 });
    const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
    for (const id of ids) {
      const view = sink.connection(id);
      view.outcome('sage500', true);
      view.outcome('amazon.orders', true);
      view.jobFinished(true);
      sink.jobFinished(false, id);
    }
    const before = store.statements();
    await sink.flush();
    // Status: one upsert of 100 rows; minutes: a transaction of two upserts (BEGIN and COMMIT counted), and this
    // first flush prunes minutes past a day (two deletes). A writer per connection took 100 upserts and 50
    // transactions of two.
    expect(store.statements() - before).toBeLessThanOrEqual(7);
    const rows = await readEngineStatus(store);
    expect(rows).toHaveLength(100);
    expect(new Set(rows.map((r) => r.connectionId))).toEqual(new Set(ids));
    expect(await readThroughput(store, '2026-12-07T10:00:00.000Z', 'c7')).toEqual([
      { minute: '2026-12-07T10:00:00.000Z', completed: 1, failed: 1 },
    ]);
    expect(await readThroughput(store, '2026-12-07T10:00:00.000Z')).toEqual([
      { minute: '2026-12-07T10:00:00.000Z', completed: 50, failed: 50 },
    ]);
    // A view's close flushes; the sink stays open for the other connections.
    sink.connection('c1').circuit('sage500', 'open');
    await sink.connection('c1').close();
    expect(
      (await readEngineStatus(store)).find((r) => r.connectionId === 'c1' && r.target === 'sage500'),
    ).toMatchObject({ circuitState: 'open' });
    sink.connection('c2').outcome('sage500', false, 'SB_SAGE_UNAVAILABLE');
    await sink.close();
    expect(
      (await readEngineStatus(store)).find((r) => r.connectionId === 'c2' && r.target === 'sage500'),
    ).toMatchObject({ lastFailure: 'SB_SAGE_UNAVAILABLE' });
  });

  it('adds jobs finished per minute from several workers', async () => {
    const store = await open('throughput');
    const clock = { now: () => new Date('2026-12-07T10:00:30.000Z') };
    const a = createEngineStatusRecorder({ store, clock, connectionId: 'us', flushMs: 60_000 });
    const b = createEngineStatusRecorder({ store, clock, connectionId: 'us', flushMs: 60_000 });
    for (let i = 0; i < 3; i++) a.jobFinished(true);
    a.jobFinished(false);
    b.jobFinished(true);
    await a.flush();
    await b.flush();
    expect(await readThroughput(store, '2026-12-07T09:00:00.000Z')).toEqual([
      { minute: '2026-12-07T10:00:00.000Z', completed: 4, failed: 1 },
    ]);
    await a.close();
    await b.close();
  });

  it('adds jobs finished per minute per connection too (migration 0030, issue 21)', async () => {
    const store = await open('throughput-by-connection');
    const clock = { now: () => new Date('2026-12-07T10:00:30.000Z') };
    const a = createEngineStatusRecorder({ store, clock, connectionId: 'us', flushMs: 60_000 });
    const b = createEngineStatusRecorder({ store, clock, connectionId: 'us', flushMs: 60_000 });
    a.jobFinished(true, 'eu');
    a.jobFinished(false, 'eu');
    a.jobFinished(true);
    b.jobFinished(true, 'eu');
    await a.flush();
    await b.flush();
    const since = '2026-12-07T09:00:00.000Z';
    expect(await readThroughput(store, since)).toEqual([
      { minute: '2026-12-07T10:00:00.000Z', completed: 3, failed: 1 },
    ]);
    expect(await readThroughput(store, since, 'eu')).toEqual([
      { minute: '2026-12-07T10:00:00.000Z', completed: 2, failed: 1 },
    ]);
    expect(await readThroughput(store, since, 'default')).toEqual([
      { minute: '2026-12-07T10:00:00.000Z', completed: 1, failed: 0 },
    ]);
    expect(await readThroughput(store, since, 'us')).toEqual([]);
    await a.close();
    await b.close();
  });

  it('order_links.sage_created_at is set once, on the move to created, and the latency reads it after the order moved on', async () => {
    const store = await open('latency');
    let now = Date.parse('2026-12-07T10:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const links = storeOrderLinks(store, clock, (n) => `AMZ${String(n).padStart(6, '0')}`);
    await links.setState('us', '111-0000001-0000001', 'received');
    now += 1_500;
    await links.setState('us', '111-0000001-0000001', 'created', { salesOrderKey: '42' });
    now += 60_000;
    await links.setState('us', '111-0000001-0000001', 'shipped');
    await links.setState('us', '111-0000001-0000001', 'confirmed');
    const times = await orderToSageTimes(store, '2026-12-07T00:00:00.000Z');
    expect(times).toEqual([{ firstSeenAt: '2026-12-07T10:00:00.000Z', sageCreatedAt: '2026-12-07T10:00:01.500Z' }]);
    expect(await orderToSageTimes(store, '2026-12-07T10:00:02.000Z')).toEqual([]);
  });
});
