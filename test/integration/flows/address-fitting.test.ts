import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFlowDeps, originalsInVault } from '../../../src/bootstrap/orders.ts';
import { orderStatus } from '../../../src/bootstrap/order-status.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createAmazonConnector } from '../../../src/connectors/amazon/create-amazon-connector.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { countFittings } from '../../../src/connectors/store/order-fittings.ts';
import { storeOrderStates } from '../../../src/connectors/store/order-links.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { syncOrder, type OrderFlowDeps } from '../../../src/flows/index.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { createKeyring, generateKeyEntry, parseKeys } from '../../../src/runtime/pii/keyring.ts';
import { createPiiVault, type PiiVault } from '../../../src/runtime/pii/vault.ts';
import { createDeadLetterService } from '../../../src/runtime/queue/dead-letters.ts';
import type { JobQueue } from '../../../src/runtime/queue/job-queue.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore, makeQueue } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * Address fitting from the simulator to the Sage sandbox: an Amazon order whose ship-to Sage cannot hold as written
 * (a 22-character city, a name in Japanese script, a line longer than 40) becomes a Sage order with the fitted
 * address; the order is marked fitted with what changed (no buyer text), the Amazon original is kept sealed in the
 * PII vault, `orders status` and the metric show it. Under the `dead-letter` policy the same order is refused.
 */
const CONN = 'default';
const dir = mkdtempSync(join(tmpdir(), 'sb-fit-'));
let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;
let queue: JobQueue;
let vault: PiiVault;
let amazon: ReturnType<typeof createAmazonConnector>;

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 1717,
    scenario: {
      skus: [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }],
      unknownSkuRate: 0,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      nonAsciiRate: 0,
      longAddressRate: 0,
      foreignScriptAddressRate: 0,
    },
  });
  store = await freshStore('sqlite', 'address-fitting');
  sage = await createSandboxGateway({ path: join(dir, 'sage.db') });
  const config = loadConfig({ file: '/dev/null', overrides: [...simulatorConfigOverrides(sim.url)] });
  amazon = createAmazonConnector(config.amazon, {
    store,
    clock: systemClock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  queue = await makeQueue(store, { concurrency: 1 });
  vault = createPiiVault(store, createKeyring(parseKeys(generateKeyEntry('ktest'), 'test')), systemClock, {
    orders: storeOrderStates(store),
    retentionDays: 30,
  });
}, 30_000);

afterAll(async () => {
  await queue?.stop({ graceMs: 100 });
  await sage?.close();
  await store?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function depsWith(policy: 'fit' | 'dead-letter'): OrderFlowDeps {
  return createOrderFlowDeps({
    store,
    amazon: amazon.marketplace,
    sage,
    clock: systemClock,
    queue,
    rulesFor: async () => ({ ...DEFAULT_MAPPING_RULES, addressPolicy: policy }),
    originals: originalsInVault(vault),
  });
}

function awkwardOrder(): string {
  const order = sim.control.addOrder({ status: 'UNSHIPPED', items: [{ sku: 'WIDGET-RED', quantity: 2 }] });
  Object.assign(sim.control.order(order.orderId)!.address, {
    name: '山田 太郎',
    addressLine1: '30021 North Cedar Ridge Boulevard, Building 4, Suite 200',
    city: 'Rancho Santa Margarita',
    stateOrRegion: 'CA',
    postalCode: '92688',
    countryCode: 'US',
  });
  return order.orderId;
}

describe('address fitting from the simulator to the Sage sandbox', () => {
  it('fit: the Sage order gets the fitted ship-to, the order is marked fitted and the original kept sealed', async () => {
    const id = awkwardOrder();
    const deps = depsWith('fit');
    const outcome = await syncOrder({ connectionId: CONN, amazonOrderId: id }, deps);
    expect(outcome.kind).toBe('created');

    const so = await sage.findSalesOrder({ amazonOrderId: id });
    expect(so?.shipTo).toEqual({
      name: 'Shan Tian Tai Lang',
      lines: ['30021 N Cedar Rdg Blvd, Bldg 4, Ste 200'], // Publication 28, from the end until it fits
      city: 'Rancho Sta Margarita',
      region: 'CA',
      postalCode: '92688',
      countryId: 'USA',
    });

    const fitting = await deps.fittings!.get(CONN, id);
    expect(fitting?.originalKept).toBe(true);
    expect(fitting?.changes.map((c) => `${c.field} ${c.kind}`)).toEqual([
      'name transliterated',
      'lines abbreviated',
      'city abbreviated',
    ]);
    // The fitting record holds no buyer text; the original is in the vault, sealed.
    const row = await store.db
      .withTables<{ order_fittings: { changes: string } }>()
      .selectFrom('order_fittings')
      .select('changes')
      .executeTakeFirstOrThrow();
    expect(row.changes).not.toMatch(/Rancho|Margarita|Cedar|山田/);
    expect((await vault.get({ connectionId: CONN, amazonOrderId: id }))?.shipTo).toMatchObject({
      name: '山田 太郎',
      city: 'Rancho Santa Margarita',
      addressLines: ['30021 North Cedar Ridge Boulevard, Building 4, Suite 200'],
    });

    const report = await orderStatus(
      { store, queue, deadLetters: createDeadLetterService(store, queue, systemClock), deps },
      CONN,
      id,
    );
    expect(report.state).toBe('created');
    expect(report.fitted?.changes).toHaveLength(3);
    expect(await countFittings(store)).toContainEqual({ connectionId: CONN, kind: 'abbreviated', orders: 1 });
  });

  it('dead-letter: the same kind of order is refused with SB_MAP_ADDRESS_INVALID and nothing reaches Sage', async () => {
    const id = awkwardOrder();
    const deps = depsWith('dead-letter');
    const err = await syncOrder({ connectionId: CONN, amazonOrderId: id }, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).code).toBe('SB_MAP_ADDRESS_INVALID');
    expect((err as MappingError).issues.map((i) => i.field)).toEqual(['shipTo.city', 'shipTo.name']);
    expect(await sage.findSalesOrder({ amazonOrderId: id })).toBeUndefined();
    expect(await deps.fittings!.get(CONN, id)).toBeUndefined();
  });
});
