import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import {
  openSettlementRows,
  settlementFileFromFinances,
} from '../../../src/connectors/amazon/settlement/finances-transactions.ts';
import { settlementReportsFromClient } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import type { SpApiConnection } from '../../../src/connectors/amazon/sp-api/connection.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import type { JobScheduler } from '../../../src/core/ports/job-scheduler.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { connectToSimulator } from '../../helpers/simulator-connection.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * One settlement period imported both ways against the SP-API simulator over HTTP: from its settlement report
 * (Flat File V2) and, after the report is past Amazon's 90-day retention, rebuilt from Finances 2024-06-19
 * listTransactions. Each goes into its own Sage sandbox and store through `importSettlement`; the GL lines
 * must be equal to the cent. Importing the rebuild where the report was posted is a no-op (same journals,
 * same references: one settlement, posted once whatever its source).
 */
const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
let now = START + 14 * DAY;
const clock = { now: () => new Date(now) };
const CONN = 'c1';
const jobs: JobScheduler = { enqueue: async () => ({ id: '1', deduplicated: false }) };

let sim: AmazonSimulator;
let conn: SpApiConnection;
const sides: { store: Store; sage: SandboxGateway }[] = [];

beforeEach(async () => {
  now = START + 14 * DAY;
  sim = await createAmazonSimulator({ seed: 1806, orders: 0, now: () => now, limits: false });
  conn = connectToSimulator(sim.url);
  for (let i = 0; i < 2; i++) {
    const store = await freshStore('sqlite', `finances-${i}`);
    const sage = await createSandboxGateway({
      path: join(mkdtempSync(join(tmpdir(), 'sb-fin-')), 'sage.db'),
      clock,
      warehouseSimulator: { enabled: false },
    });
    await addSettlementAccounts(sage);
    sides.push({ store, sage });
  }
});

afterEach(async () => {
  for (const s of sides.splice(0)) {
    await s.sage.close();
    await s.store.close();
  }
  await sim.close();
});

const deps = (i: number, model: 'invoiced-orders' | 'settlement-revenue') =>
  createSettlementDeps({
    store: sides[i]!.store,
    sage: sides[i]!.sage,
    clock,
    queue: jobs,
    config: loadConfig({ env: {}, overrides: [{ path: 'settlements.accountingModel', value: model }] }).settlements,
  });

async function glLines(sage: SandboxGateway) {
  return sage.db
    .selectFrom('tglBatch as b')
    .innerJoin('tglJournalHdr as h', 'h.BatchKey', 'b.BatchKey')
    .innerJoin('tglJournalDetl as d', 'd.JrnlHdrKey', 'h.JrnlHdrKey')
    .innerJoin('tglAccount as a', 'a.GLAcctKey', 'd.GLAcctKey')
    .select(['b.BatchCmnt', 'h.CurrID', 'a.GLAcctNo', 'd.PostAmt', 'd.PostCmnt', 'd.EntryNo'])
    .orderBy('b.BatchCmnt')
    .orderBy('d.EntryNo')
    .execute();
}

describe('Finances listTransactions vs the settlement report, one period both ways', () => {
  it.each(['settlement-revenue', 'invoiced-orders'] as const)(
    '%s: the rebuilt settlement posts the same GL lines to the cent; posting it where the report was is a no-op',
    async (model) => {
      // Two weeks of orders, refunds on two of them; the settlement closes on day 14.
      const orders = [];
      for (let i = 0; i < 40; i++)
        orders.push(
          sim.control.addOrder({
            createdTime: new Date(START + i * 8 * 3_600_000 + 60_000).toISOString(),
            status: 'SHIPPED',
          }),
        );
      const report = sim.control.generateSettlementReport({
        days: 14,
        refundOrderIds: [orders[3]!.orderId, orders[17]!.orderId],
      });
      const parsed = parseSettlementReport(report.text);

      // Way 1: the report, as discovery downloads it.
      const reports = settlementReportsFromClient(() => conn.client);
      const file = await reports.open(CONN, { reportId: report.reportId, reportDocumentId: report.reportDocumentId });
      expect((await importSettlement(CONN, file, deps(0, model))).kind).toBe('posted');

      // 91 days later the report is gone from getReports; the financial events are still there.
      now += 91 * DAY;
      const listed = await reports.list(CONN, { createdSince: new Date(START).toISOString() });
      expect(listed.reports.map((r) => r.reportId)).not.toContain(report.reportId);

      // Way 2: rebuilt from listTransactions, checked against the deposit the bank statement shows.
      const rebuilt = settlementFileFromFinances(conn.client, {
        settlementId: parsed.settlementId,
        periodStart: parsed.periodStart,
        periodEnd: parsed.periodEnd,
        depositDate: parsed.depositDate,
        depositAmount: parsed.total,
      });
      const out = await importSettlement(CONN, rebuilt, deps(1, model));
      expect(out.kind).toBe('posted');

      const a = await glLines(sides[0]!.sage);
      const b = await glLines(sides[1]!.sage);
      expect(a.length).toBeGreaterThan(3);
      expect(b).toEqual(a);
      expect(a.reduce((s, l) => s + Math.round(Number(l.PostAmt) * 100), 0)).toBe(0);

      // The same settlement from the other source where it is already posted: nothing new in Sage.
      const again = await importSettlement(
        CONN,
        settlementFileFromFinances(conn.client, {
          settlementId: parsed.settlementId,
          periodStart: parsed.periodStart,
          periodEnd: parsed.periodEnd,
          depositDate: parsed.depositDate,
          depositAmount: parsed.total,
        }),
        deps(0, model),
      );
      expect(again.kind).toBe('unchanged');
      expect(await glLines(sides[0]!.sage)).toEqual(a);
    },
  );

  it('a deposit that the rebuilt rows do not add up to is refused (SB_SETTLE_TOTAL_MISMATCH), nothing posted', async () => {
    for (let i = 0; i < 10; i++)
      sim.control.addOrder({ createdTime: new Date(START + i * DAY + 60_000).toISOString(), status: 'SHIPPED' });
    const report = sim.control.generateSettlementReport({ days: 14 });
    const parsed = parseSettlementReport(report.text);
    const error = await importSettlement(
      CONN,
      settlementFileFromFinances(conn.client, {
        settlementId: parsed.settlementId,
        periodStart: parsed.periodStart,
        periodEnd: parsed.periodEnd,
        depositDate: parsed.depositDate,
        depositAmount: { ...parsed.total, minor: parsed.total.minor + 1 },
      }),
      deps(1, 'invoiced-orders'),
    ).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('SB_SETTLE_TOTAL_MISMATCH');
    expect(await glLines(sides[1]!.sage)).toEqual([]);
  });

  it('provisional view: transactions of the open settlement appear as orders ship, without a settlement id', async () => {
    for (let i = 0; i < 6; i++)
      sim.control.addOrder({ createdTime: new Date(START + i * DAY + 60_000).toISOString(), status: 'SHIPPED' });
    const closed = sim.control.generateSettlementReport({ days: 14 });
    // Two more orders ship after the settlement closed.
    now += 3 * DAY;
    const late = [0, 1].map((i) =>
      sim.control.addOrder({ createdTime: new Date(now - (2 - i) * DAY).toISOString(), status: 'SHIPPED' }),
    );
    const open = await openSettlementRows(conn.client, {
      postedAfter: new Date(START).toISOString(),
      postedBefore: new Date(now - 180_000).toISOString(),
    });
    expect(open.issues).toEqual([]);
    expect(new Set(open.rows.map((r) => r.orderId))).toEqual(new Set(late.map((o) => o.orderId)));
    const principal = late.reduce((s, o) => s + o.items.reduce((n, i) => n + i.unitPriceMinor * i.quantity, 0), 0);
    expect(
      open.rows
        .filter((r) => r.amountType === 'ItemPrice' && r.amountDescription === 'Principal')
        .reduce((s, r) => s + r.amount.minor, 0),
    ).toBe(principal);
    expect(open.rows.some((r) => r.orderId === undefined)).toBe(false);
    expect(closed.settlementId).toBeTruthy();
  });
});
