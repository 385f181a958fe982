import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_BAD_SKU, expectationsOf, planDemoScenario } from '../../src/demo/scenario.ts';
import type { DemoResult } from '../../src/demo/run-demo.ts';

const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));

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
    const expected = expectationsOf(planDemoScenario(orders));
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
    const expected = expectationsOf(planDemoScenario(8));
    expect(r.stdout).toMatch(new RegExp(`^  received\\s+${expected.received}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  created in Sage\\s+${expected.created}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  shipped\\s+${expected.shipped}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  confirmed to Amazon\\s+${expected.shipped}\\b`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^  dead-lettered\\s+${expected.deadLettered}\\b`, 'm'));
    expect(r.stdout).toContain('SB_MAP_SKU_UNKNOWN');
    expect(r.stdout).not.toContain('NOT AS EXPECTED');
    for (const f of ['sellbridge.db', 'sage500-sandbox.db', 'sellbridge.yaml', 'sellbridge.log']) expect(existsSync(join(dir, f)), f).toBe(true);
  }, 90_000);

  it('refuses a scenario too small to show its cases, with exit 2', () => {
    const r = cli(['demo', '--orders', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--orders');
  });
});
