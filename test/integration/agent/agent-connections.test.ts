import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../../src/bootstrap/index.ts';
import { connectionConfigs, loadConfig } from '../../../src/config/load.ts';
import { startAgent, type RunningAgent } from '../../../src/connectors/sage500/remote/agent.ts';
import {
  AGENT_PROTOCOL,
  CHANNEL_PATH,
  HEADER_PROTOCOL,
  HEADER_VERSION,
} from '../../../src/connectors/sage500/remote/protocol.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { JobEvent } from '../../../src/runtime/queue/job-queue.ts';
import { SELLBRIDGE_VERSION } from '../../../src/runtime/version.ts';
import { buildApp } from '../../../src/server/app.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { waitUntil } from '../../helpers/queue-env.ts';

/**
 * Hosted mode with several agent connections in one process (issue 21): one hub process (its HTTP server's one
 * upgrade handler, `runtime.agentUpgrade`), two connections with `sage500.kind: agent`, each served by its own agent
 * beside its own Sage sandbox company (each agent here runs in this process, on its own sandbox database). Each
 * connection's orders land in its own company through its own agent; a credential reaches only the hub of the
 * connection it was enrolled for; one agent offline makes only its connection wait; a connection added through the
 * admin API gets its hub and its agent without a restart, and removing it closes its agent's channel.
 */
const US = 'ATVPDKIKX0DER';
const CA = 'A2EUQ1WTGCTBG2';
const SELLERS = [
  { sellerId: 'A1SIMSELLERAG1', refreshToken: 'Atzr|a-token', marketplaceIds: [US, CA] },
  { sellerId: 'A1SIMSELLERAG2', refreshToken: 'Atzr|b-token', marketplaceIds: [US] },
];
const SKUS: CatalogItem[] = [{ sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 }];
const ADMIN_TOKEN = 'agent-connections-admin-token-0123456789';
const C_POLL_MS = 1_500;

let dir: string;
let sim: AmazonSimulator;
let runtime: Runtime;
let app: FastifyInstance;
let hubUrl: string;
const logLines: string[] = [];
const events: JobEvent[] = [];
const sage: Record<string, SandboxGateway> = {};
const agents: Record<string, { agent: RunningAgent; abort: AbortController; done: Promise<unknown> }> = {};

const agentLogger = pino({ level: 'silent' });

/** Starts the agent of `connectionId` beside its sandbox; a token enrols it, none reuses its credential file. */
function runAgent(connectionId: string, token?: string) {
  const abort = new AbortController();
  const agent = startAgent({
    hub: hubUrl,
    ...(token ? { token } : {}),
    credentialFile: join(dir, `agent-${connectionId}.json`),
    gateway: sage[connectionId] ?? sage['a']!,
    logger: agentLogger,
    version: SELLBRIDGE_VERSION,
    allowInsecureLocalhost: true,
    backoff: { minMs: 100, maxMs: 500 },
    signal: abort.signal,
  });
  // Settled (refused, or stopped) is a state the tests read; never an unhandled rejection.
  const done = agent.done.then(
    () => 'stopped',
    (err: unknown) => err,
  );
  agents[connectionId] = { agent, abort, done };
  return agents[connectionId];
}

const enrol = async (connectionId: string) => (await runtime.agents.createEnrolment(connectionId, 'test')).token;
const statusOf = (connectionId: string) => runtime.agentStatus().find((s) => s.connectionId === connectionId);
const online = (connectionId: string) =>
  waitUntil(async () => statusOf(connectionId)?.online, 20_000, `the agent of ${connectionId} online at its hub`);

const links = (connectionId: string) => runtime.connections.engine(connectionId)!.orders.deps.links;
const created = (connectionId: string, orderId: string, timeoutMs = 30_000) =>
  waitUntil(
    async () => (await links(connectionId).get(connectionId, orderId))?.state === 'created',
    timeoutMs,
    `order ${orderId} of ${connectionId} in Sage`,
  );

function order(seller: number, marketplaceId: string): string {
  return sim.control.addOrder({
    sellerId: SELLERS[seller]!.sellerId,
    marketplaceId,
    status: 'UNSHIPPED',
    items: [{ sku: 'WIDGET-RED', quantity: 1 }],
  }).orderId;
}

/** The upgrade answer a raw WebSocket gets with these headers: the refusal's status and body, or the first frame. */
const dial = (headers: Record<string, string>) =>
  new Promise<{ status: number; body: string }>((resolve) => {
    const ws = new WebSocket(`${hubUrl.replace('http', 'ws')}${CHANNEL_PATH}`, { headers });
    ws.on('message', (d) => {
      resolve({ status: 101, body: d.toString() });
      ws.close();
    });
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
const agentHeaders = (credential: string) => ({
  authorization: `Bearer ${credential}`,
  [HEADER_VERSION]: SELLBRIDGE_VERSION,
  [HEADER_PROTOCOL]: String(AGENT_PROTOCOL),
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-agent-connections-'));
  sim = await createAmazonSimulator({
    seed: 2104,
    timeScale: 20,
    sellers: SELLERS,
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
  const queue = sim.control.subscribe({
    notificationType: 'ORDER_CHANGE',
    queueName: 'hosted-q',
    sellerId: SELLERS[0]!.sellerId,
  });
  sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'hosted-q', sellerId: SELLERS[1]!.sellerId });
  // Each customer's Sage company, beside its own agent (separate sandbox databases: nothing shared but the hub).
  for (const id of ['a', 'b', 'c'])
    sage[id] = await createSandboxGateway({ path: join(dir, `sage-${id}.db`), warehouseSimulator: { enabled: false } });

  const file = join(dir, 'sellbridge.yaml');
  writeFileSync(
    file,
    `
store: { url: "sqlite:${join(dir, 'hub.db')}" }
jobs: { pollIntervalMs: 50 }
amazon:
  endpoint: ${sim.url}
  lwaEndpoint: ${sim.url}/auth/o2/token
  lwaClientId: cid
  lwaClientSecret: secret
  sqs: { endpoint: ${sim.url}, waitTimeSeconds: 1, accessKeyId: sim, secretAccessKey: sim }
sage500:
  kind: agent
  unavailableRetryMs: 300
  agent: { heartbeatMs: 200, requestTimeoutMs: 10000 }
orders:
  poll: { enabled: false }
  shipmentPollEveryMs: 3600000
  sageCircuit: { failureThreshold: 2, openMs: 500 }
connections:
  - id: a
    amazon: { sellerId: ${SELLERS[0]!.sellerId}, refreshToken: "${SELLERS[0]!.refreshToken}", marketplaceIds: [${US}], sqs: { queueUrl: "${queue.queueUrl}" } }
    orders:
      customers: { ${US}: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN } }
  - id: b
    amazon: { sellerId: ${SELLERS[1]!.sellerId}, refreshToken: "${SELLERS[1]!.refreshToken}", marketplaceIds: [${US}], sqs: { queueUrl: "${queue.queueUrl}" } }
    sage500: { tranNoPrefix: AZB }
    orders:
      customers: { ${US}: { customerId: AMAZON-US, currency: USD, warehouseId: MAIN } }
`,
  );
  const config = loadConfig({ file, env: {} });
  expect(connectionConfigs(config).map((c) => [c.orders.connectionId, c.sage500.kind])).toEqual([
    ['a', 'agent'],
    ['b', 'agent'],
  ]);
  runtime = await createRuntime(config, {
    role: 'worker',
    logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
    registryPollMs: 500,
    checkConnections: true,
  });
  runtime.queue.onEvent((e) => events.push(e));
  await runtime.start();
  app = buildApp({ ...runtime, adminToken: ADMIN_TOKEN });
  app.server.on('upgrade', (req, socket, head) => runtime.agentUpgrade(req, socket, head));
  await app.listen({ host: '127.0.0.1', port: 0 });
  hubUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  for (const a of Object.values(agents)) a.abort.abort();
  await Promise.all(Object.values(agents).map((a) => a.done));
  await app?.close();
  await runtime?.close();
  for (const g of Object.values(sage)) await g.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hosted mode: several agent connections in one process', () => {
  it('each connection has its hub; each agent serves its own connection and its orders land in its own company', async () => {
    // Both start (no start check through an agent that is not there yet) and wait for their agents.
    expect(runtime.agentStatus().map((s) => [s.connectionId, s.online])).toEqual([
      ['a', false],
      ['b', false],
    ]);
    expect((await runtime.connections.list()).map((c) => [c.id, c.state])).toEqual([
      ['a', 'active'],
      ['b', 'active'],
    ]);
    runAgent('a', await enrol('a'));
    runAgent('b', await enrol('b'));
    await online('a');
    await online('b');
    const listed = await runtime.agents.list();
    const agentOf = (id: string) => listed.find((x) => x.connectionId === id)!.id;
    expect(statusOf('a')!.agentId).toBe(agentOf('a'));
    expect(statusOf('b')!.agentId).toBe(agentOf('b'));

    const plan: [string, number][] = [
      ['a', 0],
      ['b', 1],
      ['a', 0],
      ['b', 1],
    ];
    const orders = plan.map(([id, seller]) => ({ id, orderId: order(seller, US) }));
    for (const o of orders) await created(o.id, o.orderId);
    for (const o of orders) {
      const other = o.id === 'a' ? 'b' : 'a';
      expect(await sage[o.id]!.findSalesOrder({ amazonOrderId: o.orderId }), `${o.orderId} in ${o.id}`).toBeDefined();
      expect(await sage[other]!.findSalesOrder({ amazonOrderId: o.orderId }), `${o.orderId} not in ${other}`).toBe(
        undefined,
      );
    }
    // Each Sage call ran on its own connection's agent.
    expect(agents['a']!.agent.state().executed).toBeGreaterThan(0);
    expect(agents['b']!.agent.state().executed).toBeGreaterThan(0);
    const metrics = await runtime.metrics.registry.getSingleMetricAsString('sellbridge_agent_online');
    expect(metrics).toContain('sellbridge_agent_online{connection="a"} 1');
    expect(metrics).toContain('sellbridge_agent_online{connection="b"} 1');
    const info = await runtime.metrics.registry.getSingleMetricAsString('sellbridge_agent_info');
    expect(info).toContain(`connection="a",version="${SELLBRIDGE_VERSION}"`);
    expect(info).toContain(`connection="b",version="${SELLBRIDGE_VERSION}"`);
  }, 90_000);

  it("a credential reaches only its own connection's hub; an agent of a connection not served here is refused", async () => {
    // An agent enrolled for A, whatever it asks, is handed A's channel (the welcome names A), never B's.
    const { readFileSync } = await import('node:fs');
    const credentialA = (JSON.parse(readFileSync(join(dir, 'agent-a.json'), 'utf8')) as { credential: string })
      .credential;
    const agentB = statusOf('b')!.agentId;
    const asA = await dial(agentHeaders(credentialA));
    expect(asA.status).toBe(101);
    expect(JSON.parse(asA.body)).toMatchObject({ t: 'welcome', connectionId: 'a' });
    expect(statusOf('b')).toMatchObject({ online: true, agentId: agentB });
    await online('a'); // the real agent A dials back in after the test's channel replaced and left it

    // An agent enrolled for a connection this process does not serve in hosted mode: 403, named, and it stops.
    const foreign = runAgent('elsewhere', await enrol('elsewhere'));
    const err = (await foreign.done) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(
      /HTTP 403: agent \S+ is enrolled for connection elsewhere, which is not a hosted-mode \(sage500.kind agent\) connection of this hub; this hub serves a, b/,
    );
    delete agents['elsewhere'];
    const unknown = await dial(agentHeaders('00000000-0000-0000-0000-000000000000.sba_nope'));
    expect(unknown.status).toBe(401);
    expect(logLines.join('')).toMatch(/agent refused: agent \S+ is enrolled for connection elsewhere/);
    expect(logLines.join('')).not.toContain('sba_'); // no credential in the hub's log
  }, 60_000);

  it('one agent offline makes only its connection wait (SB_AGENT_OFFLINE); the other keeps working', async () => {
    const a = agents['a']!;
    a.abort.abort();
    await a.done;
    await waitUntil(async () => statusOf('a')?.online === false, 15_000, 'the hub to see agent a gone');
    const from = events.length;
    const aOrders = [order(0, US), order(0, US)];
    await waitUntil(
      async () =>
        events.slice(from).some((e) => e.job.key.startsWith('a/') && 'code' in e && e.code === 'SB_AGENT_OFFLINE'),
      30_000,
      "a's Sage calls to fail SB_AGENT_OFFLINE",
    );
    const bOrders = [order(1, US), order(1, US)];
    for (const id of bOrders) await created('b', id);
    expect(runtime.connections.engine('b')!.circuits.sage500.state()).toBe('closed');
    for (const id of aOrders) expect((await links('a').get('a', id))?.state).not.toBe('created');
    // Only a's jobs waited for an agent, and none of them was dead-lettered.
    expect(events.slice(from).filter((e) => e.job.key.startsWith('b/') && 'code' in e)).toEqual([]);
    expect(events.slice(from).filter((e) => e.type === 'dead')).toEqual([]);

    // Agent a back (its stored credential): its orders go through, into its own company.
    runAgent('a');
    await online('a');
    for (const id of aOrders) await created('a', id, 60_000);
    for (const id of aOrders) expect(await sage['a']!.findSalesOrder({ amazonOrderId: id })).toBeDefined();
  }, 120_000);

  it('a connection added through the admin API gets its hub and its agent at once; removing it closes its channel', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: {
        id: 'c',
        amazon: { marketplaceIds: [CA] },
        sage500: { kind: 'agent', tranNoPrefix: 'AZC' },
        orders: {
          customers: { [CA]: { customerId: 'AMAZON-CA', currency: 'CAD', warehouseId: 'MAIN' } },
          poll: { enabled: true, everyMs: C_POLL_MS },
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect((res.json() as { connection: { state: string; sageKind: string } }).connection).toMatchObject({
      state: 'active',
      sageKind: 'agent',
    });
    expect(statusOf('c')).toMatchObject({ online: false });
    const c = runAgent('c', await enrol('c'));
    await online('c');
    const caOrder = order(0, CA);
    await created('c', caOrder, C_POLL_MS * 2 + 20_000);
    expect(await sage['c']!.findSalesOrder({ amazonOrderId: caOrder })).toMatchObject({ customerId: 'AMAZON-CA' });
    expect(await sage['a']!.findSalesOrder({ amazonOrderId: caOrder })).toBeUndefined();

    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/connections/c', headers: auth });
    expect(removed.statusCode, removed.body).toBeLessThan(300);
    const err = (await c.done) as Error;
    expect(err.message).toMatch(/connection c was removed from this hub/);
    delete agents['c'];
    expect(runtime.agentStatus().map((s) => s.connectionId)).toEqual(['a', 'b']);
    // Its credential no longer reaches any hub in this process; a and b are untouched.
    const { readFileSync } = await import('node:fs');
    const credentialC = (JSON.parse(readFileSync(join(dir, 'agent-c.json'), 'utf8')) as { credential: string })
      .credential;
    const again = await dial(agentHeaders(credentialC));
    expect(again.status).toBe(403);
    expect(statusOf('a')!.online && statusOf('b')!.online).toBe(true);
  }, 120_000);
});
