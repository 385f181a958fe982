import type { Insertable } from 'kysely';
import type { CashReceiptDraft } from '../../core/model/cash-receipt.ts';
import { money, moneyToDecimal, type Money } from '../../core/model/money.ts';
import type { PlannedApplication } from '../../core/transform/cash-application.ts';
import { convertMinor, rateFromDecimal } from '../../core/transform/exchange-rate.ts';
import { sageDate } from './decimal.ts';
import type { SageDatabase } from './tables.ts';

export interface CashReceiptRowKeys {
  readonly companyId: string;
  readonly userId: string;
  readonly batchKey: number;
  readonly batchNo: number;
  readonly custPmtKey: number;
  readonly custKey: number;
  readonly cashAcctKey: number;
  readonly now: string;
}

/**
 * The rows of one settlement cash receipt (tables.ts says which source shows which column): the pending receipt,
 * its applications (Net4Sage's PendingCustomerPaymentAppl shape: amounts in the receipt's currency and, `IC`, in the
 * home currency; no discount, no write-off, AppliedAtCreation 1 as the receipt is entered with them) and our
 * idempotency row. Pure; `sellbridge sage500 verify` compiles these inserts to learn which columns we write.
 */
export function rowsFromCashReceipt(
  receipt: CashReceiptDraft,
  applied: readonly PlannedApplication[],
  unappliedTotal: Money,
  k: CashReceiptRowKeys,
) {
  const rate = rateFromDecimal(receipt.exchangeRate);
  const home = receipt.amountHome.currency;
  const hc = (minor: number) => moneyToDecimal(convertMinor(money(receipt.amount.currency, minor), home, rate).home);
  const tranDate = sageDate(receipt.tranDate);
  // Our own number space, as for sales orders (facts §4.4): R + the key, never Sage's next receipt number.
  const tranNo = `R${String(k.custPmtKey).padStart(9, '0')}`.slice(0, 10);
  const receiptRow: Insertable<SageDatabase['tarPendCustPmt']> = {
    CustPmtKey: k.custPmtKey,
    CompanyID: k.companyId,
    BatchKey: k.batchKey,
    CustKey: k.custKey,
    CashAcctKey: k.cashAcctKey,
    TranNo: tranNo,
    TranID: tranNo,
    TranDate: tranDate,
    TranAmt: moneyToDecimal(receipt.amount),
    TranAmtHC: moneyToDecimal(receipt.amountHome),
    UnappliedAmt: moneyToDecimal(unappliedTotal),
    UnappliedAmtHC: hc(unappliedTotal.minor),
    CurrID: receipt.amount.currency,
    CurrExchRate: Number(receipt.exchangeRate),
    CreateDate: k.now,
    CreateUserID: k.userId,
  };
  const applicationRows: Insertable<SageDatabase['tarPendCustPmtAppl']>[] = applied.map((a, i) => ({
    BatchKey: k.batchKey,
    SeqNo: i + 1,
    ApplyFromPmtKey: k.custPmtKey,
    ApplyFromTranID: tranNo,
    ApplyFromTranDate: tranDate,
    ApplyToInvcKey: a.invoiceKey,
    ApplyToTranID: a.invoice,
    ApplyToTranDate: sageDate(a.invoiceDate),
    CurrExchRate: Number(receipt.exchangeRate),
    PmtAmt: moneyToDecimal(a.amount),
    PmtAmtIC: hc(a.amount.minor),
    DiscTakenAmt: '0',
    DiscTakenAmtIC: '0',
    WriteOffAmt: '0',
    WriteOffAmtIC: '0',
    RealGainLossAmt: '0',
    AppliedAtCreation: 1,
    UpdateCounter: 0,
    CreateDate: k.now,
    CreateUserID: k.userId,
  }));
  const linkRow: Insertable<SageDatabase['tarCustPmt_AMZ']> = {
    CompanyID: k.companyId,
    Reference: receipt.reference,
    CustPmtKey: k.custPmtKey,
    BatchKey: k.batchKey,
    BatchNo: k.batchNo,
    CreatedAt: k.now,
  };
  return { receiptRow, applicationRows, linkRow };
}
