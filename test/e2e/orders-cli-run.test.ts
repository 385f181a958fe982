import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAmazonSimulator,
  DEFAULT_SELLER,
  type AmazonSimulator,
  type CatalogItem,
} from '../../src/simulator/amazon/index.ts';
import { waitUntil } from '../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../helpers/simulator-connection.ts';

/**
 * `sellbridge run --role worker` as a subprocess, configured only by flags: Amazon is the simulator (HTTP and its
 * SQS queue), Sage is the sandbox with its warehouse simulator. Orders placed at the simulator come back shipped and
 * confirmed, and the worker stops cleanly on SIGTERM.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
];
const dir = mkdtempSync(join(tmpdir(), 'sb-orders-run-'));
let sim: AmazonSimulator;
let child: ChildProcess | undefined;

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 8,
    timeScale: 20,
    scenario: {
      skus: SKUS,
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
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sellbridge run --role worker (subprocess) against the simulator and the Sage sandbox', () => {
  it(
    'turns notified orders into Sage orders, ships and confirms them, and stops on SIGTERM',
    { timeout: 90_000 },
    async () => {
      const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'run-e2e' });
      const settings = [
        ...simulatorConfigOverrides(sim.url),
        { path: 'store.url', value: `sqlite:${join(dir, 'state.db')}` },
        { path: 'amazon.sqs.queueUrl', value: queueUrl },
        { path: 'amazon.sqs.endpoint', value: sim.url },
        { path: 'amazon.sqs.waitTimeSeconds', value: '1' },
        { path: 'amazon.sqs.accessKeyId', value: 'sim' },
        { path: 'amazon.sqs.secretAccessKey', value: 'sim' },
        { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
        { path: 'sage500.warehouseSimulator.enabled', value: 'true' },
        { path: 'sage500.warehouseSimulator.delayMs', value: '0' },
        { path: 'orders.shipmentPollEveryMs', value: '500' },
        { path: 'jobs.pollIntervalMs', value: '100' },
        { path: 'log.level', value: 'warn' },
      ];
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
      child = spawn(
        process.execPath,
        [BIN, ...settings.flatMap((s) => ['--set', `${s.path}=${s.value}`]), 'run', '--role', 'worker'],
        { cwd: dir, env },
      );
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      await waitUntil(async () => out.includes('sellbridge worker is running'), 30_000, 'the worker to start');

      const ids = sim.control.addOrders(4, { status: 'UNSHIPPED' }).map((o) => o.orderId);
      await waitUntil(
        async () =>
          ids.every((id) => sim.control.order(id)?.status === 'SHIPPED' && sim.control.order(id)!.packages.length > 0),
        60_000,
        'every order to be shipped and confirmed at Amazon',
      );

      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited, out).toBe(0);
      expect(out).toContain('sellbridge stopped');
      expect(out).not.toContain(DEFAULT_SELLER.refreshToken); // no secrets in the output
    },
  );
});
