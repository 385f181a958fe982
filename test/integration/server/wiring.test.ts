import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { generateKeyEntry } from '../../../src/runtime/pii/keyring.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import { createScheduler } from '../../../src/runtime/scheduler.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { buildApp } from '../../../src/server/app.ts';
import { wireAdmin } from '../../../src/bootstrap/admin.ts';
import { createRuntime } from '../../../src/bootstrap/index.ts';
import { resolveConnectionEntry } from '../../../src/config/load.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';

describe('wireAdmin: what sellbridge run adds for the admin API', () => {
  let store: Store;
  let queue: JobQueue;
  beforeAll(async () => {
    store = await freshStore('sqlite', 'wiring');
    queue = await makeQueue(store);
  });
  afterAll(async () => {
    await queue.stop();
    await store.close();
  });

  it('with a key: the vault, the pii.purge schedule, the settings and a Sage probe from its circuit reach buildApp', async () => {
    const config = loadConfig({
      file: '/dev/null',
      env: { SELLBRIDGE_SECURITY_PII_KEYS: generateKeyEntry('k1'), SELLBRIDGE_SERVER_BEHIND_TLS: 'true' },
    });
    const scheduler = createScheduler({ queue, logger: silentLogger() });
    let state = 'closed';
    const admin = wireAdmin(
      {
        store,
        clock: systemClock,
        logger: silentLogger(),
        queue,
        scheduler,
        circuits: () => [{ target: 'sage500', state }],
      },
      config,
    );
    expect(admin.pii?.keyring.activeKeyId).toBe('k1');
    expect(scheduler.schedules.map((s) => s.queue)).toEqual(['pii.purge']);
    const app = buildApp({
      store,
      queue,
      metrics: createMetrics(),
      logger: silentLogger(),
      adminToken: 'wiring-admin-token',
      ...admin,
    });
    try {
      // Details for authenticated callers only; the public answer shows states (issue 13).
      expect(
        (await app.inject({ url: '/readyz', headers: { authorization: 'Bearer wiring-admin-token' } })).json().checks
          .sage,
      ).toEqual({ ok: true, detail: 'circuit closed' });
      expect((await app.inject('/readyz')).json().checks.sage).toEqual({ ok: true });
      state = 'open';
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['strict-transport-security']).toBeDefined();
      const pii = await app.inject({
        url: '/api/v1/orders/111-1/pii',
        headers: { authorization: 'Bearer wiring-admin-token' },
      });
      expect(pii.statusCode).toBe(404); // vault wired: nothing stored (without a vault it would be 501)
    } finally {
      await app.close();
    }
  });

  it('an open Amazon circuit makes /readyz report amazon not ready, naming the circuit (issue 13)', async () => {
    const config = loadConfig({ file: '/dev/null', env: { SELLBRIDGE_AMAZON_REFRESH_TOKEN: 'Atzr|x' } });
    const scheduler = createScheduler({ queue, logger: silentLogger() });
    const admin = wireAdmin(
      {
        store,
        clock: systemClock,
        logger: silentLogger(),
        queue,
        scheduler,
        circuits: () => [
          { target: 'sage500', state: 'closed' },
          { target: 'amazon.orders', state: 'open' },
        ],
        amazon: { connection: { tokens: { getToken: async () => 'token' } } },
      },
      config,
    );
    const app = buildApp({
      store,
      queue,
      metrics: createMetrics(),
      logger: silentLogger(),
      adminToken: 'wiring-admin-token',
      ...admin,
    });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks.amazon).toEqual({ ok: false });
      // The detail for authenticated callers only.
      const detailed = await app.inject({ url: '/readyz', headers: { authorization: 'Bearer wiring-admin-token' } });
      expect(detailed.json().checks.amazon).toEqual({ ok: false, detail: 'circuit open: amazon.orders' });
    } finally {
      await app.close();
    }
  });

  it('without a key: no vault, no schedule, PII endpoints say why (501)', async () => {
    const config = loadConfig({ file: '/dev/null', env: {} });
    const scheduler = createScheduler({ queue, logger: silentLogger() });
    const admin = wireAdmin({ store, clock: systemClock, logger: silentLogger(), queue, scheduler }, config);
    expect(admin.pii).toBeUndefined();
    expect(scheduler.schedules).toEqual([]);
    const app = buildApp({
      store,
      queue,
      metrics: createMetrics(),
      logger: silentLogger(),
      adminToken: 'wiring-admin-token',
      ...admin,
    });
    try {
      const res = await app.inject({
        url: '/api/v1/orders/111-1/pii',
        headers: { authorization: 'Bearer wiring-admin-token' },
      });
      expect(res.statusCode).toBe(501);
      expect(res.json().error).toContain('security.piiKeys');
    } finally {
      await app.close();
    }
  });

  it("the doctor reports a connection added through the API that this process runs, beside sellbridge.yaml's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-wiring-doctor-'));
    const config = loadConfig({
      file: '/dev/null',
      env: {
        SELLBRIDGE_STORE_URL: `sqlite:${join(dir, 'store.db')}`,
        SELLBRIDGE_SAGE500_SANDBOX_PATH: join(dir, 'sage.db'),
      },
    });
    const added = resolveConnectionEntry(config, 'api1', { sage500: { companyId: 'SDE' } });
    if (!('config' in added)) throw new Error(JSON.stringify(added));
    const admin = wireAdmin(
      {
        store,
        clock: systemClock,
        logger: silentLogger(),
        queue,
        scheduler: createScheduler({ queue, logger: silentLogger() }),
        connections: { engines: () => [{ config: config }, { config: added.config }] },
      },
      config,
    );
    try {
      const all = await admin.doctor!();
      expect(all!.connections!.map((r) => r.connectionId)).toEqual(['default', 'api1']);
      const one = await admin.doctor!('api1');
      expect(one!.connections!.map((r) => r.connectionId)).toEqual(['api1']);
      expect(await admin.doctor!('nowhere')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an API-role server reports a connection another process added (it reads the registry first)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-wiring-doctor-api-'));
    const config = loadConfig({
      file: '/dev/null',
      env: {
        SELLBRIDGE_STORE_URL: `sqlite:${join(dir, 'store.db')}`,
        SELLBRIDGE_SAGE500_SANDBOX_PATH: join(dir, 'sage.db'),
      },
    });
    const worker = await createRuntime(config, { role: 'worker', logger: silentLogger() });
    const api = await createRuntime(config, { role: 'client', logger: silentLogger(), migrate: false }); // --role api
    try {
      const admin = wireAdmin(api, config);
      expect(await admin.doctor!('later')).toBeUndefined();
      await worker.connections.add({ id: 'later', sage500: { tranNoPrefix: 'AZL' } }, 'test');
      const report = await admin.doctor!('later');
      expect(report!.connections!.map((r) => r.connectionId)).toEqual(['later']);
      expect((await admin.doctor!())!.connections!.map((r) => r.connectionId)).toEqual(['default', 'later']);
    } finally {
      await api.close();
      await worker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
