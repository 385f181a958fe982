import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createInbox } from '../../../src/runtime/inbox/inbox.ts';
import { openStore, type Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

let sim: AmazonSimulator;
let store: Store;
const dir = mkdtempSync(join(tmpdir(), 'sb-amz-conn-'));
beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 5, orders: 3, timeScale: 100 });
  store = openStore({ url: `sqlite:${join(dir, 's.db')}` });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('createAmazonConnector (config -> port, shared buckets, intake)', () => {
  it('reads orders through the store-backed bucket of (application, seller, region, operation) and learns the server rate', async () => {
    const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'connector-q' });
    const config = loadConfig({
      file: '/dev/null',
      overrides: [
        ...simulatorConfigOverrides(sim.url),
        { path: 'amazon.sqs.queueUrl', value: queueUrl },
        { path: 'amazon.sqs.endpoint', value: sim.url },
        { path: 'amazon.sqs.waitTimeSeconds', value: '0' },
        { path: 'amazon.sqs.accessKeyId', value: 'sim' },
        { path: 'amazon.sqs.secretAccessKey', value: 'sim' },
      ],
    });
    const inbox = createInbox(store, { now: () => new Date() });
    const connector = createAmazonConnector(config.amazon, {
      store,
      inbox,
      clock: { now: () => new Date() },
      sleep: async () => undefined,
    });
    const id = sim.control.orders()[0]!.orderId;
    expect((await connector.marketplace.getOrder(id)).id).toBe(id);
    const rows = await sql<{
      key: string;
      rate: number;
      rate_from_server: number;
    }>`select key, rate, rate_from_server from rate_buckets`.execute(store.db);
    expect(rows.rows).toEqual([
      { key: `sellbridge|${DEFAULT_SELLER.sellerId}|na|orders.getOrder`, rate: 50, rate_from_server: 1 },
    ]);
    expect(connector.intake).toBeDefined();
    const added = sim.control.addOrder();
    const polled = await connector.intake!.pollOnce();
    expect(polled).toMatchObject({ received: 1, stored: 1, deleted: 1 });
    expect((await inbox.list()).map((r) => r.subject)).toContain(`order:${added.orderId}`);
  });
});
