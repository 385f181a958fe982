import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import {
  AGENT_PROTOCOL,
  CHANNEL_PATH,
  HEADER_PROTOCOL,
  HEADER_VERSION,
} from '../../../src/connectors/sage500/remote/protocol.ts';
import { SELLBRIDGE_VERSION } from '../../../src/runtime/version.ts';
import { createAmazonSimulator, type AmazonSimulator, type CatalogItem } from '../../../src/simulator/amazon/index.ts';
import { startCli, startCuttableProxy, type CliProcess, type CuttableProxy } from '../../helpers/agent-procs.ts';
import { waitUntil } from '../../helpers/queue-env.ts';
import { simulatorConfigOverrides } from '../../helpers/simulator-connection.ts';

/**
 * Hosted mode end to end, every piece a separate process: the hub (`sellbridge run --role all`, sage500.kind agent,
 * no Sage of its own) and the agent (`sellbridge agent`, beside the Sage sandbox with its warehouse simulator),
 * linked through a TCP proxy the test cuts. Amazon is the SP-API simulator with its SQS queue. Each Sage call on
 * the agent is slowed (sandbox fault slowMs) so cuts and kills land while operations are in flight.
 */
const SKUS: CatalogItem[] = [
  { sku: 'WIDGET-RED', title: 'Widget, red', priceMinor: 1999 },
  { sku: 'CABLE-USB-C', title: 'USB-C cable 1 m', priceMinor: 949 },
];
const ADMIN = 'agent-test-admin-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'sb-agent-'));
const hubDir = join(dir, 'hub');
const agentDir = join(dir, 'agent');
mkdirSync(hubDir);
mkdirSync(agentDir);
const sagePath = join(agentDir, 'sage.db');
const credentialFile = join(agentDir, 'agent.json');

let sim: AmazonSimulator;
let hub: CliProcess & { match: RegExpMatchArray };
let hubUrl: string;
let hubSettings: Record<string, string>;
let proxy: CuttableProxy;
let agent: CliProcess | undefined;
let sage: SandboxGateway | undefined;
const orderIds: string[] = [];
/** Accepted confirmShipment calls per `<orderId>#<packageReferenceId>`. */
const confirmCalls = new Map<string, number>();

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${hubUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`${hubUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};
const enrolToken = async (connectionId?: string) => {
  const r = await api('POST', '/api/v1/agents/enrolments', connectionId ? { connectionId } : {});
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body['token'] as string;
};
const agentSettings = (extra: Record<string, string> = {}) => ({
  'sage500.kind': 'sandbox',
  'sage500.sandboxPath': sagePath,
  'sage500.warehouseSimulator.enabled': 'true',
  'sage500.warehouseSimulator.delayMs': '0',
  'sage500.faults.slowMs': '40',
  'store.url': `sqlite:${join(agentDir, 'unused-state.db')}`,
  'log.level': 'info',
  ...extra,
});
const startAgent = (options: { token?: string; file?: string; hubPort?: number } = {}) =>
  startCli(
    agentSettings(),
    [
      'agent',
      '--hub',
      `http://127.0.0.1:${options.hubPort ?? proxy.port}`,
      ...(options.token ? ['--token', options.token] : []),
      '--credential-file',
      options.file ?? credentialFile,
      '--insecure-localhost',
    ],
    /sellbridge agent is running/,
    { cwd: agentDir },
  );
const online = async () => {
  const r = await api('GET', '/api/v1/agents');
  return (r.body['agents'] as { online: boolean; revokedAt: string | null }[]).some((a) => a.online && !a.revokedAt);
};
const allShipped = (ids: readonly string[]) => async () =>
  ids.every((id) => sim.control.order(id)?.status === 'SHIPPED' && sim.control.order(id)!.packages.length > 0);

beforeAll(async () => {
  sim = await createAmazonSimulator({
    seed: 19,
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
    onExchange: (e) => {
      if (e.operation !== 'ordersV0.confirmShipment' || e.status >= 300) return;
      const orderId = /orders\/([^/]+)\/shipmentConfirmation/.exec(e.path)?.[1];
      const ref = (e.requestBody as { packageDetail?: { packageReferenceId?: string } } | undefined)?.packageDetail
        ?.packageReferenceId;
      confirmCalls.set(`${orderId}#${ref}`, (confirmCalls.get(`${orderId}#${ref}`) ?? 0) + 1);
    },
  });
  const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'agent-e2e' });
  const settings: Record<string, string> = Object.fromEntries(
    simulatorConfigOverrides(sim.url).map((s) => [s.path, s.value]),
  );
  hubSettings = {
    ...settings,
    'store.url': `sqlite:${join(hubDir, 'state.db')}`,
    'amazon.sqs.queueUrl': queueUrl,
    'amazon.sqs.endpoint': sim.url,
    'amazon.sqs.waitTimeSeconds': '1',
    'amazon.sqs.accessKeyId': 'sim',
    'amazon.sqs.secretAccessKey': 'sim',
    'sage500.kind': 'agent',
    'sage500.agent.heartbeatMs': '200',
    'sage500.agent.requestTimeoutMs': '15000',
    'sage500.unavailableRetryMs': '300',
    'orders.sageCircuit.openMs': '500',
    'orders.sageCircuit.failureThreshold': '2',
    'orders.shipmentPollEveryMs': '500',
    'jobs.pollIntervalMs': '100',
    'server.host': '127.0.0.1',
    'server.port': '0',
    'server.adminToken': ADMIN,
    'log.level': 'warn',
  };
  hub = await startCli(hubSettings, ['run', '--role', 'all'], /sellbridge is running .*: (http:\/\/\S+)\/healthz/, {
    cwd: hubDir,
  });
  hubUrl = hub.match[1]!;
  proxy = await startCuttableProxy(Number(new URL(hubUrl).port));
}, 90_000);

afterAll(async () => {
  await agent?.kill();
  await hub?.stop();
  await proxy?.close();
  await sage?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hosted mode: hub and agent processes', () => {
  it(
    'enrols the agent with a single-use token and flows orders end to end through it',
    { timeout: 120_000 },
    async () => {
      const token = await enrolToken();
      agent = await startAgent({ token });
      await waitUntil(online, 30_000, 'the agent to be online at the hub');
      // The credential is the agent's own, kept 0600; the token is spent.
      expect(existsSync(credentialFile)).toBe(true);
      const { statSync } = await import('node:fs');
      expect(statSync(credentialFile).mode & 0o777).toBe(0o600);
      const reuse = await fetch(`${hubUrl}/agent/v1/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(reuse.status).toBe(401);
      expect(((await reuse.json()) as { error: string }).error).toMatch(/already used/);

      const ids = sim.control.addOrders(4, { status: 'UNSHIPPED' }).map((o) => o.orderId);
      orderIds.push(...ids);
      await waitUntil(allShipped(ids), 90_000, 'the first orders to be shipped and confirmed at Amazon');
      // The hub never had a Sage of its own.
      expect(existsSync(join(hubDir, 'data', 'sage500-sandbox.db'))).toBe(false);
      expect(await metric('sellbridge_agent_online')).toBe(1);
      const agents = (await api('GET', '/api/v1/agents')).body['agents'] as { version: string; latencyMs: number }[];
      expect(agents[0]!.version).toBe(SELLBRIDGE_VERSION);
      // `sellbridge doctor` on the hub checks Sage through the agent's state.
      const doctor = await startCli(hubSettings, ['doctor', '--json'], /"checks"/, { cwd: hubDir });
      await doctor.exited;
      const report = JSON.parse(/^\{[\s\S]*^\}/m.exec(doctor.output())![0]) as {
        checks: { id: string; status: string; detail: string }[];
      };
      expect(report.checks.find((c) => c.id === 'sage')).toMatchObject({
        status: 'ok',
        detail: expect.stringMatching(/reached through agent/),
      });
    },
  );

  it('loses and doubles nothing when the channel is cut for a while and restored', { timeout: 150_000 }, async () => {
    const ids = sim.control.addOrders(6, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    orderIds.push(...ids);
    await waitUntil(async () => (await metric('sellbridge_agent_in_flight')) > 0, 30_000, 'an operation in flight');
    proxy.cut();
    await waitUntil(async () => !(await online()), 15_000, 'the hub to see the agent offline');
    // While the agent is away the Sage circuit opens: orders wait, they do not spend attempts.
    await waitUntil(
      async () => (await metric('sellbridge_circuit_state\\{target="sage500",connection="default"\\}')) >= 1,
      20_000,
      'the Sage circuit to open',
    );
    proxy.restore();
    await waitUntil(online, 30_000, 'the agent to reconnect');
    await waitUntil(allShipped(ids), 120_000, 'the orders of the cut to be shipped and confirmed');
    expect(agent!.output()).toMatch(/reconnecting/);
    // The hub saw the cut and kept what was on the channel. Whether an operation was still in flight at that instant
    // is a race (the metric showed one a moment before the cut; a fast sandbox may have answered it meanwhile), so
    // the count is not asserted here: a request resent with its id and answered once is agent-refuses.test.ts's case.
    expect(hub.output()).toMatch(/disconnected \(\d+\); \d+ operation\(s\) wait for it to come back/);
  });

  it('creates no duplicate when the agent is SIGKILLed mid-operation and restarted', { timeout: 150_000 }, async () => {
    const ids = sim.control.addOrders(6, { status: 'UNSHIPPED' }).map((o) => o.orderId);
    orderIds.push(...ids);
    await waitUntil(async () => (await metric('sellbridge_agent_in_flight')) > 0, 30_000, 'an operation in flight');
    await agent!.kill();
    await waitUntil(async () => !(await online()), 15_000, 'the hub to see the agent gone');
    agent = await startAgent(); // the stored credential, no token
    await waitUntil(online, 30_000, 'the restarted agent to be online');
    await waitUntil(allShipped(ids), 120_000, 'the orders of the kill to be shipped and confirmed');
  });

  it('has every order in Sage exactly once and every package confirmed exactly once', { timeout: 60_000 }, async () => {
    sage = await createSandboxGateway({
      path: sagePath,
      companyId: 'SOA',
      userId: 'sellbridge',
      warehouseSimulator: { enabled: false },
    });
    const n = Number(
      (
        await sage.db
          .selectFrom('tsoSalesOrder')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(n).toBe(orderIds.length);
    const keys = new Set<string>();
    for (const id of orderIds) {
      const so = await sage.findSalesOrder({ amazonOrderId: id });
      expect(so, id).toBeDefined();
      keys.add(so!.key);
    }
    expect(keys.size).toBe(orderIds.length);
    let packages = 0;
    for (const id of orderIds) packages += sim.control.order(id)!.packages.length;
    expect(confirmCalls.size).toBe(packages);
    expect([...confirmCalls].filter(([, c]) => c !== 1)).toEqual([]);
    const dead = await api('GET', '/api/v1/dead-letters?status=open');
    expect(dead.body['deadLetters']).toEqual([]);
  });

  it(
    'refuses a revoked agent, a foreign agent, a spent token and an incompatible version',
    { timeout: 90_000 },
    async () => {
      const list = (await api('GET', '/api/v1/agents')).body['agents'] as { id: string }[];
      const revoked = await api('DELETE', `/api/v1/agents/${list[0]!.id}`);
      expect(revoked.status).toBe(200);
      const code = await agent!.exited;
      expect(code).not.toBe(0);
      expect(agent!.output()).toMatch(/revoked/);
      // Started again with the revoked credential: refused at once.
      const again = await startAgent().catch((err: Error) => err);
      if (!(again instanceof Error)) {
        expect(await again.exited).not.toBe(0);
        expect(again.output()).toMatch(/revoked/);
      }

      // An agent enrolled for another connection is refused by this hub (it serves `default`).
      const foreignToken = await enrolToken('other-seller');
      const foreign = await startAgent({ token: foreignToken, file: join(agentDir, 'foreign.json') });
      expect(await foreign.exited).not.toBe(0);
      expect(foreign.output()).toMatch(
        /enrolled for connection other-seller, which is not a hosted-mode \(sage500.kind agent\) connection of this hub; this hub serves default/,
      );

      // Unknown credential and an agent speaking another protocol never get a channel.
      const refusal = (headers: Record<string, string>) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const ws = new WebSocket(`${hubUrl.replace('http', 'ws')}${CHANNEL_PATH}`, { headers });
          ws.on('open', () => reject(new Error('the channel opened')));
          ws.on('error', () => undefined);
          ws.on('unexpected-response', (_req, res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
        });
      const unknown = await refusal({
        authorization: 'Bearer 00000000-0000-0000-0000-000000000000.sba_nope',
        [HEADER_VERSION]: SELLBRIDGE_VERSION,
        [HEADER_PROTOCOL]: String(AGENT_PROTOCOL),
      });
      expect(unknown.status).toBe(401);
      const old = await refusal({
        authorization: 'Bearer x.y',
        [HEADER_VERSION]: '0.0.1',
        [HEADER_PROTOCOL]: String(AGENT_PROTOCOL - 1),
      });
      expect(old.status).toBe(426);
      expect(old.body).toContain(`install Sellbridge ${SELLBRIDGE_VERSION} on the agent`);
      expect(hub.output()).not.toContain('sba_'); // no credential in the hub's log
    },
  );
});
