import type { Money } from './money.ts';

/**
 * A general-ledger journal to be entered into the ERP as one unposted batch (accounting reviews and posts it).
 * Debits are positive, credits negative; the lines must net to zero in one currency.
 */
export interface JournalLine {
  /** Formatted or plain GL account number as the ERP shows it. */
  readonly account: string;
  readonly amount: Money;
  /** Short text (Sage keeps 50 characters). */
  readonly comment: string;
  /**
   * The amount in the company's home currency (Sage's PostAmtHC) when the journal is in another currency
   * (`JournalBatch.exchange`); absent = the same as `amount`.
   */
  readonly home?: Money;
}

/** The exchange rate of a journal in a foreign currency (core/transform/exchange-rate.ts). */
export interface JournalExchange {
  /** The Sage company's home currency (tsmCompany.CurrID). */
  readonly homeCurrency: string;
  /** Home = amount x rate (Sage's CurrExchRate), as decimal text with up to 9 decimals. */
  readonly rate: string;
  /** Where the rate comes from: Sage's rate table (tmcCurrExchSchdDtl) or the deposit's two amounts. */
  readonly source: 'sage-rate-table' | 'deposit';
  /** Which schedule row / which deposit amounts, in words (shown by `settlements show`). */
  readonly detail: string;
}

export interface JournalBatch {
  /** Idempotency key, e.g. `settlement:<id>:<currency>`; recorded in the batch comment. */
  readonly reference: string;
  /** UTC ISO-8601 date; must fall in an open fiscal period. */
  readonly postDate: string;
  readonly currency: string;
  readonly lines: readonly JournalLine[];
  /** Set when `currency` is not the company's home currency: every line then carries `home`. */
  readonly exchange?: JournalExchange;
}

export interface PostedJournal {
  readonly outcome: 'created' | 'existing';
  readonly batchKey: string;
  readonly batchNo: number;
}

export interface GlAccountCheck {
  readonly account: string;
  readonly valid: boolean;
  readonly problem?: string;
}

/** A Sage customer's receivable GL account, as its customer class says (`receivableAccountsOf`). */
export interface CustomerReceivable {
  readonly customerId: string;
  /** Sage's GLAcctNo (unmasked); absent with `problem` when it cannot be told. */
  readonly account?: string;
  readonly customerClassId?: string;
  readonly problem?: string;
}
