import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/bootstrap/doctor.ts';
import { createAmazonSimulator, DEFAULT_SELLER, type AmazonSimulator } from '../../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../helpers/simulator-connection.ts';

/**
 * `sellbridge doctor` as a subprocess against a demo-like set-up: the SP-API simulator (HTTP, LWA, SQS) and the
 * Sage sandbox. All OK; then the SQS queue, Sage and the LWA endpoint are each made unreachable in turn, and the
 * report names exactly that check, with its fix, and exits 2.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sb-doctor-'));
let sim: AmazonSimulator;
let base: string[];
let closedPort: number;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function sellbridge(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function doctor(
  extra: Record<string, string> = {},
): Promise<{ code: number; report: DoctorReport; raw: string }> {
  const sets = Object.entries(extra).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
  const { code, stdout, stderr } = await sellbridge([...base, ...sets, 'doctor', '--json', '--timeout', '5000']);
  expect(stderr).toBe('');
  return { code, report: JSON.parse(stdout) as DoctorReport, raw: stdout };
}

const notOk = (r: DoctorReport) => r.checks.filter((c) => c.status !== 'ok' && c.status !== 'skipped').map((c) => c.id);

beforeAll(async () => {
  sim = await createAmazonSimulator({ seed: 16 });
  const { queueUrl } = sim.control.subscribe({ notificationType: 'ORDER_CHANGE', queueName: 'doctor-e2e' });
  closedPort = await freePort();
  base = [
    ...simulatorConfigOverrides(sim.url),
    { path: 'store.url', value: `sqlite:${join(dir, 'state.db')}` },
    { path: 'amazon.sqs.queueUrl', value: queueUrl },
    { path: 'amazon.sqs.endpoint', value: sim.url },
    { path: 'amazon.sqs.accessKeyId', value: 'sim' },
    { path: 'amazon.sqs.secretAccessKey', value: 'sim' },
    { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
  ].flatMap((s) => ['--set', `${s.path}=${s.value}`]);
  const migrated = await sellbridge([...base, 'migrate']);
  expect(migrated.code, migrated.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sellbridge doctor (subprocess) against the simulator and the Sage sandbox', () => {
  it('reports every check OK on a working set-up and exits 0', { timeout: 60_000 }, async () => {
    const { code, report, raw } = await doctor();
    expect(notOk(report), raw).toEqual([]);
    expect(code).toBe(0);
    expect(report.status).toBe('ok');
    const ids = report.checks.map((c) => c.id);
    for (const id of [
      'config',
      'store',
      'lwa-token',
      'sp-api:orders:ATVPDKIKX0DER',
      'sp-api:feeds',
      'sp-api:reports',
      'sp-api:notifications',
      'sqs',
      'sage',
      'sage-verify',
      'mapping',
      'clock',
      'disk',
      'last-order',
    ])
      expect(ids).toContain(id);
    expect(report.checks.filter((c) => c.status === 'skipped')).toEqual([]);
    expect(raw).not.toContain(DEFAULT_SELLER.refreshToken);
    expect(raw).not.toContain('"secret"');

    const text = await sellbridge([...base, 'doctor']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^OK +sqs: queue readable/m);
    expect(text.stdout).toMatch(/^OK: \d+ ok, 0 warning\(s\), 0 failure\(s\)/m);
  });

  it('names the SQS queue, and only it, when the queue cannot be reached', { timeout: 60_000 }, async () => {
    const { code, report } = await doctor({ 'amazon.sqs.endpoint': `http://127.0.0.1:${closedPort}` });
    expect(code).toBe(2);
    expect(notOk(report)).toEqual(['sqs']);
    const sqs = report.checks.find((c) => c.id === 'sqs')!;
    expect(sqs.status).toBe('fail');
    expect(sqs.fix).toMatch(/amazon\.sqs\.queueUrl and amazon\.sqs\.endpoint/);
  });

  it(
    'names Sage, and only it, when SQL Server cannot be reached, without printing the password',
    { timeout: 60_000 },
    async () => {
      const { code, report, raw } = await doctor({
        'sage500.kind': 'sqlserver',
        'sage500.url': `mssql://sb:S3cret-Pw@127.0.0.1:${closedPort}/SOA`,
        'sage500.connectTimeoutMs': '3000',
      });
      expect(code).toBe(2);
      expect(notOk(report)).toEqual(['sage']);
      const sage = report.checks.find((c) => c.id === 'sage')!;
      expect(sage.detail).toMatch(/cannot be reached/);
      expect(sage.fix).toMatch(/sage500\.url/);
      expect(report.checks.find((c) => c.id === 'sage-verify')!.status).toBe('skipped');
      expect(raw).not.toContain('S3cret-Pw');
    },
  );

  it(
    'names the LWA token, and only it, when Login with Amazon cannot be reached; the SP-API checks wait for it',
    { timeout: 60_000 },
    async () => {
      const { code, report } = await doctor({ 'amazon.lwaEndpoint': `http://127.0.0.1:${closedPort}/auth/o2/token` });
      expect(code).toBe(2);
      expect(notOk(report)).toEqual(['lwa-token']);
      const lwa = report.checks.find((c) => c.id === 'lwa-token')!;
      expect(lwa.detail).toMatch(/could not be reached/);
      expect(lwa.fix).toMatch(/amazon\.lwaEndpoint/);
      expect(report.checks.filter((c) => c.id.startsWith('sp-api:')).every((c) => c.status === 'skipped')).toBe(true);
      expect(report.checks.find((c) => c.id === 'clock')!.status).toBe('ok'); // measured against the SP-API host instead
    },
  );

  it('reports a missing SQLite store without creating it', { timeout: 60_000 }, async () => {
    const missing = join(dir, 'nowhere', 'state.db');
    const { code, report } = await doctor({ 'store.url': `sqlite:${missing}` });
    expect(code).toBe(2);
    expect(notOk(report)).toEqual(['store']);
    expect(report.checks.find((c) => c.id === 'store')!.fix).toMatch(/sellbridge migrate/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it('exits 2 with the config check when the configuration does not load', async () => {
    const { code, stdout } = await sellbridge([...base, '--set', 'store.url=mysql://x', 'doctor', '--json']);
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as DoctorReport;
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([['config', 'fail']]);
  });
});
