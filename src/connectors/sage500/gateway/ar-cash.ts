import { MappingError, SellbridgeError } from '../../../core/errors.ts';
import type {
  CashReceiptDraft,
  CashReceiptResult,
  ExchangeRateAnswer,
  ExchangeRateQuery,
  OrderInvoice,
} from '../../../core/model/cash-receipt.ts';
import { money, moneyToDecimal } from '../../../core/model/money.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { planCashApplication } from '../../../core/transform/cash-application.ts';
import { rateFromDecimal } from '../../../core/transform/exchange-rate.ts';
import { rowsFromCashReceipt } from '../rows-from-cash-receipt.ts';
import { decimalText, isoFromSage, moneyFromSageDecimal, sageDate, sageDateTime } from '../decimal.ts';
import {
  insertPendingApplications,
  insertPendingReceipt,
  insertReceiptLink,
  selectCashAccount,
  selectInvoicesOfOrders,
  selectOrdersOfInvoices,
  selectOpenInvoicesOfOrders,
  selectPendingApplications,
  selectPendingReceipt,
  selectReceiptCustomer,
  selectReceiptLink,
} from '../sql/cash-receipt.ts';
import { selectExchangeRates, selectHomeCurrency } from '../sql/exchange-rate.ts';
import { selectOpenFiscalPeriod } from '../sql/gl-journal.ts';
import { BATCH_TYPE_AR_CASH_RECEIPTS, MODULE_AR } from '../tables.ts';
import type { GatewayContext } from './context.ts';
import { chunks } from '../../../core/transform/chunks.ts';
import { MAX_IDS_PER_STATEMENT } from './backend.ts';

/** The pending receipt tables no public source shows (tables.ts): present in the catalog, or no receipt. */
const PENDING_RECEIPT_TABLES = ['tarPendCustPmt', 'tarPendCustPmtAppl'] as const;

/** AR: exchange rates of Sage's multi-currency module and settlement cash receipts. */
export function arCashMethods(
  ctx: GatewayContext,
): Pick<Sage500Gateway, 'exchangeRate' | 'enterCashReceipt' | 'invoicesOfOrders'> {
  const { backend, co, options } = ctx;

  async function exchangeRate(query: ExchangeRateQuery): Promise<ExchangeRateAnswer> {
    const company = await selectHomeCurrency(backend.db, co).executeTakeFirst();
    if (!company) return { homeCurrency: '', problem: `company ${co} is not in tsmCompany` };
    const home = company.CurrID.trim().toUpperCase();
    const currency = query.currency.toUpperCase();
    if (currency === home) return { homeCurrency: home, rate: '1' };
    const rows = await selectExchangeRates(backend.db, {
      currency,
      home,
      date: sageDate(query.date),
      schedule: query.schedule,
    }).execute();
    const where = `${currency} -> ${home} on ${query.date.slice(0, 10)}${query.schedule ? ` in schedule ${query.schedule}` : ''}`;
    if (rows.length === 0) return { homeCurrency: home, problem: `no rate ${where} in tmcCurrExchSchdDtl` };
    const schedules = [...new Set(rows.map((r) => r.CurrExchSchdID.trim()))];
    if (query.schedule === undefined && schedules.length > 1)
      return {
        homeCurrency: home,
        problem: `rates ${where} in several schedules (${schedules.join(', ')}): set settlements.exchangeRate.schedule`,
      };
    const row = rows[0]!;
    // A float in Sage: its shortest decimal text is the rate as entered (e.g. 1.0825), then exact from there on.
    const rate = decimalText(row.CurrExchRate);
    try {
      rateFromDecimal(rate);
    } catch {
      return { homeCurrency: home, problem: `rate ${rate} ${where} is not above 0` };
    }
    return {
      homeCurrency: home,
      rate,
      schedule: row.CurrExchSchdID.trim(),
      effectiveDate: isoFromSage(row.EffectiveDate),
    };
  }

  async function enterCashReceipt(receipt: CashReceiptDraft): Promise<CashReceiptResult> {
    const currency = receipt.amount.currency;
    const existing = await selectReceiptLink(backend.db, co, receipt.reference).executeTakeFirst();
    if (existing) return existingReceipt(receipt, existing);

    const catalog = (await ctx.catalog()).catalog;
    const missing = PENDING_RECEIPT_TABLES.filter(
      (t) => !catalog.objects.some((o) => o.name.toLowerCase() === t.toLowerCase()),
    );
    if (missing.length > 0)
      throw new SellbridgeError(
        'SB_SAGE_SCHEMA_MISSING',
        `cash receipt ${receipt.reference}: ${missing.join(', ')} not in this database (no public source shows Sage's pending cash receipt tables; Sellbridge's names are inferred): turn settlements.cashApplication off and apply the cash in Sage's Cash Receipts`,
        { context: { reference: receipt.reference } },
      );
    const issues: { field: string; problem: string }[] = [];
    if (receipt.amount.minor <= 0)
      issues.push({ field: 'amount', problem: `${moneyToDecimal(receipt.amount)} is not positive` });
    if (receipt.reference.length === 0 || receipt.reference.length > 50)
      issues.push({ field: 'reference', problem: 'must be 1 to 50 characters (tarCustPmt_AMZ.Reference)' });
    const customer = await selectReceiptCustomer(backend.db, co, receipt.customerId).executeTakeFirst();
    if (!customer) issues.push({ field: 'customer', problem: `no customer ${receipt.customerId} in tarCustomer` });
    const cash = await selectCashAccount(backend.db, co, receipt.cashAccountId).executeTakeFirst();
    if (!cash)
      issues.push({ field: 'cashAccount', problem: `no cash account ${receipt.cashAccountId} in tcmCashAcct` });
    if (issues.length > 0 || !customer || !cash)
      throw new MappingError('SB_SAGE_CASH_RECEIPT_INVALID', `cash receipt ${receipt.reference}`, issues, {
        context: { reference: receipt.reference },
      });
    const tranDate = sageDate(receipt.tranDate);
    if (!(await selectOpenFiscalPeriod(backend.db, co, tranDate).executeTakeFirst()))
      throw new SellbridgeError(
        'SB_SAGE_FISCAL_PERIOD_CLOSED',
        `cash receipt ${receipt.reference}: ${tranDate.slice(0, 10)} is not in an open fiscal period of ${co}`,
        { context: { reference: receipt.reference } },
      );

    const ids = [...new Set(receipt.orders.map((o) => o.amazonOrderId))];
    const invoices = ids.length
      ? (await selectOpenInvoicesOfOrders(backend.db, co, customer.CustKey, ids).execute())
          .filter((r) => r.CurrID.trim().toUpperCase() === currency)
          .map((r) => ({
            amazonOrderId: r.AmazonOrderId,
            invoiceKey: r.InvcKey,
            invoice: r.TranID.trim(),
            tranDate: isoFromSage(r.TranDate),
            balanceMinor: moneyFromSageDecimal(r.Balance, currency).minor,
          }))
      : [];
    const plan = planCashApplication(receipt.orders, invoices);
    const appliedMinor = plan.applied.reduce((s, a) => s + a.amount.minor, 0);
    const unappliedTotal = money(currency, receipt.amount.minor - appliedMinor);
    const now = sageDateTime(options.clock.now().toISOString());

    const created = await backend.journalTransaction(async (tx) => {
      const raced = await selectReceiptLink(tx.db, co, receipt.reference).executeTakeFirst();
      if (raced) return { raced: raced as { CustPmtKey: number; BatchKey: number; BatchNo: number } };
      const { batchKey, batchNo } = await tx.getNextBatch({
        userId: options.userId,
        comment: receipt.reference,
        postDate: tranDate,
        moduleNo: MODULE_AR,
        batchType: BATCH_TYPE_AR_CASH_RECEIPTS,
      });
      const custPmtKey = await tx.nextSurrogateKey('tarCustPmt');
      const rows = rowsFromCashReceipt(receipt, plan.applied, unappliedTotal, {
        companyId: co,
        userId: options.userId,
        batchKey,
        batchNo,
        custPmtKey,
        custKey: customer.CustKey,
        cashAcctKey: cash.CashAcctKey,
        now,
      });
      await insertPendingReceipt(tx.db, rows.receiptRow).execute();
      if (rows.applicationRows.length > 0) await insertPendingApplications(tx.db, rows.applicationRows).execute();
      await insertReceiptLink(tx.db, rows.linkRow).execute();
      const tranId = rows.receiptRow.TranID;
      return { batchKey, batchNo, custPmtKey, tranId };
    });
    if ('raced' in created && created.raced) return existingReceipt(receipt, created.raced);
    return {
      outcome: 'created',
      reference: receipt.reference,
      batchKey: String(created.batchKey),
      batchNo: created.batchNo,
      receiptKey: String(created.custPmtKey),
      receiptId: created.tranId,
      amount: receipt.amount,
      applied: plan.applied.map(({ amazonOrderId, invoice, amount }) => ({ amazonOrderId, invoice, amount })),
      unapplied: plan.unapplied,
      unappliedTotal,
    };
  }

  async function existingReceipt(
    receipt: CashReceiptDraft,
    link: { CustPmtKey: number; BatchKey: number; BatchNo: number },
  ): Promise<CashReceiptResult> {
    const currency = receipt.amount.currency;
    const row = await selectPendingReceipt(backend.db, link.CustPmtKey).executeTakeFirst();
    const appls = await selectPendingApplications(backend.db, link.CustPmtKey).execute();
    // Posted by Sage since: the pending rows are gone; the link row still says it was entered once.
    return {
      outcome: 'existing',
      reference: receipt.reference,
      batchKey: String(link.BatchKey),
      batchNo: link.BatchNo,
      receiptKey: String(link.CustPmtKey),
      receiptId: row ? row.TranID.trim() : '',
      amount: row ? moneyFromSageDecimal(row.TranAmt, currency) : receipt.amount,
      applied: appls.map((a) => ({
        amazonOrderId: '',
        invoice: a.ApplyToTranID.trim(),
        amount: moneyFromSageDecimal(a.PmtAmt, currency),
      })),
      unapplied: [],
      unappliedTotal: row ? moneyFromSageDecimal(row.UnappliedAmt, currency) : money(currency, 0),
    };
  }

  async function invoicesOfOrders(amazonOrderIds: readonly string[]): Promise<OrderInvoice[]> {
    const ids = [...new Set(amazonOrderIds)];
    const rows: Awaited<ReturnType<ReturnType<typeof selectInvoicesOfOrders>['execute']>> = [];
    for (const part of chunks(ids, MAX_IDS_PER_STATEMENT))
      rows.push(...(await selectInvoicesOfOrders(backend.db, co, part).execute()));
    const keys = [...new Set(rows.map((r) => r.InvcKey))];
    const ordersOf = new Map<number, Set<string>>();
    for (const part of chunks(keys, MAX_IDS_PER_STATEMENT))
      for (const r of await selectOrdersOfInvoices(backend.db, part).execute())
        ordersOf.set(r.InvcKey, (ordersOf.get(r.InvcKey) ?? new Set()).add(r.AmazonOrderId));
    return rows.map((r) => {
      const currency = r.CurrID.trim().toUpperCase();
      return {
        amazonOrderId: r.AmazonOrderId,
        invoice: r.TranID.trim(),
        total: moneyFromSageDecimal(r.TranAmt, currency),
        balance: moneyFromSageDecimal(r.Balance, currency),
        orders: ordersOf.get(r.InvcKey)?.size ?? 1,
      };
    });
  }

  return { exchangeRate, enterCashReceipt, invoicesOfOrders };
}
