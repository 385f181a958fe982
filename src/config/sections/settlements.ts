import { z } from 'zod';
import { count, durationMs, MINUTE } from '../fields.ts';

/**
 * Settlement reports to the Sage 500 GL: accounts, how journals are summarized and dated, and the
 * discovery schedule. The category -> account rules are data: `rules` go before the seeded defaults
 * (src/core/rules/settlement-accounts.ts), first match wins. Owned by the settlement flows.
 */
const glAccount = z.string().min(1).max(100);

const rule = z
  .strictObject({
    transactionType: z.string().min(1).default('*').describe('Amazon transaction-type, or `*`'),
    amountType: z.string().min(1).default('*').describe('Amazon amount-type, or `*`'),
    amountDescription: z.string().min(1).default('*').describe('Amazon amount-description, or `*`'),
    account: glAccount.describe('Sage GL account (as Sage shows it) the rows go to'),
    label: z
      .string()
      .min(1)
      .max(40)
      .default('Amazon')
      .describe('Text on the journal line (Sage keeps 50 characters with the settlement id)'),
    marketplace: z.string().min(1).optional().describe('Only rows of this marketplace name (e.g. Amazon.de)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code')
      .optional()
      .describe('Only rows in this currency'),
  })
  .describe('One category -> account rule');

export const settlementsSection = z
  .strictObject({
    accountingModel: z
      .enum(['invoiced-orders', 'settlement-revenue'])
      .default('invoiced-orders')
      .describe(
        "How a settlement is booked (docs/settlements.md has a worked example of each): `invoiced-orders` (Sage invoices the orders the order flow created; the settlement's order principal, shipping, tax and promotions clear the marketplace customer's receivable, fees and adjustments go to their accounts, the deposit to the bank clearing account) or `settlement-revenue` (Sage orders are not invoiced; the settlement books sales, shipping and tax itself)",
      ),
    receivableAccount: glAccount
      .default('1200-00')
      .describe(
        "`invoiced-orders`: the GL account of the marketplace customers' receivable (their customer class's AR account in Sage); `sellbridge settlements check` compares it with Sage",
      ),
    receivableAccountByCurrency: z
      .record(z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'), glAccount)
      .default({})
      .describe('`invoiced-orders`: per-currency receivable accounts (a EUR marketplace customer in another class)'),
    exchangeRate: z
      .strictObject({
        source: z
          .enum(['sage-rate-table', 'deposit'])
          .default('sage-rate-table')
          .describe(
            "Where the rate of a settlement in another currency than the Sage company's home currency comes from: `sage-rate-table` (Sage's multi-currency rates, tmcCurrExchSchdDtl, effective on the deposit date) or `deposit` (the Finances API's financial event group of the deposit: ConvertedTotal / OriginalTotal)",
          ),
        schedule: z
          .string()
          .min(1)
          .max(15)
          .optional()
          .describe(
            '`sage-rate-table`: the Sage rate schedule (CurrExchSchdID); unset = the only schedule with a rate for the currency',
          ),
      })
      .prefault({})
      .describe(
        'Exchange rate of foreign-currency settlements (CurrExchRate on the journal, home-currency amounts in PostAmtHC); unused when the settlement is in the home currency',
      ),
    cashApplication: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "`invoiced-orders`: enter each settlement's order money as a pending AR cash receipt of the marketplace customer in a cash-receipts batch, applied to the orders' Sage invoices (what no invoice takes stays unapplied and is listed). Off by default: Sage's pending receipt tables are in no public source (run `sellbridge sage500 verify` first)",
          ),
        cashAccount: z
          .string()
          .min(1)
          .max(15)
          .default('AMAZON')
          .describe(
            'Sage cash account (tcmCashAcct.CashAcctID) the receipts are deposited to; its GL account must be `clearingAccount`',
          ),
        clearingAccount: glAccount
          .default('1070-00')
          .describe(
            "GL account the settlement credits with the orders' money instead of the receivable (the receipt, when Sage posts it, debits it and credits the receivable)",
          ),
        customerByCurrency: z
          .record(z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'), z.string().min(1).max(12))
          .default({})
          .describe(
            "The marketplace customer (CustID) whose invoices each currency's receipts pay; unset currencies use the order mapping's customer of that currency (`orders.customers`; AMAZON-US for USD by default)",
          ),
      })
      .prefault({})
      .describe('Cash applied in Sage AR (docs/settlements.md "Cash applied in Sage")'),
    enabled: z
      .boolean()
      .default(false)
      .describe('Discover new settlement reports on a schedule inside `sellbridge run` and post them'),
    connectionId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _')
      .optional()
      .describe(
        'Connection (one Sage company + one seller account) settlements are kept and reconciled under; unset = orders.connectionId; in a `connections:` entry it is the entry id',
      ),
    discoveryEveryMs: durationMs(
      'How often getReports is asked for new settlement reports (Amazon makes one about every 14 days)',
      240 * MINUTE,
    ),
    lookbackDays: count('First discovery: how many days back to look (Amazon keeps reports 90 days)', 90, 1),
    bankClearingAccount: glAccount
      .default('1050-00')
      .describe('GL account that receives the deposit (total-amount): the bank or an Amazon clearing account'),
    bankAccountByCurrency: z
      .record(z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'), glAccount)
      .default({})
      .describe('Per-currency clearing accounts, e.g. {EUR: "1051-00"}; others use bankClearingAccount'),
    suspenseAccount: glAccount
      .optional()
      .describe(
        'When set, rows no rule maps are booked here (their category on the line) instead of stopping the settlement',
      ),
    postingDate: z
      .enum(['deposit', 'split-month-end'])
      .default('deposit')
      .describe(
        "Journal date: `deposit` (the deposit date) or `split-month-end` (rows posted in an earlier month get their own journal dated that month's last day)",
      ),
    summarize: z
      .enum(['account', 'order'])
      .default('account')
      .describe('One journal line per GL account, or per account and Amazon order'),
    numberFormat: z
      .enum(['auto', 'us', 'eu'])
      .default('auto')
      .describe('Amounts in files: `auto` detects 1,234.56 (US) or 1.234,56 (EU) per file'),
    useDefaultRules: z
      .boolean()
      .default(true)
      .describe(
        'Append the seeded category rules (orders, tax, refunds, fees, promotions, facilitator tax, reserves, advertising, subscription, reimbursements) after `rules`',
      ),
    rules: z
      .array(rule)
      .default([])
      .describe('Category -> account rules tried before the seeded ones (first match wins)'),
  })
  .prefault({})
  .describe('Amazon settlement reports to the Sage 500 general ledger');
