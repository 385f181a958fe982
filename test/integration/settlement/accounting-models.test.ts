import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { settlementFileFromStream } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { Readable } from 'node:stream';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { money, moneyToDecimal } from '../../../src/core/model/money.ts';
import type { JournalBatch } from '../../../src/core/model/journal.ts';
import { SETTLEMENT_ACCOUNTS as A } from '../../../src/core/rules/settlement-accounts.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import type { JobScheduler } from '../../../src/core/ports/job-scheduler.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { createAmazonSimulator, type AmazonSimulator } from '../../../src/simulator/amazon/index.ts';
import type { SimOrder } from '../../../src/simulator/amazon/scenario.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * A month of orders and their settlement, booked the way each accounting model says. Sage's own invoicing
 * (sales order -> shipment -> invoice) is not in the sandbox, so each order's invoice is entered as the GL
 * journal Sage's invoice posting makes: the receivable debited with what the buyer was charged (goods,
 * shipping, gift wrap and tax, less the promotions on the order), sales, shipping income, gift wrap income and
 * sales tax credited, the promotions debited. The amounts come from the simulated orders, not from the
 * settlement. Then the settlement is imported through `importSettlement` and every account's balance is read
 * back from the sandbox's GL tables.
 */
const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const END = START + 30 * DAY;
let now = END;
const clock = { now: () => new Date(now) };
const CONN = 'c1';
const jobs: JobScheduler = { enqueue: async () => ({ id: '1', deduplicated: false }) };

let sim: AmazonSimulator;
let store: Store;
let sage: SandboxGateway;

beforeEach(async () => {
  now = END;
  sim = await createAmazonSimulator({ seed: 18, orders: 0, now: () => now });
  store = await freshStore('sqlite', 'accounting-models');
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-acct-')), 'sage.db'),
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

/** 60 shipped orders, two a day through October (every fifth one marketplace-facilitator taxed, by the simulator). */
function monthOfOrders(): SimOrder[] {
  const orders: SimOrder[] = [];
  for (let i = 0; i < 60; i++)
    orders.push(
      sim.control.addOrder({
        createdTime: new Date(START + i * 12 * 3_600_000 + 60_000).toISOString(),
        status: 'SHIPPED',
      }),
    );
  return orders;
}

/** The GL journal Sage's invoice posting makes for one order (debit positive). */
function invoiceJournal(order: SimOrder): JournalBatch {
  let principal = 0;
  let shipping = 0;
  let giftWrap = 0;
  let tax = 0;
  let promotions = 0;
  for (const i of order.items) {
    principal += i.unitPriceMinor * i.quantity;
    shipping += i.shippingMinor;
    giftWrap += i.giftWrapMinor;
    tax += i.itemTaxMinor + i.shippingTaxMinor + i.giftWrapTaxMinor;
    promotions += i.promotionDiscountMinor + i.shippingDiscountMinor;
  }
  const receivable = principal + shipping + giftWrap + tax - promotions;
  const line = (account: string, minor: number) => ({ account, amount: money('USD', minor), comment: order.orderId });
  return {
    reference: `invoice:${order.orderId}`,
    postDate: order.createdTime.slice(0, 10),
    currency: 'USD',
    lines: [
      line(A.receivable, receivable),
      line(A.sales, -principal),
      line(A.shippingIncome, -shipping),
      line(A.giftWrapIncome, -giftWrap),
      line(A.salesTax, -tax),
      line(A.promotions, promotions),
    ].filter((l) => l.amount.minor !== 0),
  };
}

async function balances(): Promise<Map<string, number>> {
  const rows = await sage.db
    .selectFrom('tglJournalDetl as d')
    .innerJoin('tglAccount as a', 'a.GLAcctKey', 'd.GLAcctKey')
    .select(['a.GLAcctNo', 'd.PostAmt'])
    .execute();
  const out = new Map<string, number>();
  // PostAmt is decimal(15,3) in Sage; read as text and turned into cents exactly.
  for (const r of rows) out.set(r.GLAcctNo, (out.get(r.GLAcctNo) ?? 0) + Math.round(Number(r.PostAmt) * 100));
  return out;
}

function deps(model: 'invoiced-orders' | 'settlement-revenue', extra: { path: string; value: string }[] = []) {
  const config = loadConfig({
    env: {},
    overrides: [{ path: 'settlements.accountingModel', value: model }, ...extra],
  }).settlements;
  return createSettlementDeps({ store, sage, clock, queue: jobs, config });
}

describe('accounting models: a month of orders and their settlement', () => {
  it('invoiced-orders: the marketplace customer receivable ends at zero and revenue is counted once (on the invoice)', async () => {
    const orders = monthOfOrders();
    for (const o of orders) await sage.postJournal(invoiceJournal(o));
    const invoicedSales = orders.reduce(
      (s, o) => s + o.items.reduce((n, i) => n + i.unitPriceMinor * i.quantity, 0),
      0,
    );
    const afterInvoices = await balances();
    expect(afterInvoices.get(A.sales)).toBe(-invoicedSales);
    expect(afterInvoices.get(A.receivable)! > 0).toBe(true);

    const report = sim.control.generateSettlementReport({ days: 31 });
    const out = await importSettlement(
      CONN,
      settlementFileFromStream(`report:${report.reportId}`, async () => Readable.from([report.text])),
      deps('invoiced-orders'),
    );
    expect(out.kind).toBe('posted');

    const after = await balances();
    expect(after.get(A.receivable)).toBe(0);
    // Revenue once: the settlement did not touch sales, shipping or gift-wrap income.
    expect(after.get(A.sales)).toBe(-invoicedSales);
    expect(after.get(A.shippingIncome) ?? 0).toBe(afterInvoices.get(A.shippingIncome) ?? 0);
    expect(after.get(A.giftWrapIncome) ?? 0).toBe(afterInvoices.get(A.giftWrapIncome) ?? 0);
    // The deposit reached the bank clearing account; fees and the subscription went to their accounts.
    expect(after.get(A.clearing)).toBe(report.totalMinor);
    expect(after.get(A.sellingFees)! > 0).toBe(true);
    expect(after.get(A.subscription)).toBe(3999);
    // Tax: what Amazon withheld as marketplace facilitator was taken back from the payable the invoice credited.
    let sum = 0;
    for (const v of after.values()) sum += v;
    expect(sum).toBe(0);
  });

  it('settlement-revenue on invoiced orders counts revenue twice (why it is not the default)', async () => {
    const orders = monthOfOrders();
    for (const o of orders) await sage.postJournal(invoiceJournal(o));
    const invoicedSales = orders.reduce(
      (s, o) => s + o.items.reduce((n, i) => n + i.unitPriceMinor * i.quantity, 0),
      0,
    );
    const report = sim.control.generateSettlementReport({ days: 31 });
    await importSettlement(
      CONN,
      settlementFileFromStream(`report:${report.reportId}`, async () => Readable.from([report.text])),
      deps('settlement-revenue'),
    );
    const after = await balances();
    expect(after.get(A.sales)).toBe(-2 * invoicedSales);
    expect(after.get(A.receivable)! > 0).toBe(true);
  });

  it('invoiced-orders with cash applied in Sage: each invoice paid by the receipt, nothing unapplied; once Sage posts it the receivable is at zero', async () => {
    const orders = monthOfOrders();
    const customer = await sage.db
      .selectFrom('tarCustomer')
      .select('CustKey')
      .where('CustID', '=', 'AMAZON-US')
      .executeTakeFirstOrThrow();
    let key = 9000;
    for (const o of orders) {
      const journal = invoiceJournal(o);
      await sage.postJournal(journal);
      // The invoice in AR, as Sage's invoicing leaves it: one line billing the order's sales order line.
      const owed = journal.lines.find((l) => l.account === A.receivable)!.amount;
      const [so, line, invc] = [++key, ++key, ++key];
      const amount = moneyToDecimal(owed);
      await sage.db
        .insertInto('tsoSalesOrder_AMZ')
        .values({
          SOKey: so,
          CompanyID: 'SOA',
          TranNo: `AZ${so}`,
          AmazonOrderId: o.orderId,
          MarketplaceId: null,
          CreatedAt: journal.postDate,
        })
        .execute();
      await sage.db
        .insertInto('tsoSOLine')
        .values({ SOLineKey: line, SOKey: so, SOLineNo: 1, ItemKey: 1, Status: 1, UnitPrice: amount, UpdateCounter: 0 })
        .execute();
      await sage.db
        .insertInto('tarInvoice')
        .values({
          InvcKey: invc,
          CompanyID: 'SOA',
          CustKey: customer.CustKey,
          TranID: `INV${invc}`,
          TranNo: `INV${invc}`,
          TranType: 501,
          TranDate: `${journal.postDate}T00:00:00`,
          TranAmt: amount,
          TranAmtHC: amount,
          Balance: amount,
          BalanceHC: amount,
          CurrID: 'USD',
          CurrExchRate: 1,
          BatchKey: null,
        })
        .execute();
      await sage.db
        .insertInto('tarInvoiceDetl')
        .values({ InvoiceLineKey: invc, InvcKey: invc, SOLineKey: line, ShipLineKey: null })
        .execute();
    }
    const invoiced = (await balances()).get(A.receivable)!;

    const report = sim.control.generateSettlementReport({ days: 31 });
    const out = await importSettlement(
      CONN,
      settlementFileFromStream(`report:${report.reportId}`, async () => Readable.from([report.text])),
      deps('invoiced-orders', [{ path: 'settlements.cashApplication.enabled', value: 'true' }]),
    );
    expect(out.kind).toBe('posted');
    const [receipt] = out.cashReceipts!;
    expect(receipt!.amount.minor).toBe(invoiced);
    expect(receipt!.applied).toHaveLength(orders.length);
    expect(receipt!.unapplied).toEqual([]);
    expect(receipt!.unappliedTotal.minor).toBe(0);
    expect(await sage.db.selectFrom('tarPendCustPmtAppl').selectAll().execute()).toHaveLength(orders.length);

    // Sage's posting of the receipt, replayed as its GL entry: clearing debited, receivable credited.
    await sage.postJournal({
      reference: 'sage-posting:receipt',
      postDate: '2026-11-02',
      currency: 'USD',
      lines: [
        { account: A.receiptsClearing, amount: money('USD', receipt!.amount.minor), comment: 'receipt' },
        { account: A.receivable, amount: money('USD', -receipt!.amount.minor), comment: 'receipt' },
      ],
    });
    const after = await balances();
    expect(after.get(A.receivable)).toBe(0);
    expect(after.get(A.receiptsClearing)).toBe(0);
    expect(after.get(A.clearing)).toBe(report.totalMinor);
    // Revenue once, on the invoices.
    expect(after.get(A.sales)).toBe(
      -orders.reduce((s, o) => s + o.items.reduce((n, i) => n + i.unitPriceMinor * i.quantity, 0), 0),
    );
    let sum = 0;
    for (const v of after.values()) sum += v;
    expect(sum).toBe(0);
  });
});
