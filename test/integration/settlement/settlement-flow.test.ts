import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import {
  settlementFileFromPath,
  settlementReportsFromClient,
} from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import {
  getSettlement,
  listQuarantine,
  reconcileSettlements,
} from '../../../src/connectors/store/settlement-ledger.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { MappingError } from '../../../src/core/errors.ts';
import type { JobScheduler } from '../../../src/core/ports/job-scheduler.ts';
import { discoverSettlements } from '../../../src/flows/discover-settlements.ts';
import { importSettlement, importSettlementReport } from '../../../src/flows/post-settlement.ts';
import { SETTLEMENT_IMPORT_QUEUE, type SettlementFlowDeps } from '../../../src/flows/settlement.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * Settlement files -> the Sage sandbox's GL tables through the real store (SQLite) and the sandbox gateway:
 * golden settlements post balanced to the cent, the same settlement twice is one journal, malformed files are
 * quarantined with their exact diagnosis and nothing posted, a corrected settlement reverses and re-posts
 * (audited), reconciliation against order_links, and discovery from the simulator's reports over HTTP.
 */
const GOLDEN = new URL('../../fixtures/golden-settlement/', import.meta.url);
const CONN = 'c1';
const NOW = new Date('2026-11-20T12:00:00Z');
const clock = { now: () => NOW };

let store: Store;
let sage: SandboxGateway;
let dir: string;
let enqueued: { queue: string; payload: unknown; key?: string }[];
const jobs: JobScheduler = {
  enqueue: async (queue, payload, options) => {
    enqueued.push({ queue, payload, ...(options?.key ? { key: options.key } : {}) });
    return { id: String(enqueued.length), deduplicated: false };
  },
};

function deps(overrides: Record<string, unknown> = {}, reports?: SettlementFlowDeps['reports']): SettlementFlowDeps {
  const config = loadConfig({
    env: {},
    overrides: Object.entries(overrides).map(([path, value]) => ({
      path: `settlements.${path}`,
      value: String(value),
    })),
  }).settlements;
  return createSettlementDeps({ store, sage, clock, queue: jobs, config, ...(reports ? { reports } : {}) });
}

const golden = (name: string) => fileURLToPathSafe(new URL(`${name}/input.tsv`, GOLDEN));
function fileURLToPathSafe(url: URL): string {
  return decodeURIComponent(url.pathname);
}

async function batches() {
  return sage.db.selectFrom('tglBatch').select(['BatchKey', 'BatchCmnt', 'PostDate']).orderBy('BatchKey').execute();
}
async function linesOf(comment: string) {
  return sage.db
    .selectFrom('tglBatch as b')
    .innerJoin('tglJournalHdr as h', 'h.BatchKey', 'b.BatchKey')
    .innerJoin('tglJournalDetl as d', 'd.JrnlHdrKey', 'h.JrnlHdrKey')
    .innerJoin('tglAccount as a', 'a.GLAcctKey', 'd.GLAcctKey')
    .select(['a.GLAcctNo', 'd.PostAmt', 'd.PostCmnt', 'h.CurrID'])
    .where('b.BatchCmnt', '=', comment)
    .orderBy('d.EntryNo')
    .execute();
}
const cents = (decimal: unknown) => Math.round(Number(decimal) * 100);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sb-settle-'));
  store = await freshStore('sqlite', 'settlement-flow');
  sage = await createSandboxGateway({ path: join(dir, 'sage.db'), clock, warehouseSimulator: { enabled: false } });
  await addSettlementAccounts(sage);
  enqueued = [];
});

afterEach(async () => {
  await sage.close();
  await store.close();
});

describe('settlement import into the Sage sandbox', () => {
  const postable = readdirSync(GOLDEN)
    .filter(
      (n) => existsSync(new URL(`${n}/expected.json`, GOLDEN)) && !existsSync(new URL(`${n}/options.json`, GOLDEN)),
    )
    .filter((n) => 'journals' in (JSON.parse(readFileSync(new URL(`${n}/expected.json`, GOLDEN), 'utf8')) as object))
    .sort();

  it('covers orders, refunds, promotions, facilitator tax, EU format with reserve and advertising', () => {
    expect(postable).toEqual(
      expect.arrayContaining([
        '01-us-orders-fees',
        '02-refund-negative-deposit',
        '03-promotions-with-promotion-id',
        '04-marketplace-facilitator-tax',
        '05-eu-format-reserve-advertising',
      ]),
    );
  });

  it.each(postable)(
    '%s: posts the golden journal to the GL tables, balanced to the cent; the second import posts nothing',
    async (name) => {
      const expected = JSON.parse(readFileSync(new URL(`${name}/expected.json`, GOLDEN), 'utf8')) as {
        journals: { reference: string; postDate: string; lines: { account: string; amount: { minor: number } }[] }[];
      };
      // The golden journals are the settlement-revenue chart (the settlement books sales itself).
      const d = deps({ accountingModel: 'settlement-revenue' });
      const first = await importSettlement(CONN, settlementFileFromPath(golden(name)), d);
      expect(first.kind).toBe('posted');
      for (const journal of expected.journals) {
        const lines = await linesOf(journal.reference);
        expect(lines.map((l) => [l.GLAcctNo, cents(l.PostAmt)])).toEqual(
          journal.lines.map((l) => [l.account, l.amount.minor]),
        );
        expect(lines.reduce((s, l) => s + cents(l.PostAmt), 0)).toBe(0);
      }
      const before = await batches();
      expect(before).toHaveLength(expected.journals.length);

      const again = await importSettlement(CONN, settlementFileFromPath(golden(name)), d);
      expect(again.kind).toBe('unchanged');
      expect(await batches()).toEqual(before);
      expect(
        await sage.db
          .selectFrom('tglJournalHdr')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst(),
      ).toEqual({ n: expected.journals.length });
    },
  );

  it('two imports of the same new settlement at once: one posts, the other is told to wait (SB_SETTLE_BUSY, unavailable) or finds it posted; one journal', async () => {
    const d = deps();
    const results = await Promise.allSettled([
      importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d),
      importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d),
    ]);
    const kinds = results
      .map((r) => (r.status === 'fulfilled' ? r.value.kind : (r.reason as { code: string }).code))
      .sort();
    expect(kinds[0]).toBe('posted');
    expect(['SB_SETTLE_BUSY', 'unchanged']).toContain(kinds[1]);
    const busy = results.find((r) => r.status === 'rejected');
    if (busy)
      expect((busy as PromiseRejectedResult).reason).toMatchObject({ kind: 'unavailable', retryAfterMs: 30_000 });
    expect(await batches()).toHaveLength(1);
    expect((await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d)).kind).toBe(
      'unchanged',
    );
  });

  it('a gzip copy of the same settlement is the same settlement: one journal', async () => {
    const gz = join(dir, 'settlement.tsv.gz');
    writeFileSync(gz, gzipSync(readFileSync(golden('01-us-orders-fees'))));
    const d = deps();
    expect((await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d)).kind).toBe('posted');
    expect((await importSettlement(CONN, settlementFileFromPath(gz), d)).kind).toBe('unchanged');
    expect(await batches()).toHaveLength(1);
  });

  it.each(['09-truncated-mid-line', '11-renamed-column'])(
    '%s: quarantined with the exact diagnosis, nothing posted',
    async (name) => {
      const expected = JSON.parse(readFileSync(new URL(`${name}/expected.json`, GOLDEN), 'utf8')) as {
        parseError: { code: string; issues: unknown };
      };
      const alerts: unknown[] = [];
      const d = { ...deps(), onQuarantine: (e: unknown) => alerts.push(e) };
      const error = await importSettlement(CONN, settlementFileFromPath(golden(name)), d).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MappingError);
      expect({ code: (error as MappingError).code, issues: (error as MappingError).issues }).toEqual(
        expected.parseError,
      );
      expect((error as MappingError).kind).toBe('validation'); // dead-lettered at once by the queue
      const quarantined = await listQuarantine(store, CONN);
      expect(quarantined).toHaveLength(1);
      expect({ code: quarantined[0]!.code, issues: quarantined[0]!.issues, source: quarantined[0]!.source }).toEqual({
        ...expected.parseError,
        source: 'file:input.tsv',
      });
      expect(alerts).toHaveLength(1);
      expect(await batches()).toHaveLength(0);
      expect(
        await store.db
          .withTables<{ settlements: { settlement_id: string } }>()
          .selectFrom('settlements')
          .selectAll()
          .execute(),
      ).toHaveLength(0);
    },
  );

  it.each(['06-unmapped-and-total-mismatch', '10-truncated-at-line-end'])(
    '%s: stopped with the listed categories and totals / the difference, quarantined, nothing posted',
    async (name) => {
      const expected = JSON.parse(readFileSync(new URL(`${name}/expected.json`, GOLDEN), 'utf8')) as {
        error: { code: string; issues: unknown };
      };
      const error = await importSettlement(CONN, settlementFileFromPath(golden(name)), deps()).catch((e: unknown) => e);
      expect({ code: (error as MappingError).code, issues: (error as MappingError).issues }).toEqual(expected.error);
      const [q] = await listQuarantine(store, CONN);
      expect(q).toMatchObject({ code: expected.error.code, issues: expected.error.issues });
      expect(q!.settlementId).toMatch(/^1000000000\d$/);
      expect(await batches()).toHaveLength(0);
    },
  );

  it('with a suspense account configured, unmapped rows go there instead of stopping the settlement', async () => {
    const text = readFileSync(golden('06-unmapped-and-total-mismatch'), 'utf8');
    // Make the total reconcile (rows 12.00) so only the unmapped categories are left.
    const fixed = text.replace(/\t11\.00\t/, '\t12.00\t');
    const path = join(dir, 'input.tsv');
    writeFileSync(path, fixed);
    await addSettlementAccounts(sage, ['1999-00']);
    const out = await importSettlement(CONN, settlementFileFromPath(path), deps({ suspenseAccount: '1999-00' }));
    expect(out.kind).toBe('posted');
    const lines = await linesOf('settlement:10000000006:USD');
    expect(lines.filter((l) => l.GLAcctNo === '1999-00').map((l) => l.PostCmnt)).toEqual(
      expect.arrayContaining([expect.stringContaining('UNMAPPED')]),
    );
  });

  it('dry run: returns the journal that would be posted, writes nothing', async () => {
    const out = await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), deps(), {
      dryRun: true,
    });
    expect(out).toMatchObject({ kind: 'dry-run', settlementId: '10000000001', wouldBe: 'posted' });
    expect(out.journals[0]!.lines.reduce((s, l) => s + l.amount.minor, 0)).toBe(0);
    expect(await batches()).toHaveLength(0);
    expect(await getSettlement(store, CONN, '10000000001')).toBeUndefined();
  });

  it('a column Amazon does not document is kept, reported in the outcome, and does not change the journal', async () => {
    const text = readFileSync(golden('01-us-orders-fees'), 'utf8');
    const path = join(dir, 'extra.tsv');
    writeFileSync(
      path,
      text
        .trimEnd()
        .split('\n')
        .map((l, i) => `${l}\t${i === 0 ? 'seller-note' : i === 2 ? 'hello' : ''}`)
        .join('\n'),
    );
    const out = await importSettlement(CONN, settlementFileFromPath(path), deps());
    expect(out).toMatchObject({ kind: 'posted', extraColumns: ['seller-note'] });
    // Same journal as the file without the column: importing that one is a no-op.
    expect((await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), deps())).kind).toBe(
      'unchanged',
    );
  });

  it('a corrected settlement reverses the posted journal and posts the new one (revision 2), audited; again is a no-op', async () => {
    const d = deps();
    await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d);
    // The correction: one more $1.00 commission (total 1,155.16).
    const text = readFileSync(golden('01-us-orders-fees'), 'utf8');
    const lines = text.trimEnd().split('\n');
    const feeRow = lines.find((l) => l.includes('\tCommission\t'))!;
    const extra = feeRow.replace(/\tCommission\t-?[\d,.]+\t/, '\tCommission\t-1.00\t');
    const corrected = [lines[0], lines[1]!.replace('1,156.16', '1,155.16'), ...lines.slice(2), extra].join('\n');
    const path = join(dir, 'corrected.tsv');
    writeFileSync(path, corrected);

    const out = await importSettlement(CONN, settlementFileFromPath(path), d);
    expect(out).toMatchObject({ kind: 'corrected', revision: 2 });
    const comments = (await batches()).map((b) => b.BatchCmnt);
    expect(comments).toEqual([
      'settlement:10000000001:USD',
      'settlement:10000000001:USD:R2',
      'settlement:10000000001:USD:V2',
    ]);
    // Net effect in the GL = the corrected journal: original + reversal cancel out.
    const net = new Map<string, number>();
    for (const c of comments)
      for (const l of await linesOf(c!)) net.set(l.GLAcctNo, (net.get(l.GLAcctNo) ?? 0) + cents(l.PostAmt));
    expect(net.get('1050-00')).toBe(115516);
    const record = await getSettlement(store, CONN, '10000000001');
    expect(record).toMatchObject({ state: 'posted', revision: 2, total: { minor: 115516 } });
    const audit = await store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('target', '=', `settlement:${CONN}:10000000001`)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['settlement.posted', 'settlement.corrected']);
    expect(JSON.parse(audit[1]!.detail)).toMatchObject({
      revision: 2,
      reversed: ['settlement:10000000001:USD:R2'],
      references: ['settlement:10000000001:USD:V2'],
    });

    expect((await importSettlement(CONN, settlementFileFromPath(path), d)).kind).toBe('unchanged');
    expect(await batches()).toHaveLength(3);
  });

  it('a post that failed in Sage (account missing) keeps the reservation; after the fix the same import finishes it once', async () => {
    await sage.db.updateTable('tglAccount').set({ Status: 2 }).where('GLAcctNo', '=', '6100-00').execute();
    const d = deps();
    const error = await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d).catch(
      (e: unknown) => e,
    );
    expect((error as MappingError).code).toBe('SB_SAGE_GL_ACCOUNT_INVALID');
    expect(await getSettlement(store, CONN, '10000000001')).toMatchObject({
      state: 'posting',
      lastError: expect.stringContaining('SB_SAGE_GL_ACCOUNT_INVALID'),
    });
    expect(await batches()).toHaveLength(0);
    await sage.db.updateTable('tglAccount').set({ Status: 1 }).where('GLAcctNo', '=', '6100-00').execute();
    expect((await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), d)).kind).toBe('posted');
    expect(await batches()).toHaveLength(1);
  });

  it('a deposit date in a closed fiscal period (2025 in the sandbox): SB_SAGE_FISCAL_PERIOD_CLOSED, nothing posted, the error kept on the reserved row', async () => {
    const path = join(dir, 'closed.tsv');
    writeFileSync(
      path,
      readFileSync(golden('01-us-orders-fees'), 'utf8').replaceAll('2026-10-', '2025-10-').replaceAll('/26\t', '/25\t'),
    );
    const error = await importSettlement(CONN, settlementFileFromPath(path), deps()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SB_SAGE_FISCAL_PERIOD_CLOSED', kind: 'validation' });
    expect(await batches()).toHaveLength(0);
    expect(await getSettlement(store, CONN, '10000000001')).toMatchObject({
      state: 'posting',
      lastError: expect.stringContaining('2025-10-17 is not in an open fiscal period'),
    });
  });

  it('split at month end: rows posted in September get their own journal dated 2026-09-30, each part balanced', async () => {
    const text = readFileSync(golden('01-us-orders-fees'), 'utf8').replace(
      '2026-10-03 15:30:00 UTC',
      '2026-09-30 15:30:00 UTC',
    );
    const path = join(dir, 'split.tsv');
    writeFileSync(path, text);
    const out = await importSettlement(CONN, settlementFileFromPath(path), deps({ postingDate: 'split-month-end' }));
    expect(out.kind).toBe('posted');
    const all = await batches();
    expect(all.map((b) => [b.BatchCmnt, String(b.PostDate).slice(0, 10)])).toEqual([
      ['settlement:10000000001:USD:2026-09', '2026-09-30'],
      ['settlement:10000000001:USD', '2026-10-17'],
    ]);
    let bank = 0;
    for (const b of all) {
      const lines = await linesOf(b.BatchCmnt!);
      expect(lines.reduce((s, l) => s + cents(l.PostAmt), 0)).toBe(0);
      bank += lines.filter((l) => l.GLAcctNo === '1050-00').reduce((s, l) => s + cents(l.PostAmt), 0);
    }
    expect(bank).toBe(115616);
  });

  it('reconciliation: settlement order rows matched to Sellbridge orders, rows for orders never seen, unsettled orders with ageing', async () => {
    await importSettlement(CONN, settlementFileFromPath(golden('01-us-orders-fees')), deps());
    await importSettlement(CONN, settlementFileFromPath(golden('05-eu-format-reserve-advertising')), deps());
    const db = store.db.withTables<{
      order_links: {
        connection_id: string;
        amazon_order_id: string;
        state: string;
        tran_no: string | null;
        created_at: string;
        updated_at: string;
      };
    }>();
    const link = (id: string, state: string, created: string, tranNo: string) =>
      db
        .insertInto('order_links')
        .values({
          connection_id: CONN,
          amazon_order_id: id,
          state,
          tran_no: tranNo,
          created_at: created,
          updated_at: created,
        })
        .execute();
    await link('111-0000001-0000001', 'confirmed', '2026-10-02T00:00:00.000Z', 'AZ00000001');
    await link('111-0000009-0000009', 'shipped', '2026-11-10T00:00:00.000Z', 'AZ00000009');
    await link('111-0000010-0000010', 'created', '2026-09-01T00:00:00.000Z', 'AZ00000010');
    await link('111-0000011-0000011', 'cancelled', '2026-09-01T00:00:00.000Z', 'AZ00000011');
    const r = await reconcileSettlements(store, CONN, NOW);
    expect(r.matched.map((m) => [m.amazonOrderId, m.tranNo])).toEqual([['111-0000001-0000001', 'AZ00000001']]);
    expect(r.neverSeen.map((m) => [m.amazonOrderId, m.settlementId, m.currency])).toEqual([
      ['302-0000005-0000005', '20000000005', 'EUR'],
    ]);
    expect(r.unsettled.map((u) => [u.amazonOrderId, u.ageDays, u.bucket])).toEqual([
      ['111-0000010-0000010', 80, '61+'],
      ['111-0000009-0000009', 10, '0-14'],
    ]);
    expect(r.ageing).toEqual({ '0-14': 1, '15-30': 0, '31-60': 0, '61+': 1 });
    // Per order: the sum of its rows (here every row of 01 but the non-order ones).
    const rowsOf01 = readFileSync(golden('01-us-orders-fees'), 'utf8')
      .trim()
      .split('\n')
      .slice(2)
      .filter((l) => l.split('\t')[7] === '111-0000001-0000001').length;
    expect(r.matched[0]!.rows).toBe(rowsOf01);
    const one = await reconcileSettlements(store, CONN, NOW, '20000000005');
    expect({ matched: one.matched.length, neverSeen: one.neverSeen.length, unsettled: one.unsettled.length }).toEqual({
      matched: 0,
      neverSeen: 1,
      unsettled: 0,
    });
  });
});

describe('settlement discovery from the SP-API simulator over HTTP', () => {
  let sim: AmazonSimulator;
  beforeAll(async () => {
    sim = await createAmazonSimulator({ seed: 8, orders: 30 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('getReports DONE since the watermark -> import jobs; plain and gzip documents post once; the watermark moves', async () => {
    const plain = sim.control.generateSettlementReport({});
    const zipped = sim.control.generateSettlementReport({ gzip: true });
    const connection = connectToSimulator(sim.url);
    const reports = settlementReportsFromClient(() => connection.client);
    const d = deps({}, reports);
    const realNow = { now: () => new Date() };
    const live = { ...d, clock: realNow };

    const first = await discoverSettlements({ connectionId: CONN }, live);
    expect(first.reports).toBeGreaterThanOrEqual(2);
    const imports = enqueued.filter((e) => e.queue === SETTLEMENT_IMPORT_QUEUE);
    expect(imports.map((e) => (e.payload as { reportId: string }).reportId)).toEqual(
      expect.arrayContaining([plain.reportId, zipped.reportId]),
    );

    for (const job of imports) expect((await importSettlementReport(job.payload, live)).kind).toBe('posted');
    for (const s of [plain, zipped]) {
      const lines = await linesOf(`settlement:${s.settlementId}:${s.currency}`);
      expect(lines.length).toBeGreaterThan(1);
      expect(cents(lines[0]!.PostAmt)).toBe(s.totalMinor);
    }
    // The same reports again (a duplicated job) post nothing.
    for (const job of imports) expect((await importSettlementReport(job.payload, live)).kind).toBe('unchanged');

    const watermark = await store.db.selectFrom('watermarks').selectAll().execute();
    expect(watermark.length).toBe(1);
    enqueued = [];
    const second = await discoverSettlements({ connectionId: CONN }, live);
    expect(second.reports).toBeLessThanOrEqual(1); // only reports created at the watermark instant come back
  });
});
