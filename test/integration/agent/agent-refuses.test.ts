import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { CHANNEL_PATH, type ResultFrame } from '../../../src/connectors/sage500/remote/protocol.ts';
import { startCli, type CliProcess } from '../../helpers/agent-procs.ts';
import { waitUntil } from '../../helpers/queue-env.ts';

/**
 * The agent process (`sellbridge agent`, beside the Sage sandbox) against a hub the test plays itself, sending what
 * a real hub never would: operations outside the Sage 500 gateway's list, arguments of the wrong types, extra
 * fields. The agent refuses each, runs none, and still serves the named operations; a request sent twice with one
 * id runs once.
 */
const dir = mkdtempSync(join(tmpdir(), 'sb-agent-refuses-'));
const sagePath = join(dir, 'sage.db');
let server: Server;
let agent: CliProcess | undefined;
let channel: WebSocket | undefined;
const answers = new Map<string, ResultFrame>();

const draft = {
  customerId: 'AMAZON-US',
  amazonOrderId: '111-0000019-0000001',
  orderDate: '2026-11-20T15:04:05.000Z',
  currency: 'USD',
  warehouseId: 'MAIN',
  shipMethodId: 'UPS-GND',
  lines: [
    {
      lineNo: 1,
      itemId: 'WIDGET-RED',
      quantity: 2,
      unitPrice: { currency: 'USD', minor: 1999 },
      amazonOrderItemId: '12345678901234',
      sellerSku: 'WIDGET-RED',
    },
  ],
};

const ask = async (id: string, op: string, args: unknown[]): Promise<ResultFrame> => {
  channel!.send(JSON.stringify({ t: 'call', id, op, args }));
  return waitUntil(async () => answers.get(id), 15_000, `the answer to ${id} (${op})`);
};

beforeAll(async () => {
  const wss = new WebSocketServer({ noServer: true });
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== CHANNEL_PATH) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      channel = ws;
      ws.on('message', (d) => {
        const frame = JSON.parse(d.toString()) as ResultFrame;
        answers.set(frame.id, frame);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const credentialFile = join(dir, 'agent.json');
  writeFileSync(
    credentialFile,
    JSON.stringify({ hub: `http://127.0.0.1:${port}`, agentId: 'a1', connectionId: 'default', credential: 'a1.sba_x' }),
    { mode: 0o600 },
  );
  agent = await startCli(
    {
      'sage500.kind': 'sandbox',
      'sage500.sandboxPath': sagePath,
      'store.url': `sqlite:${join(dir, 'unused.db')}`,
      'log.level': 'info',
    },
    ['agent', '--hub', `http://127.0.0.1:${port}`, '--credential-file', credentialFile, '--insecure-localhost'],
    /sellbridge agent is running/,
    { cwd: dir },
  );
  await waitUntil(async () => channel, 30_000, 'the agent to open its channel');
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent runs only the Sage 500 gateway operations, with their types', () => {
  it('refuses operations outside the list, and the gateway close', async () => {
    for (const [i, op] of ['executeSql', 'dropTable', 'close', 'constructor', '__proto__', 'verify'].entries()) {
      const r = await ask(`bad-op-${i}`, op, ['DELETE FROM tsoSalesOrder']);
      expect(r.ok, op).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('SB_AGENT_OPERATION_REFUSED');
        expect(r.error.message).toContain("is not one of the Sage 500 gateway's operations");
      }
    }
  });

  it('refuses arguments of the wrong types or with extra fields, naming each field', async () => {
    const wrongType = await ask('bad-args-1', 'createSalesOrder', [
      { ...draft, lines: 'all' },
      { tranNo: 'AZ00000001' },
    ]);
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'SB_AGENT_OPERATION_REFUSED' } });
    if (!wrongType.ok) expect(wrongType.error.issues?.map((i) => i.field)).toContain('args.0.lines');
    const extra = await ask('bad-args-2', 'findSalesOrder', [{ tranNo: 'AZ1', sql: "' OR 1=1 --" }]);
    expect(extra).toMatchObject({ ok: false, error: { code: 'SB_AGENT_OPERATION_REFUSED' } });
    const float = await ask('bad-args-3', 'createSalesOrder', [
      { ...draft, lines: [{ ...draft.lines[0], unitPrice: { currency: 'USD', minor: 19.99 } }] },
      { tranNo: 'AZ00000001' },
    ]);
    expect(float).toMatchObject({ ok: false, error: { code: 'SB_AGENT_OPERATION_REFUSED' } });
    const missing = await ask('bad-args-4', 'getStock', [['WIDGET-RED']]);
    expect(missing).toMatchObject({ ok: false, error: { code: 'SB_AGENT_OPERATION_REFUSED' } });
  });

  it('runs the named operations, and a request resent with its id only once', async () => {
    const items = await ask('ok-1', 'resolveItems', [['WIDGET-RED', 'NOPE']]);
    expect(items).toMatchObject({ ok: true, value: { unknown: ['NOPE'] } });
    const first = await ask('create-1', 'createSalesOrder', [draft, { tranNo: 'AZ00000019' }]);
    expect(first).toMatchObject({ ok: true, value: { outcome: 'created' } });
    answers.delete('create-1');
    const resent = await ask('create-1', 'createSalesOrder', [draft, { tranNo: 'AZ00000019' }]);
    // The remembered answer (`created`), not a second run (which would say `existing`).
    expect(resent).toEqual(first);
    await waitUntil(async () => agent!.output().includes('answered from memory'), 5_000, 'the dedupe log line');

    // Nothing the refused requests carried reached Sage: one order, the one created above.
    const sage = await createSandboxGateway({
      path: sagePath,
      companyId: 'SOA',
      userId: 'sellbridge',
      warehouseSimulator: { enabled: false },
    });
    try {
      const n = await sage.db
        .selectFrom('tsoSalesOrder')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(1);
    } finally {
      await sage.close();
    }
    expect(agent!.output()).toMatch(/is not one of the Sage 500 gateway's operations/); // logged locally
  });
});
