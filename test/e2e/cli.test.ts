import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SellbridgeError } from '../../src/core/errors.ts';
import { openStore } from '../../src/runtime/store/store.ts';
import { listAudit } from '../../src/runtime/audit.ts';
import { makeQueue, waitUntil } from '../helpers/queue-env.ts';

const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const FIVE_MISTAKES = fileURLToPath(new URL('../fixtures/config/five-mistakes.yaml', import.meta.url));

/** Runs the CLI as a subprocess in `cwd`, with no SELLBRIDGE_* variables inherited. */
function cli(args: string[], cwd: string, input?: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'sb-cli-'));

describe('sellbridge CLI (subprocess)', () => {
  it('--help lists the commands and how configuration is read', () => {
    const r = cli(['--help'], tempDir());
    expect(r.code).toBe(0);
    for (const c of ['run', 'migrate', 'config', 'init', 'jobs', 'dlq'])
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    expect(r.stdout).toContain('SELLBRIDGE_');
  });

  it('prints five clear errors for a config with five mistakes and exits 2', () => {
    const r = cli(['--config', FIVE_MISTAKES, 'config', 'check'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SB_CFG_INVALID');
    expect(r.stderr).toContain('configuration has 5 problems');
    const numbered = r.stderr.split('\n').filter((l) => /^\s+\d\. /.test(l));
    expect(numbered).toHaveLength(5);
    for (const path of ['store.url', 'jobs.concurrency', 'jobs.leaseMS', 'log.level', 'server.port'])
      expect(r.stderr).toContain(path);
  });

  it('init writes a sample that config check accepts; init refuses to overwrite', () => {
    const dir = tempDir();
    expect(cli(['init'], dir).code).toBe(0);
    const check = cli(['config', 'check'], dir);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('configuration OK');
    const again = cli(['init'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });

  it('exits quietly when the reader of its output goes away (`sellbridge --help | head`) (issue 13)', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
    const child = spawn(process.execPath, [BIN, '--help'], { cwd: tempDir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Close the read end before the CLI writes: its first write meets EPIPE, as after `head` has exited.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('rejects an unknown command with usage help', () => {
    const r = cli(['frobnicate'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command');
  });

  it(
    'inspects, replays (with an edited payload) and discards dead letters, all audited',
    { timeout: 180_000 },
    async () => {
      const dir = tempDir();
      const url = `sqlite:${join(dir, 'state.db')}`;
      expect(cli(['--store', url, 'migrate'], dir).stdout).toContain('applied');

      // Make two dead letters the way a flow would: a handler that rejects the payload.
      const store = openStore({ url });
      const queue = await makeQueue(store);
      queue.register('order.sync', async (p) => {
        const sku = (p as { sku: string }).sku;
        if (sku === 'BAD')
          throw new SellbridgeError(
            'SB_JOB_PAYLOAD_INVALID',
            `order ${(p as { order: string }).order}: sku: ${sku} is unknown`,
          );
      });
      await queue.start();
      await queue.enqueue('order.sync', { order: '111-1', sku: 'BAD' }, { key: 'order.sync:111-1' });
      await queue.enqueue('order.sync', { order: '111-2', sku: 'BAD' }, { key: 'order.sync:111-2' });
      await waitUntil(async () => (await queue.listJobs({ state: 'dead' })).length === 2, 20_000, 'two dead letters');
      await queue.stop();

      const list = cli(['--store', url, 'dlq', 'list', '--json'], dir);
      expect(list.code, list.stderr).toBe(0);
      const letters = JSON.parse(list.stdout) as { id: string; payload: { order: string } }[];
      expect(letters).toHaveLength(2);
      const [first, second] = [...letters].sort((a, b) => a.payload.order.localeCompare(b.payload.order));

      const shown = cli(['--store', url, 'dlq', 'show', first!.id], dir);
      expect(shown.stdout).toContain('SB_JOB_PAYLOAD_INVALID');
      expect(shown.stdout).toContain('order 111-1: sku: BAD is unknown');
      expect(shown.stdout).toContain('"sku": "BAD"');

      const fixed = join(dir, 'fixed.json');
      writeFileSync(fixed, JSON.stringify({ order: '111-1', sku: 'GOOD' }));
      const replay = cli(['--store', url, 'dlq', 'replay', first!.id, '--payload', fixed, '--actor', 'ops:ana'], dir);
      expect(replay.code, replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(/replayed as job [0-9a-f-]{36}/);

      const discard = cli(
        ['--store', url, 'dlq', 'discard', second!.id, '--reason', 'test order', '--actor', 'ops:ana'],
        dir,
      );
      expect(discard.code, discard.stderr).toBe(0);
      expect(cli(['--store', url, 'dlq', 'replay', second!.id], dir).stderr).toContain('SB_DLQ_ALREADY_RESOLVED');
      expect(cli(['--store', url, 'dlq', 'list'], dir).stdout).toContain('no open dead letters');

      // `run --once` runs the replayed job with the corrected payload.
      const worker = await makeQueue(store);
      const done: unknown[] = [];
      worker.register('order.sync', async (p) => void done.push(p));
      await worker.start();
      await waitUntil(async () => done.length === 1, 20_000, 'the replayed job');
      await worker.stop();
      expect(done).toEqual([{ order: '111-1', sku: 'GOOD' }]);

      const jobs = JSON.parse(cli(['--store', url, 'jobs', 'list', '--json'], dir).stdout) as {
        counts: { queue: string; state: string; count: number }[];
      };
      expect(jobs.counts).toContainEqual({ queue: 'order.sync', state: 'dead', count: 2 });
      expect(jobs.counts).toContainEqual({ queue: 'order.sync', state: 'completed', count: 1 });

      const audit = await listAudit(store.db);
      expect(audit.map((a) => `${a.actor} ${a.action}`).sort()).toEqual(['ops:ana dlq.discard', 'ops:ana dlq.replay']);
      await store.close();
    },
  );

  it('run serves health checks and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
    const child = spawn(process.execPath, [BIN, '--set', 'server.port=0', '--set', 'log.level=warn', 'run'], {
      cwd: dir,
      env,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const url = await waitUntil(
      async () => /running .*: (http:\/\/\S+)\/healthz/.exec(out)?.[1],
      30_000,
      'the server to start',
    );
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('sellbridge stopped');
  });

  it('run --once drains due jobs and exits 0 on the embedded store', () => {
    const dir = tempDir();
    const r = cli(['run', '--once'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('store sqlite, engine sqlite');
  });
});
