import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEMO_BAD_SKU,
  MIN_GERMAN_DEMO_ORDERS,
  expectationsOf,
  planDemoScenario,
  planGermanScenario,
  totalExpectations,
  type DemoExpectations,
} from '../../src/demo/scenario.ts';
import type { DemoResult } from '../../src/demo/run-demo.ts';
import { waitUntil } from '../helpers/queue-env.ts';

const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));

/** What each connection should show for `orders`: the US seller plays the scenario, the German seller a third as many plain orders. */
function expectationsFor(orders: number): { us: DemoExpectations; de: DemoExpectations; total: DemoExpectations } {
  const us = expectationsOf(planDemoScenario(orders));
  const de = expectationsOf(planGermanScenario(Math.max(MIN_GERMAN_DEMO_ORDERS, Math.round(orders / 3))));
  return { us, de, total: totalExpectations([us, de]) };
}

/** Runs the CLI as a subprocess in a temp dir, with no SELLBRIDGE_* variables inherited. */
function cli(args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'sb-demo-e2e-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, cwd };
}

describe('sellbridge demo (subprocess: simulator, Sage sandbox and engine on fresh SQLite files)', () => {
  it('--json: the summary matches what the scenario says should happen, read back from the store, Sage and Amazon', () => {
    const orders = 12;
    const r = cli(['demo', '--orders', String(orders), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as DemoResult & { kept: boolean };
    const { us, de, total: expected } = expectationsFor(orders);
    expect(result.expected).toEqual(expected);
    expect(result.mismatches).toEqual([]);
    const s = result.summary;
    expect(s.received).toBe(expected.received);
    expect(s.created).toBe(expected.created);
    expect(s.cancelled).toBe(expected.cancelled);
    expect(s.shipped).toBe(expected.shipped);
    expect(s.confirmed).toBe(expected.shipped);
    // Every package the warehouse shipped is confirmed at Amazon, each by exactly one accepted call.
    expect(s.packagesConfirmed).toBe(s.packagesShipped);
    expect(s.packagesConfirmedTwice).toBe(0);
    // Split shipments add a package each beyond one per shipped order.
    expect(s.splitShipments).toBeGreaterThan(0);
    expect(s.packagesShipped).toBe(expected.shipped + s.splitShipments);
    expect(s.deadLettered.map((d) => d.code)).toEqual(expected.deadLetterCodes);
    expect(s.deadLettered.map((d) => d.amazonOrderId)).toEqual(result.scenario.badSku);
    expect(s.deadLettered[0]!.reason).toContain(DEMO_BAD_SKU);
    // Issue 21: two connections, a row each. The US seller (NA endpoint) books into the demo company in dollars, the
    // German seller (Amazon.de, EU endpoint) into the German company in euros, with its own customer.
    expect(result.connections.map((c) => [c.id, c.region, c.marketplace, c.currency, c.companyId])).toEqual([
      ['us', 'na', 'Amazon.com', 'USD', 'SOA'],
      ['de', 'eu', 'Amazon.de', 'EUR', 'SDE'],
    ]);
    const [usRow, deRow] = result.connections;
    expect(usRow!.sageCustomers).toEqual(['AMAZON-US USD']);
    expect(deRow!.sageCustomers).toEqual(['AMAZON-DE EUR']);
    for (const [row, want] of [
      [usRow!, us],
      [deRow!, de],
    ] as const) {
      expect(row.expected).toEqual(want);
      expect(row.summary).toMatchObject({
        received: want.received,
        created: want.created,
        cancelled: want.cancelled,
        shipped: want.shipped,
        confirmed: want.shipped,
        deadLettered: want.deadLettered,
      });
      expect(row.summary.packagesConfirmed).toBe(row.summary.packagesShipped);
    }
    // Fresh files in a temp dir, removed afterwards.
    expect(result.kept).toBe(false);
    expect(existsSync(result.dir)).toBe(false);
  }, 90_000);

  it('prints a line per stage and the summary table on a non-terminal, keeps the files with --dir, exits 0', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sb-demo-keep-')), 'files');
    const r = cli(['demo', '--orders', '8', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('\r');
    for (const stage of ['orders arrive', 'cancels', 'ships']) expect(r.stdout).toContain(stage);
    const { us, de, total: expected } = expectationsFor(8);
    expect(r.stdout).toMatch(new RegExp(`^  received\\s+${expected.received}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  created in Sage\\s+${expected.created}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  shipped\\s+${expected.shipped}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  confirmed to Amazon\\s+${expected.shipped}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  dead-lettered\\s+${expected.deadLettered}\\b`, 'm'));
    expect(r.stdout).toContain('SB_MAP_SKU_UNKNOWN');
    // A row per connection: id, seller (region), marketplace (currency), Sage company, then its counts.
    const row = (id: string, rest: string, e: DemoExpectations) =>
      new RegExp(
        `^  ${id}\\s+\\S+ \\(${rest}\\s+${e.received}\\s+${e.created}\\s+${e.cancelled}\\s+${e.shipped}\\s+${e.shipped}\\s+${e.deadLettered}$`,
        'm',
      );
    expect(r.stdout).toContain('Per connection');
    expect(r.stdout).toMatch(row('us', 'NA\\)\\s+Amazon\\.com \\(USD\\)\\s+SOA', us));
    expect(r.stdout).toMatch(row('de', 'EU\\)\\s+Amazon\\.de \\(EUR\\)\\s+SDE', de));
    expect(r.stdout).not.toContain('NOT AS EXPECTED');
    for (const f of ['sellbridge.db', 'sage500-sandbox.db', 'sellbridge.yaml', 'sellbridge.log'])
      expect(existsSync(join(dir, f)), f).toBe(true);
  }, 90_000);

  it('--serve keeps the engine and dashboard up after the summary; the printed one-time token signs in to the admin API; Ctrl+C stops it with exit 0', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sb-demo-serve-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
    const child = spawn(process.execPath, [BIN, 'demo', '--orders', '6', '--serve'], { cwd, env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const signIn = await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no sign-in line within 90 s:\n${out}`)), 90_000);
        child.stdout.on('data', () => {
          const m = /Dashboard: (\S+)\nSign in with this admin token \(valid until you stop the demo\): (\S+)/.exec(
            out,
          );
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        });
      });
      const [, dashboard, token] = signIn;
      expect(out).toContain('dead-lettered');
      const base = new URL(dashboard!).origin;
      expect((await fetch(`${base}/api/v1/overview`)).status).toBe(401);
      const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      const letters = (await (
        await fetch(`${base}/api/v1/dead-letters`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { deadLetters: unknown[] };
      expect(letters.deadLetters).toHaveLength(1);
      expect((await fetch(dashboard!)).status).toBe(200);
      // Issue 21: the overview shows the engine's state and figures (written by the engine to the store within a
      // few seconds), not "not wired in this server process" and "no orders measured" once orders moved past created.
      type Overview = {
        health: Record<'sage' | 'amazon', { ok: boolean | null; lastCallAt: string | null }>;
        latency: { samples: number; orderToSageP50Ms: number | null };
      };
      const { total: expected } = expectationsFor(6);
      const overview = await waitUntil(
        async () => {
          const o = (await (
            await fetch(`${base}/api/v1/overview`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as Overview;
          return o.health.sage.ok && o.health.amazon.ok && o.latency.samples === expected.created ? o : null;
        },
        30_000,
        "the demo engine's Sage and Amazon calls and its orders' latency on the overview",
      );
      expect(overview.health.sage.lastCallAt).toBeTruthy();
      expect(overview.health.amazon.lastCallAt).toBeTruthy();
      expect(overview.latency.orderToSageP50Ms).not.toBeNull();
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it('refuses a scenario too small to show its cases, with exit 2', () => {
    const r = cli(['demo', '--orders', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--orders');
  });
});
