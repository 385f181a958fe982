import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';

describe('HTTP edge: health open, everything else behind the token', () => {
  let store: Store;
  let queue: JobQueue;
  beforeAll(async () => {
    store = await freshStore('sqlite', 'app');
    queue = await makeQueue(store);
    await queue.enqueue('t.x', {});
  });
  afterAll(async () => {
    await queue.stop();
    await store.close();
  });
  const app = (adminToken: string | undefined) =>
    buildApp({ store, queue, metrics: createMetrics(), logger: silentLogger(), adminToken });

  it('answers health and readiness without auth', async () => {
    const a = app('t0ken-0123456789');
    expect((await a.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await a.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true } } });
  });

  it('requires the bearer token for /metrics', async () => {
    const a = app('t0ken-0123456789');
    expect((await a.inject('/metrics')).statusCode).toBe(401);
    expect((await a.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const ok = await a.inject({ url: '/metrics', headers: { authorization: 'Bearer t0ken-0123456789' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('sellbridge_jobs{queue="t.x",state="pending",connection="default"} 1');
  });

  it('keeps /metrics closed when no token is configured, and says how to open it', async () => {
    const res = await app(undefined).inject({ url: '/metrics', headers: { authorization: 'Bearer ' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toContain('SELLBRIDGE_SERVER_ADMIN_TOKEN');
  });
});
