// npm run bench -- agent [--calls N] [--concurrency C]
// Hosted mode's channel: Sage 500 gateway calls made in-process on the sandbox, then the same calls made by a hub
// (createAgentHub, this process) through a `sellbridge agent` process (the CLI, beside a fresh sandbox of its own) over
// a WebSocket on loopback. Per operation: mean and p50/p99 latency of sequential calls and the added latency; then
// throughput (ops/s) with C calls in flight. Loopback hides network distance: add the customer's round trip to
// the hub for a real deployment. Figures vary with the machine; compare the differences.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSandboxGateway } from '../src/connectors/sage500/sandbox-gateway.ts';
import { createAgentHub } from '../src/connectors/sage500/remote/hub.ts';
import type { Sage500Gateway } from '../src/core/ports/sage500-gateway.ts';
import type { SalesOrderDraft } from '../src/core/model/sales-order.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createAgentRegistry } from '../src/runtime/agents/registry.ts';
import { systemClock } from '../src/runtime/clock.ts';
import { openStore } from '../src/runtime/store/store.ts';
import { SELLBRIDGE_VERSION } from '../src/runtime/version.ts';
import { startCli } from '../test/helpers/agent-procs.ts';
import { waitUntil } from '../test/helpers/queue-env.ts';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '16' } },
});
const N = Number(values.calls);
const C = Number(values.concurrency);
const dir = mkdtempSync(join(tmpdir(), 'sb-bench-agent-'));
// One fresh sandbox per phase, so neither runs on a company the other has already filled with orders.
const localSagePath = join(dir, 'sage-local.db');
const sagePath = join(dir, 'sage-agent.db');

let orderSeq = 0;
const draft = (): SalesOrderDraft => {
  orderSeq++;
  return {
    customerId: 'AMAZON-US',
    amazonOrderId: `111-${String(Date.now() % 10_000_000).padStart(7, '0')}-${String(orderSeq).padStart(7, '0')}`,
    orderDate: '2026-11-20T15:04:05.000Z',
    currency: 'USD',
    warehouseId: 'MAIN',
    shipMethodId: 'UPS-GND',
    lines: [{ lineNo: 1, itemId: 'WIDGET-RED', quantity: 1, unitPrice: { currency: 'USD', minor: 1999 } }],
  };
};
let tranSeq = 0;
const tranNo = (prefix: string) => `${prefix}${String(++tranSeq).padStart(8, '0')}`;

type Op = { name: string; call: (g: Sage500Gateway, prefix: string) => Promise<unknown> };
const OPS: Op[] = [
  { name: 'health', call: (g) => g.health() },
  { name: 'resolveItems', call: (g) => g.resolveItems(['WIDGET-RED', 'CABLE-USB-C', 'NOPE']) },
  { name: 'findSalesOrder', call: (g) => g.findSalesOrder({ tranNo: 'ZZ00000001' }) },
  { name: 'createSalesOrder', call: (g, p) => g.createSalesOrder(draft(), { tranNo: tranNo(p) }) },
];

interface Figures {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
async function latency(g: Sage500Gateway, op: Op, prefix: string, n: number): Promise<Figures> {
  for (let i = 0; i < 10; i++) await op.call(g, prefix); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op.call(g, prefix);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { meanMs: ms.reduce((s, x) => s + x, 0) / n, p50Ms: quantile(ms, 0.5), p99Ms: quantile(ms, 0.99) };
}
async function throughput(g: Sage500Gateway, op: Op, prefix: string, n: number, c: number): Promise<number> {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next++ < n) await op.call(g, prefix);
    }),
  );
  return n / ((performance.now() - t) / 1000);
}

const results: Record<string, { local: Figures; agent?: Figures; localOps: number; agentOps?: number }> = {};

// 1. In-process: the sandbox gateway as `sellbridge run` uses it beside Sage.
const local = await createSandboxGateway({
  path: localSagePath,
  companyId: 'SOA',
  userId: 'sellbridge',
  warehouseSimulator: { enabled: false },
});
for (const op of OPS)
  results[op.name] = {
    local: await latency(local, op, 'AL', N),
    localOps: await throughput(local, op, 'AL', N, C),
  };
await local.close();

// 2. Through the agent: hub here, `sellbridge agent` in its own process on a fresh sandbox file.
const store = openStore({ url: `sqlite:${join(dir, 'state.db')}` });
await store.migrate();
const registry = createAgentRegistry(store, systemClock);
const { token } = await registry.createEnrolment('default', 'bench');
const credential = await registry.enrol(token, 'bench-agent');
const hub = createAgentHub({
  connectionId: 'default',
  registry,
  hubVersion: SELLBRIDGE_VERSION,
  logger: createLogger({ level: 'silent' }),
  requestTimeoutMs: 30_000,
  heartbeatMs: 5_000,
  offlineRetryMs: 1_000,
});
const server = createServer((_req, res) => res.writeHead(404).end());
server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const hubUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const credentialFile = join(dir, 'agent.json');
writeFileSync(credentialFile, JSON.stringify({ hub: hubUrl, ...credential }), { mode: 0o600 });
const agent = await startCli(
  {
    'sage500.kind': 'sandbox',
    'sage500.sandboxPath': sagePath,
    'store.url': `sqlite:${join(dir, 'unused.db')}`,
    'log.level': 'warn',
  },
  ['agent', '--hub', hubUrl, '--credential-file', credentialFile, '--insecure-localhost'],
  /sellbridge agent is running/,
  { cwd: dir },
);
try {
  await waitUntil(async () => hub.status().online, 30_000, 'the agent to connect');
  for (const op of OPS) {
    results[op.name]!.agent = await latency(hub.gateway, op, 'AA', N);
    results[op.name]!.agentOps = await throughput(hub.gateway, op, 'AA', N, C);
  }
} finally {
  await agent.stop();
  await hub.close();
  await new Promise<void>((r) => server.close(() => r()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const f = (x: number) => x.toFixed(2);
console.log(
  `\nagent channel vs in-process gateway (sandbox), ${N} sequential calls per op, then ${N} calls with ${C} in flight`,
);
console.log(
  'operation        | in-process mean/p50/p99 ms | via agent mean/p50/p99 ms | added p50 ms | ops/s in-process | ops/s via agent',
);
for (const [name, r] of Object.entries(results)) {
  const a = r.agent!;
  console.log(
    `${name.padEnd(16)} | ${`${f(r.local.meanMs)} / ${f(r.local.p50Ms)} / ${f(r.local.p99Ms)}`.padEnd(26)} | ${`${f(a.meanMs)} / ${f(a.p50Ms)} / ${f(a.p99Ms)}`.padEnd(25)} | ${f(a.p50Ms - r.local.p50Ms).padStart(12)} | ${r.localOps.toFixed(0).padStart(16)} | ${r.agentOps!.toFixed(0).padStart(15)}`,
  );
}
