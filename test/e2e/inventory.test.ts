import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAmazonSimulator, type AmazonSimulator } from '../../src/simulator/amazon/index.ts';
import { simulatorConfigOverrides } from '../helpers/simulator-connection.ts';

// `sellbridge inventory` / `prices` as a subprocess against the Sage sandbox (demo company) and the SP-API
// simulator in this process (so the CLI is spawned asynchronously: the simulator must keep answering).
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
let sim: AmazonSimulator;
let dir: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const sets = [
    ...simulatorConfigOverrides(sim.url),
    { path: 'sage500.sandboxPath', value: join(dir, 'sage.db') },
    { path: 'inventory.feedPollMs', value: '200' },
  ].flatMap((o) => ['--set', `${o.path}=${o.value}`]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--store', `sqlite:${join(dir, 'state.db')}`, ...sets, ...args], {
      cwd: dir,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-inventory-'));
  sim = await createAmazonSimulator({
    seed: 2,
    orders: 0,
    limits: false,
    processingDelayMs: 300,
    scenario: { skus: ['AMZ-RED', 'GADGET-US'] },
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('sellbridge inventory / prices (subprocess)', () => {
  it('links SKUs, dry-runs (nothing sent), syncs and follows the feed, reconciles to CSV and JSON', async () => {
    expect((await cli(['inventory', 'link', 'AMZ-RED', 'WIDGET-RED'])).stdout).toContain(
      'linked AMZ-RED (ATVPDKIKX0DER, MFN) -> Sage item WIDGET-RED',
    );
    expect((await cli(['inventory', 'link', 'GADGET-US', 'GADGET-PRO'])).code).toBe(0);

    const dry = await cli(['inventory', 'sync', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run (quantity): 2 SKUs, 2 to change, 0 held, 0 blocked; nothing sent');
    expect(dry.stdout).toMatch(/AMZ-RED\s+quantity\s+120\s+feed\s+available 120 in MAIN = 120/);
    expect(dry.stdout).toContain('would build 1 feed(s): ATVPDKIKX0DER 2 messages');
    expect(dry.stdout).toContain('schema valid');
    expect(sim.control.listing('AMZ-RED')!.attributes['fulfillment_availability']![0]!['quantity']).toBe(25);

    const prices = await cli(['prices', 'sync', '--dry-run']);
    expect(prices.stdout).toMatch(/GADGET-US\s+price\s+149\.00 USD/);

    const sync = await cli(['inventory', 'sync', '--wait']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(
      'quantity sync: 2 SKUs, 2 changed; fast lane 0 sent, 0 rejected; 1 feed(s) queued (2 messages)',
    );
    expect(sync.stdout).toContain('feed 1/1: DONE; accepted 2, warnings 0, rejected 0; read back 2, not applied 0');
    expect(sim.control.listing('AMZ-RED')!.attributes['fulfillment_availability']![0]!['quantity']).toBe(120);

    const again = await cli(['inventory', 'sync', '--dry-run']);
    expect(again.stdout).toContain('2 SKUs, 0 to change');

    const rec = await cli(['inventory', 'reconcile', '--out', 'out']);
    expect(rec.code).toBe(0);
    expect(rec.stdout).toMatch(/checked \d+ SKUs/);
    const files = readdirSync(join(dir, 'out'));
    expect(files.filter((f) => f.endsWith('.csv'))).toHaveLength(1);
    const json = JSON.parse(
      readFileSync(
        join(
          dir,
          'out',
          files.find((f) => f.endsWith('.json'))!,
        ),
        'utf8',
      ),
    ) as { discrepancies: { sku: string; cause: string }[] };
    // Amazon shows what was sent for both linked SKUs; the simulator's other FBA SKUs are not linked.
    expect(json.discrepancies.filter((d) => d.sku === 'AMZ-RED' || d.sku === 'GADGET-US')).toEqual([]);
  }, 120_000);

  it('--help of inventory and prices explains the commands', async () => {
    const inv = await cli(['inventory', '--help']);
    expect(inv.stdout).toContain('reconcile');
    expect(inv.stdout).toContain('sellbridge inventory sync --dry-run');
    const pr = await cli(['prices', '--help']);
    expect(pr.stdout).toContain('SB_LIST_PRICE_HELD');
  }, 60_000);
});
