import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { ORDER_SYNC_QUEUE, orderSyncKey } from '../../../src/flows/sync-order.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createJobQueue } from '../../../src/runtime/queue/create-job-queue.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { openStore } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';

/**
 * Issue 21, "upgrading a store and a sellbridge.yaml made before this change works without edits": a store migrated
 * only up to 0026 (the last migration before connections became the unit), a sellbridge.yaml in the old shape
 * (top-level amazon / sage500 / orders, no `connections:` list) and an order.sync job left pending by the old
 * release. The new release starts on them unedited, migrates the store and syncs the pending order into Sage as the
 * connection `default`.
 */
const LAST_BEFORE_21 = '0026-engine-status';
const US = 'ATVPDKIKX0DER';
const silent = createLogger({ level: 'silent', format: 'json' });

let dir: string;
let sim: AmazonSimulator;
let runtime: Runtime | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-upgrade21-'));
  sim = await createAmazonSimulator({
    seed: 2126,
    timeScale: 20,
    scenario: {
      skus: [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }],
      unknownSkuRate: 0,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      nonAsciiRate: 0,
      longAddressRate: 0,
    },
  });
}, 30_000);

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a store and sellbridge.yaml from before connections (issue 21)', () => {
  it('start unedited: the store migrates, the old pending order.sync job lands in Sage as connection default', async () => {
    const storeUrl = `sqlite:${join(dir, 'sellbridge.db')}`;
    const file = join(dir, 'sellbridge.yaml');
    writeFileSync(
      file,
      [
        '# sellbridge.yaml as written before issue 21: one pair, top-level blocks',
        'amazon:',
        `  endpoint: ${sim.url}`,
        `  lwaEndpoint: ${sim.url}/auth/o2/token`,
        '  lwaClientId: cid',
        '  lwaClientSecret: secret',
        `  refreshToken: ${DEFAULT_SELLER.refreshToken}`,
        `  sellerId: ${DEFAULT_SELLER.sellerId}`,
        'sage500:',
        '  kind: sandbox',
        `  sandboxPath: ${join(dir, 'sage.db')}`,
        '  warehouseSimulator:',
        '    enabled: false',
        'store:',
        `  url: ${storeUrl}`,
        'orders:',
        '  poll:',
        '    enabled: false',
        '  shipmentPollEveryMs: 3600000',
        'jobs:',
        '  pollIntervalMs: 50',
        '',
      ].join('\n'),
    );

    // The old release's store, with an order.sync job it enqueued and did not run.
    const order = sim.control.addOrder({ status: 'UNSHIPPED', marketplaceId: US });
    const old = openStore({ url: storeUrl });
    try {
      expect(await old.migrate(LAST_BEFORE_21)).toContain(LAST_BEFORE_21);
      const queue = await createJobQueue({
        store: old,
        clock: systemClock,
        logger: silent,
        metrics: createMetrics({ defaultMetrics: false }),
        settings: loadConfig({ file: '/dev/null', overrides: [] }).jobs,
        role: 'client',
      });
      await queue.enqueue(
        ORDER_SYNC_QUEUE,
        { connectionId: 'default', amazonOrderId: order.orderId },
        { key: orderSyncKey(order.orderId), dedupe: true },
      );
      await queue.stop();
    } finally {
      await old.close();
    }

    const config = loadConfig({ file, overrides: [] });
    expect(config.orders.connectionId).toBe('default');
    runtime = await createRuntime(config, { role: 'worker', logger: silent });
    await runtime.start();
    await waitUntil(
      async () => (await runtime!.orders.deps.links.get('default', order.orderId))?.state === 'created',
      30_000,
      `the pending order ${order.orderId} to be created in Sage`,
    );
    const so = await runtime.sage.findSalesOrder({ amazonOrderId: order.orderId });
    expect(so?.customerId).toBe('AMAZON-US');
  }, 60_000);
});
