import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { enqueueOrderSync } from '../../../src/bootstrap/orders.ts';
import { connectionConfigs, loadConfig } from '../../../src/config/load.ts';
import { readEngineStatus } from '../../../src/connectors/store/engine-status.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { SellbridgeError } from '../../../src/core/errors.ts';
import { circuitBehind } from '../../../src/runtime/circuit/shared-circuits.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';

/**
 * Issue 21: the Sage circuit is the Sage server's. Connections `soa` and `sde` book into two companies of ONE sandbox
 * database (the sandbox keeps the demo company SOA and the German company SDE side by side, as one Sage database
 * keeps several companies); connection `other` books into a sandbox database of its own. With the shared server down,
 * the failures one connection meets open the circuit for both (the other never reaches the server, it waits), while
 * `other` keeps taking orders; once the server is back, the waiting work runs. The circuit's key comes from the
 * configuration (sandboxPath), not from the gateways this test hands in.
 */
const US = 'ATVPDKIKX0DER';
const DE = 'A1PA6795UKMFR9';
const SELLERS = [
  { sellerId: 'A1SIMSELLERSOA', refreshToken: 'Atzr|soa-token', marketplaceIds: [US] },
  { sellerId: 'A1SIMSELLERSDE', refreshToken: 'Atzr|sde-token', marketplaceIds: [DE] },
  { sellerId: 'A1SIMSELLEROTH', refreshToken: 'Atzr|other-token', marketplaceIds: [US] },
];
const SKUS: CatalogItem[] = [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }];

let dir: string;
let sim: AmazonSimulator;
let runtime: Runtime;
let soa: SandboxGateway;
let sde: SandboxGateway;
let other: SandboxGateway;
/** The shared server (sage-shared.db) is down: every call to it fails as an unreachable SQL Server does. */
let sharedDown = false;
let callsWhileDown = 0;

/** A gateway on the shared server: fails while it is down; close() is the test's. */
function onSharedServer(g: SandboxGateway): Sage500Gateway {
  return new Proxy(g, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'close') return async () => undefined;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (sharedDown) {
          callsWhileDown++;
          throw new SellbridgeError('SB_SAGE_UNAVAILABLE', `cannot connect to Sage 500 (test outage)`, {
            retryAfterMs: 100,
          });
        }
        return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}
const own = (g: Sage500Gateway): Sage500Gateway =>
  new Proxy(g, { get: (t, p, r) => (p === 'close' ? async () => undefined : (Reflect.get(t, p, r) as unknown)) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-circuit-per-server-'));
  sim = await createAmazonSimulator({
    seed: 3030,
    timeScale: 20,
    sellers: SELLERS,
    strictRefreshTokens: true,
    scenario: {
      skus: SKUS,
      unknownSkuRate: 0,
      afnRate: 0,
      pendingRate: 0,
      cancelledRate: 0,
      businessRate: 0,
      nonAsciiRate: 0,
      longAddressRate: 0,
      giftRate: 0,
      promotionRate: 0,
    },
  });
  soa = await createSandboxGateway({ path: join(dir, 'sage-shared.db') });
  sde = await createSandboxGateway({ path: join(dir, 'sage-shared.db'), companyId: 'SDE' });
  other = await createSandboxGateway({ path: join(dir, 'sage-other.db') });

  const file = join(dir, 'sellbridge.yaml');
  writeFileSync(
    file,
    `
store: { url: "sqlite:${join(dir, 'sellbridge.db')}" }
jobs: { pollIntervalMs: 50 }
amazon:
  endpoint: ${sim.url}
  lwaEndpoint: ${sim.url}/auth/o2/token
  lwaClientId: cid
  lwaClientSecret: secret
sage500:
  kind: sandbox
  sandboxPath: ${join(dir, 'sage-shared.db')}
  warehouseSimulator: { enabled: false }
orders:
  poll: { enabled: false }
  shipmentPollEveryMs: 3600000
  sageCircuit: { failureThreshold: 2, openMs: 300 }
connections:
  - id: soa
    amazon: { sellerId: ${SELLERS[0]!.sellerId}, refreshToken: "${SELLERS[0]!.refreshToken}", marketplaceIds: [${US}] }
    orders:
      customers: { ${US}: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN } }
  - id: sde
    amazon: { sellerId: ${SELLERS[1]!.sellerId}, refreshToken: "${SELLERS[1]!.refreshToken}", region: eu, marketplaceIds: [${DE}] }
    sage500: { companyId: SDE, tranNoPrefix: AZD }
    orders:
      customers: { ${DE}: { customerId: AMAZON-DE, currency: EUR, warehouseId: LEJ } }
      shipMethods: { fallback: DHL-PAKET, byServiceLevel: { STANDARD: DHL-PAKET, FREE_ECONOMY: DHL-PAKET, SCHEDULED: DHL-PAKET, EXPEDITED: DHL-EXPRESS, SECOND_DAY: DHL-EXPRESS, PRIORITY: DHL-EXPRESS, NEXT_DAY: DHL-EXPRESS, SAME_DAY: DHL-EXPRESS } }
      chargeLines: { freight: { itemId: AMZ-CHARGE } }
  - id: other
    amazon: { sellerId: ${SELLERS[2]!.sellerId}, refreshToken: "${SELLERS[2]!.refreshToken}", marketplaceIds: [${US}] }
    sage500: { sandboxPath: ${join(dir, 'sage-other.db')}, tranNoPrefix: AZO }
    orders:
      customers: { ${US}: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN } }
`,
  );
  const config = loadConfig({ file, env: {} });
  expect(connectionConfigs(config).map((c) => c.orders.connectionId)).toEqual(['soa', 'sde', 'other']);
  runtime = await createRuntime(config, {
    role: 'worker',
    logger: createLogger({ level: 'silent', format: 'json' }),
    // `solo` (added while running) gets the shared server's gateway object, but its configuration names a file of its
    // own: its circuit must be its own server's.
    sageFor: (id) =>
      id === 'soa' || id === 'solo' ? onSharedServer(soa) : id === 'sde' ? onSharedServer(sde) : own(other),
    registryPollMs: 500,
  });
  await runtime.start();
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  await soa?.close();
  await sde?.close();
  await other?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const engine = (id: string) => runtime.connections.engine(id)!;
const order = (seller: number, marketplaceId: string) =>
  sim.control.addOrder({
    sellerId: SELLERS[seller]!.sellerId,
    marketplaceId,
    status: 'UNSHIPPED',
    items: [{ sku: 'WIDGET-RED', quantity: 1 }],
  }).orderId;
const created = (connectionId: string, orderId: string) =>
  waitUntil(
    async () => (await engine(connectionId).orders.deps.links.get(connectionId, orderId))?.state === 'created',
    30_000,
    `order ${orderId} of ${connectionId} in Sage`,
  );
const gauge = async (connection: string) => {
  const text = await runtime.metrics.registry.getSingleMetricAsString('sellbridge_circuit_state');
  return new RegExp(`sellbridge_circuit_state\\{target="sage500",connection="${connection}"\\} (\\d)`).exec(text)?.[1];
};

describe('one Sage circuit per Sage server (issue 21)', () => {
  it('connections on one server share its circuit; a connection on another server has its own', () => {
    expect(circuitBehind(engine('soa').circuits.sage500)).toBe(circuitBehind(engine('sde').circuits.sage500));
    expect(circuitBehind(engine('other').circuits.sage500)).not.toBe(circuitBehind(engine('soa').circuits.sage500));
    expect(engine('soa').sageServer).toBe(`sandbox:${join(dir, 'sage-shared.db')}`);
    expect(engine('other').sageServer).toBe(`sandbox:${join(dir, 'sage-other.db')}`);
  });

  it('the shared server down opens the circuit for both of its connections; the other server keeps taking orders', async () => {
    sharedDown = true;
    const soaOrder = order(0, US);
    const sdeOrder = order(1, DE);
    await enqueueOrderSync(engine('soa').queue, 'soa', soaOrder);
    await enqueueOrderSync(engine('sde').queue, 'sde', sdeOrder);
    await waitUntil(
      async () => engine('sde').circuits.sage500.state() !== 'closed',
      20_000,
      'the shared circuit to open',
    );
    expect(engine('soa').circuits.sage500.state()).not.toBe('closed');
    // Both connections' gauges and engine status show the shared circuit; the other server's stays closed.
    await waitUntil(async () => (await gauge('soa')) !== '0' && (await gauge('sde')) !== '0', 10_000, 'both gauges');
    expect(await gauge('other')).toBe('0');
    await waitUntil(
      async () => {
        const rows = (await readEngineStatus(runtime.store)).filter((r) => r.target === 'sage500');
        const state = (id: string) => rows.find((r) => r.connectionId === id)?.circuitState;
        return state('soa') !== undefined && state('soa') !== 'closed' && state('sde') !== 'closed' && !!state('sde');
      },
      10_000,
      'the engine status of both connections to record the open circuit',
    );
    // While the server is down the other connection takes an order into its own Sage database.
    const otherOrder = order(2, US);
    await enqueueOrderSync(engine('other').queue, 'other', otherOrder);
    await created('other', otherOrder);
    expect((await other.findSalesOrder({ amazonOrderId: otherOrder }))?.status).toBe('open');
    expect(engine('other').circuits.sage500.state()).toBe('closed');
    expect(await soa.findSalesOrder({ amazonOrderId: soaOrder })).toBeUndefined();

    // The server is back: one probe closes the circuit for both, and their orders land in their companies.
    sharedDown = false;
    await created('soa', soaOrder);
    await created('sde', sdeOrder);
    expect(engine('soa').circuits.sage500.state()).toBe('closed');
    expect(await gauge('sde')).toBe('0');
    expect((await sde.findSalesOrder({ amazonOrderId: sdeOrder }))?.status).toBe('open');
  }, 60_000);

  it('a direct call of one connection meets the circuit the other opened, without reaching the server', async () => {
    sharedDown = true;
    const before = callsWhileDown;
    for (let i = 0; i < 2; i++) await expect(engine('soa').sage.resolveWarehouses(['MAIN'])).rejects.toThrow();
    expect(callsWhileDown).toBe(before + 2);
    expect(engine('sde').circuits.sage500.state()).toBe('open');
    await expect(engine('sde').sage.resolveWarehouses(['LEJ'])).rejects.toThrow(/circuit is open/);
    expect(callsWhileDown).toBe(before + 2);
    sharedDown = false;
    await waitUntil(
      async () => {
        await engine('sde')
          .sage.resolveWarehouses(['LEJ'])
          .catch(() => undefined);
        return engine('soa').circuits.sage500.state() === 'closed';
      },
      10_000,
      'the probe to close the shared circuit',
    );
  }, 30_000);
});

describe('connections added and removed while running', () => {
  const add = (id: string, sandboxPath: string) =>
    runtime.connections.add(
      {
        id,
        amazon: { sellerId: SELLERS[2]!.sellerId, refreshToken: SELLERS[2]!.refreshToken, marketplaceIds: [US] },
        sage500: { sandboxPath, tranNoPrefix: 'AZS' },
        orders: { customers: { [US]: { customerId: 'AMAZON-US', currency: 'USD', warehouseId: 'MAIN' } } },
      },
      'test',
    );

  it('a connection added on a server joins its circuit; the circuit key comes from the configuration, not the gateway', async () => {
    await add('joiner', join(dir, 'sage-other.db'));
    expect(circuitBehind(engine('joiner').circuits.sage500)).toBe(circuitBehind(engine('other').circuits.sage500));
    await runtime.connections.remove('joiner', 'test');
    expect(runtime.connections.engine('joiner')).toBeUndefined();
    expect(engine('other').circuits.sage500.state()).toBe('closed');

    await add('solo', join(dir, 'sage-solo.db'));
    const first = engine('solo').circuits.sage500;
    const firstShared = circuitBehind(first);
    expect(firstShared).not.toBe(circuitBehind(engine('soa').circuits.sage500));
    sharedDown = true;
    try {
      for (let i = 0; i < 2; i++) await expect(engine('solo').sage.resolveWarehouses(['MAIN'])).rejects.toThrow();
      expect(first.state()).toBe('open');
      expect(engine('soa').circuits.sage500.state()).toBe('closed'); // same gateway object, another server
      expect(await gauge('solo')).toBe('2');
    } finally {
      sharedDown = false;
    }
    // Removed, the last user of its server's circuit: the circuit is forgotten; added again, it starts closed.
    await runtime.connections.remove('solo', 'test');
    await add('solo', join(dir, 'sage-solo.db'));
    expect(circuitBehind(engine('solo').circuits.sage500)).not.toBe(firstShared);
    expect(engine('solo').circuits.sage500.state()).toBe('closed');
    expect(await gauge('solo')).toBe('0');
    await runtime.connections.remove('solo', 'test');
  }, 30_000);
});

describe('SQL Server connections: the circuit key is the server, never the login', () => {
  it('two companies on one database share a circuit; another database has its own; no password in the metrics', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sb-circuit-sqlserver-'));
    const file = join(d, 'sellbridge.yaml');
    writeFileSync(
      file,
      `
store: { url: "sqlite:${join(d, 'sellbridge.db')}" }
amazon: { lwaClientId: cid, lwaClientSecret: secret }
sage500: { kind: sqlserver, url: "mssql://sb_us:Secret-One-77@sage01.corp.local:1433/sage500_app" }
connections:
  - id: us
    amazon: { sellerId: A1, refreshToken: "Atzr|a", marketplaceIds: [${US}] }
  - id: de
    amazon: { sellerId: A2, refreshToken: "Atzr|b", region: eu, marketplaceIds: [${DE}] }
    sage500: { companyId: SDE, url: "mssql://sb_de:Secret-Two-88@SAGE01.corp.local/SAGE500_APP" }
  - id: test
    amazon: { sellerId: A3, refreshToken: "Atzr|c", marketplaceIds: [${US}] }
    sage500: { url: "mssql://sb_us:Secret-One-77@sage01.corp.local:1433/sage500_test" }
`,
    );
    const rt = await createRuntime(loadConfig({ file, env: {} }), {
      role: 'client',
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    try {
      const e = (id: string) => rt.connections.engine(id)!;
      expect(circuitBehind(e('us').circuits.sage500)).toBe(circuitBehind(e('de').circuits.sage500));
      expect(circuitBehind(e('test').circuits.sage500)).not.toBe(circuitBehind(e('us').circuits.sage500));
      expect(e('us').sageServer).toBe('sqlserver://sage01.corp.local:1433/sage500_app');
      const metrics = await rt.metrics.registry.metrics();
      for (const id of ['us', 'de', 'test'])
        expect(metrics).toContain(`sellbridge_circuit_state{target="sage500",connection="${id}"} 0`);
      expect(metrics).not.toMatch(/Secret-One|Secret-Two/);
    } finally {
      await rt.close();
      rmSync(d, { recursive: true, force: true });
    }
  });
});
