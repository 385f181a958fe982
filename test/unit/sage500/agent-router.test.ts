import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentHub, createAgentUpgradeRouter, type AgentHub } from '../../../src/connectors/sage500/remote/hub.ts';
import {
  AGENT_PROTOCOL,
  CHANNEL_PATH,
  HEADER_PROTOCOL,
  HEADER_VERSION,
} from '../../../src/connectors/sage500/remote/protocol.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createAgentRegistry, type AgentRegistry } from '../../../src/runtime/agents/registry.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { openStore, type Store } from '../../../src/runtime/store/store.ts';

/**
 * The process's one agent upgrade router in front of one hub per agent connection: each credential is authenticated
 * once and reaches only the hub of the connection it was enrolled for; everything else is refused with its status.
 */
const VERSION = '0.1.0';
const dir = mkdtempSync(join(tmpdir(), 'sb-agent-router-'));
const logger = createLogger({ level: 'silent' });
let store: Store;
let registry: AgentRegistry;
let hubs: Map<string, AgentHub>;
let unavailable: string | undefined;
let server: Server;
let direct: Server;
let url: string;
let directUrl: string;
const credentials: Record<string, string> = {};

const hub = (connectionId: string) =>
  createAgentHub({
    connectionId,
    registry,
    hubVersion: VERSION,
    logger,
    requestTimeoutMs: 5_000,
    heartbeatMs: 60_000,
    offlineRetryMs: 100,
  });
const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `ws://127.0.0.1:${(s.address() as { port: number }).port}`;
};
const headers = (credential: string, version = VERSION, protocol = AGENT_PROTOCOL) => ({
  authorization: `Bearer ${credential}`,
  [HEADER_VERSION]: version,
  [HEADER_PROTOCOL]: String(protocol),
});

type Outcome =
  | { kind: 'open'; ws: WebSocket; welcome: Record<string, unknown> }
  | { kind: 'refused'; status: number; error: string };
const dial = (base: string, h: Record<string, string>, path = CHANNEL_PATH) =>
  new Promise<Outcome>((resolve) => {
    const ws = new WebSocket(`${base}${path}`, { headers: h });
    ws.once('message', (d) =>
      resolve({ kind: 'open', ws, welcome: JSON.parse(d.toString()) as Record<string, unknown> }),
    );
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        resolve({ kind: 'refused', status: res.statusCode ?? 0, error: (JSON.parse(body) as { error: string }).error }),
      );
    });
  });

beforeAll(async () => {
  store = openStore({ url: `sqlite:${join(dir, 'state.db')}` });
  await store.migrate();
  registry = createAgentRegistry(store, systemClock);
  for (const id of ['a', 'b', 'z'])
    credentials[id] = (
      await registry.enrol((await registry.createEnrolment(id, 'test')).token, `agent-${id}`)
    ).credential;
  hubs = new Map([
    ['a', hub('a')],
    ['b', hub('b')],
  ]);
  const route = createAgentUpgradeRouter({
    registry,
    hubVersion: VERSION,
    logger,
    hubFor: (id) => hubs.get(id),
    served: () => [...hubs.keys()].sort(),
    unavailable: () => unavailable,
  });
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', route);
  url = await listen(server);
  // A hub on its own (its handleUpgrade), as a one-connection process or a misrouted socket would reach it.
  direct = createServer((_req, res) => res.writeHead(404).end());
  direct.on('upgrade', (req, socket, head) => hubs.get('b')!.handleUpgrade(req, socket, head));
  directUrl = await listen(direct);
});

afterAll(async () => {
  for (const h of hubs.values()) await h.close();
  await new Promise<void>((r) => server.close(() => r()));
  await new Promise<void>((r) => direct.close(() => r()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent upgrade router (several agent connections in one process)', () => {
  it("hands each agent's channel to the hub of its own connection", async () => {
    const a = await dial(url, headers(credentials['a']!));
    const b = await dial(url, headers(credentials['b']!));
    expect(a).toMatchObject({ kind: 'open', welcome: { t: 'welcome', connectionId: 'a' } });
    expect(b).toMatchObject({ kind: 'open', welcome: { t: 'welcome', connectionId: 'b' } });
    expect(hubs.get('a')!.status()).toMatchObject({ online: true, agentId: credentials['a']!.split('.')[0] });
    expect(hubs.get('b')!.status()).toMatchObject({ online: true, agentId: credentials['b']!.split('.')[0] });
    for (const o of [a, b]) if (o.kind === 'open') o.ws.close();
  });

  it('refuses an agent of a connection not served here (403), an unknown credential, another path or protocol', async () => {
    expect(await dial(url, headers(credentials['z']!))).toEqual({
      kind: 'refused',
      status: 403,
      error: `agent ${credentials['z']!.split('.')[0]} is enrolled for connection z, which is not a hosted-mode (sage500.kind agent) connection of this hub; this hub serves a, b`,
    });
    expect(await dial(url, headers('nobody.sba_x'))).toMatchObject({ kind: 'refused', status: 401 });
    expect(await dial(url, { ...headers(''), authorization: '' })).toMatchObject({ kind: 'refused', status: 401 });
    expect(await dial(url, headers(credentials['a']!), '/elsewhere')).toMatchObject({ kind: 'refused', status: 404 });
    expect(await dial(url, headers(credentials['a']!, '0.0.1', AGENT_PROTOCOL - 1))).toMatchObject({
      kind: 'refused',
      status: 426,
    });
    unavailable = 'this process runs no jobs';
    try {
      expect(await dial(url, headers(credentials['a']!))).toEqual({
        kind: 'refused',
        status: 503,
        error: 'this process runs no jobs',
      });
    } finally {
      unavailable = undefined;
    }
  });

  it("a hub never takes another connection's agent, even handed to it directly", async () => {
    expect(await dial(directUrl, headers(credentials['a']!))).toEqual({
      kind: 'refused',
      status: 403,
      error: `agent ${credentials['a']!.split('.')[0]} is enrolled for connection a; this hub serves b`,
    });
    expect(await dial(directUrl, headers(credentials['b']!))).toMatchObject({ kind: 'open' });
  });

  it("a removed connection's hub closes its agent's channel for good (4403), and its agent is refused after", async () => {
    const a = await dial(url, headers(credentials['a']!));
    expect(a.kind).toBe('open');
    if (a.kind !== 'open') return;
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      a.ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    const removed = hubs.get('a')!;
    hubs.delete('a');
    await removed.close({ removed: 'connection a was removed from this hub' });
    expect(await closed).toEqual({ code: 4403, reason: 'connection a was removed from this hub' });
    expect(await dial(url, headers(credentials['a']!))).toMatchObject({ kind: 'refused', status: 403 });
    expect(hubs.get('b')!.status().connectionId).toBe('b');
  });
});
