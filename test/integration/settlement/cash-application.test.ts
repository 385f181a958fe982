import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSettlementDeps } from '../../../src/bootstrap/settlements.ts';
import { cashReceiptText } from '../../../src/cli/commands/settlements.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { settlementFileFromStream } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { scaledInteger } from '../../../src/connectors/sage500/decimal.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { cashReceiptsOf } from '../../../src/connectors/store/settlement-cash.ts';
import { money } from '../../../src/core/model/money.ts';
import type { JobScheduler } from '../../../src/core/ports/job-scheduler.ts';
import { SETTLEMENT_ACCOUNTS as A } from '../../../src/core/rules/settlement-accounts.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore } from '../../helpers/queue-env.ts';
import { amountRow, summary, tsv, V2_COLUMNS } from '../../unit/settlement/tsv.ts';
import { addSettlementAccounts } from './sandbox-accounts.ts';

/**
 * Cash applied in Sage (settlements.cashApplication, invoiced-orders): the settlement's order money becomes one
 * pending AR cash receipt of the marketplace customer in a cash-receipts batch (503), applied to the invoices Sage
 * made for the orders (tarInvoiceDetl.SOLineKey -> the order's line -> our Amazon link); what no invoice takes stays
 * unapplied on the receipt and is listed with its reason. Sage's invoicing and its receipt posting are not in the
 * sandbox: the invoices are inserted as Sage's invoicing leaves them, and the receipt's posting is replayed as the GL
 * entry it makes (cash account's GL account debited, receivable credited) to show the money lands once.
 */
const NOW = new Date('2026-10-20T12:00:00Z');
const clock = { now: () => NOW };
const CONN = 'c1';
const jobs: JobScheduler = { enqueue: async () => ({ id: '1', deduplicated: false }) };
const ID = '40000000001';
let store: Store;
let sage: SandboxGateway;

beforeEach(async () => {
  store = await freshStore('sqlite', 'cash-application');
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-cash-')), 'sage.db'),
    clock,
    warehouseSimulator: { enabled: false },
  });
  await addSettlementAccounts(sage);
});
afterEach(async () => {
  await sage.close();
  await store.close();
});

const order = (orderId: string, type: string, amountType: string, description: string, amount: string) =>
  amountRow(ID, type, amountType, description, amount, { 'order-id': orderId });
const rows = [
  // A: invoiced in full (108.40 = principal + shipping + tax - shipping promotion).
  order('111-A', 'Order', 'ItemPrice', 'Principal', '100.00'),
  order('111-A', 'Order', 'ItemPrice', 'Shipping', '5.00'),
  order('111-A', 'Order', 'ItemPrice', 'Tax', '8.40'),
  order('111-A', 'Order', 'Promotion', 'Shipping', '-5.00'),
  order('111-A', 'Order', 'ItemFees', 'Commission', '-15.00'),
  // B: Sage's invoice is for 40.00 (a line not shipped yet): 10.00 stays unapplied.
  order('111-B', 'Order', 'ItemPrice', 'Principal', '50.00'),
  order('111-B', 'Order', 'ItemFees', 'Commission', '-7.50'),
  // C: not invoiced in Sage yet: all unapplied.
  order('111-C', 'Order', 'ItemPrice', 'Principal', '20.00'),
  order('111-C', 'Order', 'ItemFees', 'Commission', '-3.00'),
  amountRow(ID, 'other-transaction', 'other-transaction', 'Subscription Fee', '-39.99'),
];
/** 178.40 order money - 25.50 fees - 39.99 subscription. */
const totalText = '112.91';

function deps(extra: { path: string; value: string }[] = []) {
  const config = loadConfig({
    env: {},
    overrides: [{ path: 'settlements.cashApplication.enabled', value: 'true' }, ...extra],
  }).settlements;
  return createSettlementDeps({ store, sage, clock, queue: jobs, config });
}
const file = () =>
  settlementFileFromStream('file:cash.tsv', async () =>
    Readable.from([tsv([...V2_COLUMNS], [summary(ID, totalText), ...rows])]),
  );

let key = 7000;
/** The sales order the order flow made and the invoice Sage's invoicing made from it (one line). */
async function invoiced(amazonOrderId: string, invoice: string, amount: string) {
  const so = ++key;
  const line = ++key;
  const invc = ++key;
  const customer = await sage.db
    .selectFrom('tarCustomer')
    .select('CustKey')
    .where('CustID', '=', 'AMAZON-US')
    .executeTakeFirstOrThrow();
  await sage.db
    .insertInto('tsoSalesOrder_AMZ')
    .values({
      SOKey: so,
      CompanyID: 'SOA',
      TranNo: `AZ${so}`,
      AmazonOrderId: amazonOrderId,
      MarketplaceId: null,
      CreatedAt: '2026-10-02T00:00:00',
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
      TranID: invoice,
      TranNo: invoice,
      TranType: 501,
      TranDate: '2026-10-05T00:00:00',
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

async function glBalance(account: string): Promise<number> {
  const rows = await sage.db
    .selectFrom('tglJournalDetl as d')
    .innerJoin('tglAccount as a', 'a.GLAcctKey', 'd.GLAcctKey')
    .select(['d.PostAmt'])
    .where('a.GLAcctNo', '=', account)
    .execute();
  return rows.reduce((s, r) => s + scaledInteger(r.PostAmt, 2), 0);
}

describe('cash applied in Sage (invoiced-orders, cashApplication on)', () => {
  it('one pending receipt in a 503 batch, applied to the invoices, the rest unapplied and listed; once', async () => {
    await invoiced('111-A', 'INV-A', '108.40');
    await invoiced('111-B', 'INV-B', '40.00');

    const out = await importSettlement(CONN, file(), deps());
    expect(out.kind).toBe('posted');
    expect(out.cashReceiptError).toBeUndefined();

    // The journal credits the orders' money to the receipts clearing account, not the receivable.
    expect(await glBalance(A.receiptsClearing)).toBe(-17_840);
    expect(await glBalance(A.receivable)).toBe(0);
    expect(await glBalance(A.clearing)).toBe(11_291);

    const [receipt] = out.cashReceipts!;
    expect(receipt).toMatchObject({ outcome: 'created', reference: `receipt:${ID}:USD`, amount: money('USD', 17_840) });
    expect(receipt!.applied).toEqual([
      { amazonOrderId: '111-A', invoice: 'INV-A', amount: money('USD', 10_840) },
      { amazonOrderId: '111-B', invoice: 'INV-B', amount: money('USD', 4_000) },
    ]);
    expect(receipt!.unapplied).toEqual([
      { amazonOrderId: '111-B', amount: money('USD', 1_000), reason: 'over invoice balance' },
      { amazonOrderId: '111-C', amount: money('USD', 2_000), reason: 'no invoice' },
    ]);
    expect(receipt!.unappliedTotal).toEqual(money('USD', 3_000));

    // What Sage holds: the pending receipt in an AR cash-receipts batch, deposited to the AMAZON cash account.
    const pmt = await sage.db.selectFrom('tarPendCustPmt').selectAll().execute();
    expect(pmt).toHaveLength(1);
    expect(pmt[0]).toMatchObject({ CurrID: 'USD', CashAcctKey: 501, TranID: receipt!.receiptId });
    expect(scaledInteger(pmt[0]!.TranAmt, 2)).toBe(17_840);
    expect(scaledInteger(pmt[0]!.UnappliedAmt, 2)).toBe(3_000);
    const batch = await sage.db
      .selectFrom('tciBatchLog')
      .select(['BatchType', 'BatchNo'])
      .where('BatchKey', '=', pmt[0]!.BatchKey)
      .executeTakeFirstOrThrow();
    expect(batch).toEqual({ BatchType: 503, BatchNo: receipt!.batchNo });
    const appl = await sage.db.selectFrom('tarPendCustPmtAppl').selectAll().orderBy('SeqNo').execute();
    expect(appl.map((a) => [a.ApplyToTranID, scaledInteger(a.PmtAmt, 2), scaledInteger(a.PmtAmtIC, 2)])).toEqual([
      ['INV-A', 10_840, 10_840],
      ['INV-B', 4_000, 4_000],
    ]);

    // Listed: kept for `settlements show`, which prints the unapplied money with its reason.
    const kept = await cashReceiptsOf(store, CONN, ID);
    expect(kept).toHaveLength(1);
    const text = cashReceiptText(kept[0]!);
    expect(text).toContain(`cash receipt ${receipt!.receiptId} (receipt:${ID}:USD, Sage batch ${receipt!.batchNo}`);
    expect(text).toContain('178.40 USD, unapplied 30.00 USD');
    expect(text).toMatch(/111-C\s+20\.00 USD\s+no invoice/);

    // Again: the journal is unchanged, the receipt is found by its reference; nothing new in Sage.
    const again = await importSettlement(CONN, file(), deps());
    expect(again.kind).toBe('unchanged');
    expect(again.cashReceipts![0]!.outcome).toBe('existing');
    expect(again.cashReceipts![0]!.receiptKey).toBe(receipt!.receiptKey);
    expect(await sage.db.selectFrom('tarPendCustPmt').selectAll().execute()).toHaveLength(1);
    expect(await sage.db.selectFrom('tarPendCustPmtAppl').selectAll().execute()).toHaveLength(2);
    // The per-order unapplied list of the first entry is what is shown.
    expect((await cashReceiptsOf(store, CONN, ID))[0]!.unapplied).toHaveLength(2);

    // The invoices' own GL entry (Sage's invoice posting: receivable debited, sales credited), then the receipt's
    // posting by a Sage user (cash account's GL account, the clearing account, debited; receivable credited),
    // replayed as the GL entries they make. Clearing nets to zero; the receivable is left with exactly the
    // unapplied cash (a credit on the customer until an invoice takes it); sales counted once, on the invoices.
    await sage.postJournal({
      reference: 'sage-posting:invoices',
      postDate: '2026-10-05',
      currency: 'USD',
      lines: [
        { account: A.receivable, amount: money('USD', 14_840), comment: 'INV-A, INV-B' },
        { account: A.sales, amount: money('USD', -14_840), comment: 'INV-A, INV-B' },
      ],
    });
    await sage.postJournal({
      reference: 'sage-posting:receipt',
      postDate: '2026-10-17',
      currency: 'USD',
      lines: [
        { account: A.receiptsClearing, amount: money('USD', 17_840), comment: 'receipt posting' },
        { account: A.receivable, amount: money('USD', -17_840), comment: 'receipt posting' },
      ],
    });
    expect(await glBalance(A.receiptsClearing)).toBe(0);
    expect(await glBalance(A.receivable)).toBe(-receipt!.unappliedTotal.minor);
    expect(await glBalance(A.sales)).toBe(-14_840);
  });

  it("without Sage's pending receipt tables the journal still posts and the receipt error says what to do", async () => {
    await sage.db.schema.dropTable('tarPendCustPmtAppl').execute();
    await sage.db.schema.dropTable('tarPendCustPmt').execute();
    const out = await importSettlement(CONN, file(), deps());
    expect(out.kind).toBe('posted');
    expect(out.cashReceipts).toEqual([]);
    expect(out.cashReceiptError).toContain('SB_SAGE_SCHEMA_MISSING');
    expect(out.cashReceiptError).toContain('turn settlements.cashApplication off');
  });

  it('an unknown cash account is a clear mapping error naming the field; nothing written', async () => {
    const out = await importSettlement(
      CONN,
      file(),
      deps([{ path: 'settlements.cashApplication.cashAccount', value: 'NOPE' }]),
    );
    expect(out.kind).toBe('posted');
    expect(out.cashReceiptError).toContain('SB_SAGE_CASH_RECEIPT_INVALID');
    expect(out.cashReceiptError).toContain('cashAccount: no cash account NOPE in tcmCashAcct');
    expect(await sage.db.selectFrom('tarCustPmt_AMZ').selectAll().execute()).toHaveLength(0);
  });
});
