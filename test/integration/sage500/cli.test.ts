import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Parser } from 'node-sql-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { CliContext } from '../../../src/cli/context.ts';
import { createCliContext } from '../../../src/cli/context.ts';
import { createSandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { money } from '../../../src/core/model/money.ts';

const dir = mkdtempSync(join(tmpdir(), 'sellbridge-sage500-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const base = createCliContext({});
  const ctx: CliContext = { ...base, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
  // The sandbox path is a global flag; it may follow the command.
  const code = await main([...args, '--set', `sage500.sandboxPath=${join(dir, 'sandbox.db')}`], ctx);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('sellbridge sage500 (CLI, in process)', () => {
  it('creates and resets the sandbox, then shows an order read-only', async () => {
    const reset = await run(['sage500', 'sandbox', '--reset']);
    expect(reset).toMatchObject({ code: 0 });
    expect(reset.out).toContain('timItem: 12'); // 5 goods + 7 charge items
    expect(reset.out).toContain('companies: SDE (Sellbridge Demo GmbH, EUR), SOA (Sellbridge Demo Company, USD)');
    const gw = await createSandboxGateway({ path: join(dir, 'sandbox.db') });
    await gw.createSalesOrder(
      {
        customerId: 'AMAZON-US',
        amazonOrderId: '111-1111111-1111111',
        orderDate: '2026-11-20T10:00:00Z',
        currency: 'USD',
        warehouseId: 'MAIN',
        lines: [
          {
            lineNo: 1,
            itemId: 'MUG-LOGO',
            quantity: 4,
            unitPrice: money('USD', 1200),
            amazonOrderItemId: '55555555555555',
          },
        ],
      },
      { tranNo: 'AZ00000777' },
    );
    await gw.close();
    const show = await run(['sage500', 'show', 'order', 'AZ00000777']);
    expect(show.code).toBe(0);
    expect(show.out).toContain('AZ00000777-SO');
    expect(show.out).toMatch(/MUG-LOGO\s+4 x 12\.00 USD {2}MAIN {2}item 55555555555555/);
    expect((await run(['sage500', 'show', 'order', '111-1111111-1111111', '--amazon'])).out).toContain(
      'TranNo AZ00000777',
    );
    const missing = await run(['sage500', 'show', 'order', 'NOPE']);
    expect(missing).toMatchObject({ code: 2, err: expect.stringContaining('SB_SAGE_ORDER_NOT_FOUND') });
  });

  it('prints the extension DDL for a DBA, as T-SQL batches that parse', async () => {
    const printed = await run(['sage500', 'install-extensions', '--print']);
    expect(printed.code).toBe(0);
    const batches = printed.out
      .split('\nGO')
      .map((b) => b.replace(/^--.*$/gm, '').trim())
      .filter(Boolean);
    // Four extension tables and the index of tsoSOLine_AMZ (SOKey).
    expect(batches).toHaveLength(5 + 1);
    for (const b of batches) new Parser().astify(b, { database: 'transactsql' });
    expect(await run(['sage500', 'install-extensions'])).toMatchObject({
      code: 0,
      out: expect.stringContaining('6 idempotent statements'),
    });
  });

  it('discover proposes the package/tracking table from the catalog and writes it after confirmation (--yes for scripts)', async () => {
    const file = join(dir, 'sellbridge.yaml');
    writeFileSync(file, '# kept\nsage500:\n  companyId: SOA\n');
    const shown = await run(['sage500', 'discover', '--config', file, '--no-write']);
    expect(shown).toMatchObject({
      code: 0,
      out: expect.stringContaining('tsoPackage: package PackageNo, tracking TrackingNo'),
    });
    // No terminal to confirm on: nothing is written without --yes.
    expect((await run(['sage500', 'discover', '--config', file])).out).toContain('not written');
    expect(readFileSync(file, 'utf8')).not.toContain('packageTable');
    const written = await run(['sage500', 'discover', '--config', file, '--yes']);
    expect(written.out).toContain(`written to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(
      '# kept\nsage500:\n  companyId: SOA\n  packageTable: tsoPackage\n  packageNoColumn: PackageNo\n  packageTrackingColumn: TrackingNo\n',
    );
    const printed = await run(['sage500', 'discover', '--print']);
    expect(printed.out).toContain('sys.parameters');
  });

  it('verify is clean on the sandbox (exit 0) and exits 1 naming each difference with its remedy', async () => {
    const clean = await run(['sage500', 'verify']);
    expect(clean).toMatchObject({ code: 0, out: expect.stringContaining('0 errors, 0 warnings, 0 notes') });
    const raw = new DatabaseSync(join(dir, 'sandbox.db'));
    raw.exec('ALTER TABLE tglJournalHdr DROP COLUMN ReverseJrnl');
    raw.close();
    const broken = await run(['sage500', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain('ERROR   tglJournalHdr.ReverseJrnl: column missing. Remedy:');
    expect(broken.out).toContain('1 errors, 0 warnings, 0 notes: the adapter would fail on this database');
    process.exitCode = undefined; // in process: verify's exit code would otherwise carry over to the next command
    // `sellbridge run` verifies the Sage company first and refuses to start: before any order, never in one.
    const started = await run(['run', '--once', '--store', `sqlite:${join(dir, 'store.db')}`]);
    expect(started.code).not.toBe(0);
    expect(started.err).toContain('SB_SAGE_SCHEMA_MISMATCH');
    expect(started.err).toContain('tglJournalHdr.ReverseJrnl: column missing');
    await run(['sage500', 'sandbox', '--reset']);
    const after = await run(['run', '--once', '--store', `sqlite:${join(dir, 'store.db')}`]);
    expect(after, after.err).toMatchObject({
      code: 0,
      out: expect.stringContaining('sage500 verify (sandbox, company SOA): 0 errors'),
    });
  });
});
