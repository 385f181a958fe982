import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { settlementReportsFromClient } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import type { SpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { getSettlement } from '../../../src/connectors/store/settlement-ledger.ts';
import { journalText } from '../../../src/cli/commands/settlements.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { scaledInteger } from '../../../src/connectors/sage500/decimal.ts';
import type { JobScheduler } from '../../../src/core/ports/job-scheduler.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * A EUR settlement (Amazon.de) deposited in USD, posted into the Sage sandbox's USD company with each rate source:
 * Sage's rate table (tmcCurrExchSchdDtl, seeded EUR -> USD 1.0825 from 2026-10-01) and the deposit's financial event
 * group (the simulator pays the deposit out at 1.0911: ConvertedTotal / OriginalTotal). The journal keeps CurrID EUR
 * with the rate in CurrExchRate; every line's PostAmtHC is checked to the cent against an independent BigInt
 * computation, the home amounts net to zero, and `settlements show`'s journal text names the rate and its source.
 */
const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const DE = 'A1PA6795UKMFR9';
let now = START + 14 * DAY;
const clock = { now: () => new Date(now) };
const CONN = 'c1';
const jobs: JobScheduler = { enqueue: async () => ({ id: '1', deduplicated: false }) };

let sim: AmazonSimulator;
let conn: SpApiConnection;
let store: Store;
let sage: SandboxGateway;

beforeEach(async () => {
  now = START + 14 * DAY;
  sim = await createAmazonSimulator({ seed: 1818, orders: 0, now: () => now, limits: false });
  conn = connectToSimulator(sim.url);
  store = await freshStore('sqlite', 'multi-currency');
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-fx-')), 'sage.db'),
    clock,
    warehouseSimulator: { enabled: false },
  });
  await addSettlementAccounts(sage);
});

afterEach(async () => {
  await sage.close();
  await store.close();
  await sim.close();
});

function deps(source: 'sage-rate-table' | 'deposit') {
  return createSettlementDeps({
    store,
    sage,
    clock,
    queue: jobs,
    clientFor: () => conn.client,
    config: loadConfig({ env: {}, overrides: [{ path: 'settlements.exchangeRate.source', value: source }] })
      .settlements,
  });
}

/** Two weeks of Amazon.de orders and their settlement, deposited in USD at 1.0911. */
async function eurSettlement() {
  for (let i = 0; i < 24; i++)
    sim.control.addOrder({
      createdTime: new Date(START + i * 12 * 3_600_000 + 60_000).toISOString(),
      status: 'SHIPPED',
      marketplaceId: DE,
    });
  const report = sim.control.generateSettlementReport({
    days: 14,
    marketplaceId: DE,
    depositInto: { currency: 'USD', rate: '1.0911' },
  });
  expect(report.currency).toBe('EUR');
  const file = await settlementReportsFromClient(() => conn.client).open(CONN, {
    reportId: report.reportId,
    reportDocumentId: report.reportDocumentId,
  });
  return { report, file };
}

/** amount x num/den in cents, half away from zero: the expected home amount, computed apart from the code. */
function cents(amountText: string, num: bigint, den: bigint): number {
  const minor = BigInt(scaledInteger(amountText, 2)); // decimal(15,3) text -> cents, exactly
  const n = minor * num;
  const abs = n < 0n ? -n : n;
  const q = (abs * 2n + den) / (den * 2n);
  return Number(n < 0n ? -q : q);
}

async function postedLines() {
  return sage.db
    .selectFrom('tglJournalHdr as h')
    .innerJoin('tglJournalDetl as d', 'd.JrnlHdrKey', 'h.JrnlHdrKey')
    .innerJoin('tglAccount as a', 'a.GLAcctKey', 'd.GLAcctKey')
    .select(['h.CurrID', 'h.CurrExchRate', 'a.GLAcctNo', 'd.PostAmt', 'd.PostAmtHC'])
    .orderBy('d.EntryNo')
    .execute();
}

const toCents = (v: unknown) => scaledInteger(v, 2);

describe('a EUR settlement into a USD Sage company', () => {
  it("source sage-rate-table: Sage's rate on the deposit date, home amounts to the cent, the rate shown", async () => {
    const { report, file } = await eurSettlement();
    const out = await importSettlement(CONN, file, deps('sage-rate-table'));
    expect(out.kind).toBe('posted');

    const lines = await postedLines();
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) {
      expect(l.CurrID).toBe('EUR');
      expect(Number(l.CurrExchRate)).toBe(1.0825);
    }
    const home = lines.map((l) => toCents(l.PostAmtHC));
    expect(home.reduce((a, b) => a + b, 0)).toBe(0);
    expect(lines.reduce((s, l) => s + toCents(l.PostAmt), 0)).toBe(0);
    // Every line at 1.0825 to the cent; the rounding left over (a cent or two) sits on one rounded line.
    const off = lines.map((l, i) => home[i]! - cents(String(l.PostAmt), 10825n, 10000n));
    expect(off.filter((d) => d !== 0).length).toBeLessThanOrEqual(1);
    expect(Math.abs(off.reduce((a, b) => a + b, 0))).toBeLessThanOrEqual(lines.length);
    // The deposit line: the settlement total at Sage's rate.
    const bank = lines.find((l) => l.GLAcctNo === '1050-00')!;
    expect(toCents(bank.PostAmt)).toBe(report.totalMinor);

    const record = await getSettlement(store, CONN, report.settlementId);
    const text = journalText(record!.journals[0]!);
    expect(text).toContain(
      'exchange rate EUR -> USD: 1.0825 (CurrExchRate; source sage-rate-table: Sage rate schedule DAILY, effective 2026-10-01)',
    );
    expect(text).toMatch(/account\s+debit\s+credit\s+USD\s+comment/);
  });

  it("source deposit: the rate of the deposit's financial event group; the deposit line is what reached the bank", async () => {
    const { report, file } = await eurSettlement();
    const groups = await conn.client.listFinancialEventGroups({
      FinancialEventGroupStartedAfter: '2026-09-01T00:00:00Z',
    });
    expect(groups.items).toHaveLength(1);
    const converted = groups.items[0]!.ConvertedTotal!;
    expect(converted.CurrencyCode).toBe('USD');
    const convertedCents = scaledInteger(String(converted.CurrencyAmount), 2);
    expect(convertedCents).toBe(cents((report.totalMinor / 100).toFixed(2), 10911n, 10000n));

    const out = await importSettlement(CONN, file, deps('deposit'));
    expect(out.kind).toBe('posted');
    const lines = await postedLines();
    const bank = lines.find((l) => l.GLAcctNo === '1050-00')!;
    expect(toCents(bank.PostAmtHC)).toBe(convertedCents);
    expect(lines.reduce((s, l) => s + toCents(l.PostAmtHC), 0)).toBe(0);
    const num = BigInt(convertedCents);
    const den = BigInt(report.totalMinor);
    const off = lines.map((l) => toCents(l.PostAmtHC) - cents(String(l.PostAmt), num, den));
    expect(off.filter((d) => d !== 0).length).toBeLessThanOrEqual(1);
    expect(Number(lines[0]!.CurrExchRate)).toBeCloseTo(convertedCents / report.totalMinor, 8);

    const record = await getSettlement(store, CONN, report.settlementId);
    const dec = (minor: number) => `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
    expect(journalText(record!.journals[0]!)).toContain(
      `(CurrExchRate; source deposit: deposit ${dec(report.totalMinor)} EUR = ${dec(convertedCents)} USD (financial event group `,
    );
  });

  it('no rate for the deposit date: quarantined with the reason, nothing posted', async () => {
    const { file } = await eurSettlement();
    await sage.db.deleteFrom('tmcCurrExchSchdDtl').where('SourceCurrID', '=', 'EUR').execute();
    const err = await importSettlement(CONN, file, deps('sage-rate-table')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MappingError);
    expect((err as MappingError).code).toBe('SB_SETTLE_EXCHANGE_RATE_MISSING');
    expect((err as MappingError).message).toContain('no rate EUR -> USD on');
    expect(await postedLines()).toHaveLength(0);
  });
});
