import type { Money } from './money.ts';

/**
 * A settlement's money as an AR cash receipt of the marketplace customer, applied to the invoices of the
 * settlement's orders (`Sage500Gateway.enterCashReceipt`, docs/settlements.md "Cash applied in Sage").
 */
export interface CashReceiptDraft {
  /** Idempotency key, e.g. `receipt:<settlement id>:<currency>`; one receipt per reference, ever. */
  readonly reference: string;
  /** The marketplace customer (CustID) whose invoices the receipt pays. */
  readonly customerId: string;
  /** Sage cash account (CashAcctID) the receipt is deposited to; its GL account is the receipts clearing account. */
  readonly cashAccountId: string;
  /** UTC ISO-8601 date (the deposit date). */
  readonly tranDate: string;
  /** The receipt's amount: what the settlement paid for the orders (applied + unapplied). */
  readonly amount: Money;
  /** Rate to the home currency (Sage's CurrExchRate) when `amount` is not in it; "1" otherwise. */
  readonly exchangeRate: string;
  /** The receipt in the home currency (TranAmtHC). */
  readonly amountHome: Money;
  /** What the settlement paid per order; each is applied to that order's invoices (oldest first) up to their balance. */
  readonly orders: readonly { readonly amazonOrderId: string; readonly amount: Money }[];
}

export interface CashApplication {
  readonly amazonOrderId: string;
  /** Sage invoice (tarInvoice.TranID). */
  readonly invoice: string;
  readonly amount: Money;
}

/** Money of the receipt not applied to an invoice: stays on the receipt as unapplied cash. */
export interface UnappliedCash {
  readonly amazonOrderId: string;
  readonly amount: Money;
  /** `no invoice` (the order has none in Sage yet), `over invoice balance`, `negative` (a refund-heavy order). */
  readonly reason: string;
}

export interface CashReceiptResult {
  /** `existing`: a receipt with this reference was entered before; nothing was written. */
  readonly outcome: 'created' | 'existing';
  readonly reference: string;
  readonly batchKey: string;
  readonly batchNo: number;
  /** tarPendCustPmt.CustPmtKey and TranID of the receipt. */
  readonly receiptKey: string;
  readonly receiptId: string;
  readonly amount: Money;
  readonly applied: readonly CashApplication[];
  /** Per order; empty for `existing` (the first result, kept by the caller, lists them). */
  readonly unapplied: readonly UnappliedCash[];
  /** The receipt's UnappliedAmt. */
  readonly unappliedTotal: Money;
}

/** `Sage500Gateway.exchangeRate`: the company's home currency and, for another currency, Sage's rate on a date. */
export interface ExchangeRateQuery {
  /** The foreign currency (the settlement's). */
  readonly currency: string;
  /** UTC ISO-8601 date the rate must be effective on (the deposit date). */
  readonly date: string;
  /** Sage rate schedule (tmcCurrExchSchd.CurrExchSchdID); unset = the only schedule that has a rate. */
  readonly schedule?: string;
}

export interface ExchangeRateAnswer {
  /** tsmCompany.CurrID. */
  readonly homeCurrency: string;
  /** Decimal text: home = amount x rate. Absent with `problem` when Sage has no usable rate (or currency is home). */
  readonly rate?: string;
  readonly schedule?: string;
  /** UTC ISO-8601 date of the rate row. */
  readonly effectiveDate?: string;
  readonly problem?: string;
}

/** A Sage invoice that bills (some lines of) an Amazon order's sales order (`Sage500Gateway.invoicesOfOrders`). */
export interface OrderInvoice {
  readonly amazonOrderId: string;
  /** tarInvoice.TranID. */
  readonly invoice: string;
  /** The invoice's total (TranAmt) and open balance, in its currency. */
  readonly total: Money;
  readonly balance: Money;
  /** How many Amazon orders the invoice bills (more than one: its total cannot be told per order). */
  readonly orders: number;
}
