import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createAuthService } from '../../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createKeyring } from '../../../src/runtime/pii/keyring.ts';
import { createPiiVault } from '../../../src/runtime/pii/vault.ts';
import { recordDeadLetter } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, pgAvailable } from '../../helpers/queue-env.ts';
import { storeOrderStates } from '../../../src/connectors/store/order-links.ts';

const pg = await pgAvailable();

describe.skipIf(!pg)('admin API, auth and PII vault on PostgreSQL', () => {
  let store: Store;
  let queue: JobQueue;
  beforeAll(async () => {
    store = await freshStore('postgres', 'admin-api-pg');
    queue = await makeQueue(store);
  });
  afterAll(async () => {
    await queue?.stop();
    await store?.close();
  });

  it('parallel wrong passwords each count: locked at the threshold, the right one refused; token names unique (issue 13)', async () => {
    const auth = createAuthService(store, systemClock, { settings: { passwordHashLog2N: 10, lockoutThreshold: 5 } });
    await auth.addUser({ name: 'quinn', role: 'viewer', password: 'the right password', actor: 'test' });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => auth.login('quinn', `wrong password ${i}`)));
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(4);
    expect(await auth.login('quinn', 'the right password')).toMatchObject({ ok: false, reason: 'locked' });
    await auth.createToken({ name: 'pg-unique', role: 'viewer', actor: 'test' });
    await expect(auth.createToken({ name: 'pg-unique', role: 'admin', actor: 'test' })).rejects.toMatchObject({
      code: 'SB_AUTH_TOKEN_EXISTS',
    });
  });

  it('tokens, users with lockout, sessions, and the API over them', async () => {
    const auth = createAuthService(store, systemClock, { settings: { passwordHashLog2N: 10, lockoutThreshold: 2 } });
    const { token } = await auth.createToken({ name: 'pg', role: 'operator', actor: 'test' });
    await auth.addUser({ name: 'pat', role: 'admin', password: 'a long enough password', actor: 'test' });
    expect((await auth.login('pat', 'wrong password 1')).ok).toBe(false);
    expect(await auth.login('pat', 'wrong password 2')).toMatchObject({ ok: false, reason: 'locked' });
    await auth.addUser({
      name: 'pat',
      role: 'admin',
      password: 'a long enough password',
      actor: 'test',
      replace: true,
    });
    const ok = await auth.login('pat', 'a long enough password');
    expect(ok.ok).toBe(true);
    const session = await auth.createSession(ok.ok ? ok.principal : (undefined as never));
    expect(await auth.verifySession(session.sessionId)).toMatchObject({ actor: 'user:pat', role: 'admin' });

    const app = buildApp({
      store,
      queue,
      metrics: createMetrics(),
      logger: silentLogger(),
      adminToken: undefined,
      auth,
    });
    try {
      const dl = await recordDeadLetter(store.db, {
        queue: 'order.sync',
        jobId: 'pg-1',
        jobKey: 'order.sync:111-1',
        payload: { connectionId: 'default', amazonOrderId: '111-1' },
        error: {
          code: 'SB_MAP_SKU_UNKNOWN',
          kind: 'mapping',
          message: 'unknown SellerSKU X',
          context: {},
          issues: [{ field: 'lines[0].sku', problem: 'unknown SellerSKU X', suggestions: ['X-1'] }],
        },
        attempts: 1,
        firstFailedAt: new Date(),
        lastFailedAt: new Date(),
      });
      const H = { authorization: `Bearer ${token}` };
      expect((await app.inject({ url: '/api/v1/dead-letters', headers: H })).json().byCode).toEqual([
        { code: 'SB_MAP_SKU_UNKNOWN', count: 1 },
      ]);
      expect((await app.inject({ url: `/api/v1/dead-letters/${dl}`, headers: H })).json().suggestedFix).toMatchObject({
        kind: 'sku-alias',
        sellerSku: 'X',
        candidates: ['X-1'],
      });
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/mappings/sku-aliases',
            headers: H,
            payload: { sellerSku: 'X', itemId: 'X-1' },
          })
        ).statusCode,
      ).toBe(201);
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/v1/dead-letters/replay',
            headers: H,
            payload: { code: 'SB_MAP_SKU_UNKNOWN' },
          })
        ).json().replayed,
      ).toBe(1);
      expect((await app.inject({ url: '/api/v1/overview', headers: H })).json().deadLetters.total).toBe(0);
      const audit = (await app.inject({ url: '/api/v1/audit', headers: H })).json().entries as Array<{
        id: number;
        action: string;
      }>;
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(['dlq.replay-bulk', 'dlq.replay', 'mapping.sku-alias.set', 'user.locked']),
      );
      expect((await app.inject({ url: '/api/v1/settlements', headers: H })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/v1/inventory/discrepancies', headers: H })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/v1/orders', headers: H })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('vault: sealed rows, purge, rotation', async () => {
    const ref = { connectionId: 'default', amazonOrderId: '111-2' };
    const v1 = createPiiVault(store, createKeyring([{ id: 'a', key: Buffer.alloc(32, 1) }]), systemClock, {
      orders: storeOrderStates(store),
      retentionDays: 30,
    });
    await v1.put(ref, { buyerName: 'Pg Buyer' });
    await v1.putSecret('connection:x', 'refreshToken', 'pg-secret', 'test');
    const v2 = createPiiVault(
      store,
      createKeyring([
        { id: 'a', key: Buffer.alloc(32, 1) },
        { id: 'b', key: Buffer.alloc(32, 2) },
      ]),
      systemClock,
      { orders: storeOrderStates(store), retentionDays: 30 },
    );
    expect(await v2.rotate('test')).toMatchObject({ activeKeyId: 'b', reencrypted: 2 });
    expect(await v2.get(ref)).toEqual({ buyerName: 'Pg Buyer' });
    await v2.markDelivered(ref, new Date(Date.now() - 31 * 86_400_000));
    expect(await v2.purgeDue()).toEqual({ purged: 1 });
    expect(await v2.get(ref)).toBeUndefined();
  });
});
