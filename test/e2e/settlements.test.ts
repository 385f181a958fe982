import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSandboxGateway } from '../../src/connectors/sage500/sandbox-gateway.ts';
import { addSettlementAccounts } from '../integration/settlement/sandbox-accounts.ts';

/**
 * `sellbridge settlements ...` as a subprocess against a SQLite store and a sandbox file: dry run prints the journal
 * and writes nothing, import posts once (again: nothing), a truncated file is quarantined with the row named and exit
 * code 2, list/show/reconcile read it back.
 */
const BIN = fileURLToPath(new URL('../../bin/sellbridge.js', import.meta.url));
const golden = (name: string) =>
  fileURLToPath(new URL(`../fixtures/golden-settlement/${name}/input.tsv`, import.meta.url));

let dir: string;
let sagePath: string;

function cli(...args: string[]) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
  const r = spawnSync(
    process.execPath,
    [BIN, '--store', `sqlite:${join(dir, 'state.db')}`, '--set', `sage500.sandboxPath=${sagePath}`, ...args],
    { cwd: dir, env, encoding: 'utf8' },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function batchCount(): Promise<number> {
  const sage = await createSandboxGateway({ path: sagePath, warehouseSimulator: { enabled: false } });
  try {
    const row = await sage.db
      .selectFrom('tglBatch')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } finally {
    await sage.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-settle-cli-'));
  sagePath = join(dir, 'sage.db');
  const sage = await createSandboxGateway({ path: sagePath, warehouseSimulator: { enabled: false } });
  await addSettlementAccounts(sage);
  await sage.close();
});

describe('sellbridge settlements (subprocess)', () => {
  it('import --dry-run prints the balanced journal and writes nothing; import posts once; again is a no-op', async () => {
    const dry = cli('settlements', 'import', golden('01-us-orders-fees'), '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: settlement 10000000001 would be posted; nothing written');
    expect(dry.stdout).toContain('journal settlement:10000000001:USD  date 2026-10-17  USD');
    expect(dry.stdout).toMatch(/^1050-00\s+1156\.16\s+10000000001 Amazon deposit$/m);
    expect(dry.stdout).toMatch(/^total\s+1344\.56\s+1344\.56\s+balanced$/m);
    expect(await batchCount()).toBe(0);

    const first = cli('settlements', 'import', golden('01-us-orders-fees'));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('settlement 10000000001 posted as unposted GL batch');
    // The same settlement gzipped, as a user might have saved it: one journal still.
    const gz = join(dir, 'again.tsv.gz');
    writeFileSync(gz, gzipSync(readFileSync(golden('01-us-orders-fees'))));
    const again = cli('settlements', 'import', gz);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('is already posted (revision 1');
    expect(await batchCount()).toBe(1);
  });

  it('a truncated file is quarantined with the row named, exit 2, nothing posted; list --quarantined shows it', async () => {
    const r = cli('settlements', 'import', golden('09-truncated-mid-line'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error SB_SETTLE_FILE_INVALID');
    expect(r.stderr).toContain('row 7: expected 23 tab-separated fields, found 15 (truncated or misaligned line)');
    expect(r.stderr).toContain('nothing was posted');
    expect(await batchCount()).toBe(1);
    const q = cli('settlements', 'list', '--quarantined', '--json');
    expect(q.code, q.stderr).toBe(0);
    expect((JSON.parse(q.stdout) as { code: string; issues: unknown[] }[]).map((f) => f.code)).toContain(
      'SB_SETTLE_FILE_INVALID',
    );
  });

  it('a 4 MB one-line file: short stderr, a bounded quarantine row, exit 2 (issue 13)', () => {
    const file = join(dir, 'one-line.tsv');
    writeFileSync(file, 'x\ty\t'.repeat((4 * 1024 * 1024) / 4));
    const r = cli('settlements', 'import', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error SB_SETTLE_FILE_INVALID');
    expect(r.stderr).toContain('row 1: header line is over 65536 characters');
    expect(r.stderr.length).toBeLessThan(5_000);
    const q = cli('settlements', 'list', '--quarantined', '--json');
    expect(q.stdout.length).toBeLessThan(50_000);
  });

  it('a truncated .gz names the file, its size and what to do (issue 13)', () => {
    const whole = gzipSync(readFileSync(golden('01-us-orders-fees')));
    const file = join(dir, 'cut.tsv.gz');
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const r = cli('settlements', 'import', file, '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SB_SETTLE_FILE_INVALID');
    expect(r.stderr).toContain('cut.tsv.gz');
    expect(r.stderr).toContain(`truncated gzip file (${Math.floor(whole.length / 2)} bytes)`);
    expect(r.stderr).toMatch(/download|copy it again/);
  });

  it('list, show and reconcile read the posted settlement back', () => {
    const list = cli('settlements', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(
      /10000000001\s+2026-10-17\s+2026-10-01\.\.2026-10-15\s+1156\.16 USD\s+\d+\s+posted\s+1/,
    );
    const show = cli('settlements', 'show', '10000000001');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('settlement 10000000001 (file:input.tsv): posted, revision 1');
    expect(show.stdout).toContain('1 never seen by Sellbridge');
    const rec = cli('settlements', 'reconcile', '--json');
    expect(rec.code, rec.stderr).toBe(0);
    expect(JSON.parse(rec.stdout)).toMatchObject({
      matched: [],
      neverSeen: [{ amazonOrderId: '111-0000001-0000001', settlementId: '10000000001' }],
      unsettled: [],
    });
    const missing = cli('settlements', 'show', '42');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no settlement 42 on record');
  });

  it("a EUR settlement into the USD sandbox company: posted with Sage's rate, which show prints with each home amount", () => {
    const imported = cli('settlements', 'import', golden('05-eu-format-reserve-advertising'));
    expect(imported.code, imported.stderr).toBe(0);
    const show = cli('settlements', 'show', '20000000005');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(
      'exchange rate EUR -> USD: 1.0825 (CurrExchRate; source sage-rate-table: Sage rate schedule DAILY, effective 2026-10-01)',
    );
    // The deposit 704.38 EUR at 1.0825 is 762.49 USD (762.49135 rounded).
    expect(show.stdout).toMatch(/^1050-00\s+704\.38\s+762\.49\s+20000000005 Amazon deposit$/m);
    expect(show.stdout).toContain(
      'cash in Sage: not applied by Sellbridge (settlements.cashApplication.enabled is false)',
    );
  });
});

describe('sellbridge run --once: a settlement report from Amazon (subprocess, simulator over HTTP)', () => {
  it('discover, then one run --once downloads the GZIP report and posts it: the job a finished job enqueues runs too', async () => {
    const { createAmazonSimulator } = await import('../../src/simulator/amazon/index.ts');
    const { simulatorConfigOverrides } = await import('../helpers/simulator-connection.ts');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    // Asynchronous: the simulator answers from this process, so its event loop must keep running.
    const cliAsync = async (...args: string[]) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SELLBRIDGE_')));
      const argv = [BIN, '--set', `sage500.sandboxPath=${sagePath}`, ...args];
      try {
        const r = await promisify(execFile)(process.execPath, argv, { cwd: dir, env, encoding: 'utf8' });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    };
    const sim = await createAmazonSimulator({ seed: 8 });
    try {
      const bytes = gzipSync(readFileSync(golden('01-us-orders-fees')));
      const { reportId } = sim.control.addSettlementReportBytes(bytes, { gzip: true });
      const amazon = simulatorConfigOverrides(sim.url).flatMap((s) => ['--set', `${s.path}=${s.value}`]);
      const store = ['--store', `sqlite:${join(dir, 'from-amazon.db')}`];
      const discover = await cliAsync(...store, ...amazon, 'settlements', 'discover');
      expect(discover.code, discover.stderr).toBe(0);
      const run = await cliAsync(...store, ...amazon, 'run', '--once');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/settlement\.discover completed: 1/);
      expect(run.stdout).toMatch(/settlement\.import completed: 1/);
      const listed = await cliAsync(...store, 'settlements', 'list', '--json');
      expect(listed.code, listed.stderr).toBe(0);
      const settlements = JSON.parse(listed.stdout) as { settlementId: string; source?: string; state?: string }[];
      expect(settlements.map((s) => s.settlementId)).toEqual(['10000000001']);
      expect(JSON.stringify(settlements[0])).toContain(`report:${reportId}`);
    } finally {
      await sim.close();
    }
  });
});
