import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/server/app.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { createAuthService } from '../../../src/runtime/auth/auth-service.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createKeyring } from '../../../src/runtime/pii/keyring.ts';
import { registerPiiPurge } from '../../../src/runtime/pii/purge-job.ts';
import { createPiiVault } from '../../../src/runtime/pii/vault.ts';
import { recordDeadLetter } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import { createScheduler } from '../../../src/runtime/scheduler.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, makeQueue, waitForEvent } from '../../helpers/queue-env.ts';
import { storeOrderStates } from '../../../src/connectors/store/order-links.ts';

/** Values that must never appear in a log line, whatever the code path. */
const PLANTED = {
  buyerName: 'Zelda Plantedbuyer',
  buyerEmail: 'zelda.planted@buyer-mail.example',
  phone: '+1 555 0199 777',
  addressLine: '42 Plantedsecret Road',
  password: 'Planted-Password-Horse-Battery',
  wrongPassword: 'Planted-Wrong-Password-9',
  refreshToken: 'Atzr|PlantedRefreshToken0123',
  clientSecret: 'amzn1.oa2-cs.v1.plantedclientsecret',
  bootstrap: 'planted-bootstrap-admin-token-42',
};

describe('log scan: no planted PII or secret reaches the logs', () => {
  const lines: string[] = [];
  let store: Store;
  let queue: JobQueue;
  beforeAll(async () => {
    store = await freshStore('sqlite', 'logscan');
    queue = await makeQueue(store);
  });
  afterAll(async () => {
    await queue.stop();
    await store.close();
  });

  it('exercises the admin API, the vault, the purge job and direct logging, then scans every captured line', async () => {
    const destination = new Writable({
      write(chunk, _enc, cb) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        cb();
      },
    });
    const logger = createLogger({ level: 'trace', destination });
    const auth = createAuthService(store, systemClock, {
      bootstrapToken: PLANTED.bootstrap,
      settings: { passwordHashLog2N: 10 },
    });
    const vault = createPiiVault(store, createKeyring([{ id: 'k1', key: Buffer.alloc(32, 9) }]), systemClock, {
      orders: storeOrderStates(store),
      retentionDays: 0,
    });
    const app = buildApp({
      store,
      queue,
      metrics: createMetrics(),
      logger,
      adminToken: PLANTED.bootstrap,
      auth,
      pii: vault,
    });
    const admin = { authorization: `Bearer ${PLANTED.bootstrap}` };

    // Users and sign-in, right and wrong.
    await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin,
      payload: { name: 'olga', role: 'operator', password: PLANTED.password },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'olga', password: PLANTED.wrongPassword },
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'olga', password: PLANTED.password },
    });
    expect(login.statusCode).toBe(200);
    const token = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'ci', role: 'operator' },
      })
    ).json().token as string;
    await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}x` } }); // wrong token
    // Write-only credentials, also one mistakenly in settings (refused).
    await app.inject({
      method: 'PUT',
      url: '/api/v1/connections/us',
      headers: admin,
      payload: { credentials: { refreshToken: PLANTED.refreshToken, lwaClientSecret: PLANTED.clientSecret } },
    });
    await app.inject({
      method: 'PUT',
      url: '/api/v1/connections/us',
      headers: admin,
      payload: { settings: { clientSecret: PLANTED.clientSecret } },
    });
    // Buyer PII stored, viewed (audited), then purged by the scheduled job.
    const ref = { connectionId: 'default', amazonOrderId: '111-7777777-7777777' };
    await vault.put(ref, {
      buyerName: PLANTED.buyerName,
      buyerEmail: PLANTED.buyerEmail,
      phone: PLANTED.phone,
      shipTo: { name: PLANTED.buyerName, addressLines: [PLANTED.addressLine] },
    });
    expect(
      (
        await app.inject({
          url: `/api/v1/orders/${ref.amazonOrderId}/pii`,
          headers: { authorization: `Bearer ${token}` },
        })
      ).statusCode,
    ).toBe(200);
    // A dead letter whose payload an operator corrected with buyer data, replayed.
    const dl = await recordDeadLetter(store.db, {
      queue: 'order.sync',
      jobId: 'j-1',
      jobKey: `order.sync:${ref.amazonOrderId}`,
      payload: { connectionId: 'default', amazonOrderId: ref.amazonOrderId },
      error: {
        code: 'SB_MAP_ADDRESS_INVALID',
        kind: 'mapping',
        message: 'shipTo.lines[0]: longer than 40 characters',
        context: {},
      },
      attempts: 1,
      firstFailedAt: new Date(),
      lastFailedAt: new Date(),
    });
    await app.inject({
      method: 'POST',
      url: `/api/v1/dead-letters/${dl}/replay`,
      headers: { authorization: `Bearer ${token}` },
      payload: {
        payload: { connectionId: 'default', amazonOrderId: ref.amazonOrderId, buyerEmail: PLANTED.buyerEmail },
      },
    });
    // Error paths: bad JSON carrying a secret, validation error carrying PII.
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: `{"username":"olga","password":"${PLANTED.password}"`,
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/mappings/sku-aliases',
      headers: admin,
      payload: { sellerSku: PLANTED.buyerEmail.repeat(3), itemId: PLANTED.addressLine },
    });
    // The purge job on the queue, with info logging.
    const scheduler = createScheduler({ queue, logger });
    registerPiiPurge({ queue, scheduler, vault, everyMs: 3_600_000, logger });
    await vault.markDelivered(ref, new Date(Date.now() - 1000));
    await queue.start();
    const done = waitForEvent(queue, (e) => e.type === 'completed' && e.job.queue === 'pii.purge');
    await scheduler.tick();
    await done;
    // Code that logs an order or a request by mistake: the logger's redaction catches the usual field names.
    logger.warn(
      {
        order: {
          buyerInfo: { BuyerEmail: PLANTED.buyerEmail },
          ShippingAddress: { AddressLine1: PLANTED.addressLine, Phone: PLANTED.phone },
        },
      },
      'order read',
    );
    logger.info(
      { headers: { authorization: `Bearer ${token}` }, password: PLANTED.password, refreshToken: PLANTED.refreshToken },
      'request',
    );
    logger.error(
      {
        connection: { lwaClientSecret: PLANTED.clientSecret },
        buyerName: PLANTED.buyerName,
        email: PLANTED.buyerEmail,
      },
      'failure',
    );
    await app.close();
    await new Promise((r) => setImmediate(r));

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4); // the scan saw real output, including the purge line
    expect(text).toContain('pii.purge: deleted buyer data of 1 order(s)');
    const leaks = [...Object.entries(PLANTED), ['token', token] as const].filter(
      ([, v]) => text.includes(v) || text.includes(JSON.stringify(v).slice(1, -1)),
    );
    expect(leaks.map(([k]) => k)).toEqual([]);
  });
});
