import type { CashApplication, UnappliedCash } from '../model/cash-receipt.ts';
import { money, type Money } from '../model/money.ts';

/** An open invoice of one of the settlement's orders (one row per invoice and order it bills). */
export interface OpenInvoice {
  readonly amazonOrderId: string;
  readonly invoiceKey: number;
  /** tarInvoice.TranID. */
  readonly invoice: string;
  readonly tranDate: string;
  /** Open balance in the receipt's currency, minor units. */
  readonly balanceMinor: number;
}

export interface PlannedApplication extends CashApplication {
  readonly invoiceKey: number;
  readonly invoiceDate: string;
}

/**
 * What the settlement paid per order, applied to that order's open invoices, oldest first, never past an
 * invoice's balance (an invoice billing several orders is shared: its balance is spent once). What is left is
 * unapplied cash with its reason: the order has no open invoice, the invoices' balance is smaller, or the
 * order's settled amount is not positive (a refund larger than the sale). Pure.
 */
export function planCashApplication(
  orders: readonly { readonly amazonOrderId: string; readonly amount: Money }[],
  invoices: readonly OpenInvoice[],
): { readonly applied: PlannedApplication[]; readonly unapplied: UnappliedCash[] } {
  const left = new Map<number, number>();
  for (const i of invoices) left.set(i.invoiceKey, i.balanceMinor);
  const applied: PlannedApplication[] = [];
  const unapplied: UnappliedCash[] = [];
  for (const order of orders) {
    const currency = order.amount.currency;
    if (order.amount.minor <= 0) {
      if (order.amount.minor < 0)
        unapplied.push({ amazonOrderId: order.amazonOrderId, amount: order.amount, reason: 'negative' });
      continue;
    }
    const mine = invoices.filter((i) => i.amazonOrderId === order.amazonOrderId);
    let rest = order.amount.minor;
    for (const inv of mine) {
      const open = left.get(inv.invoiceKey) ?? 0;
      const take = Math.min(open, rest);
      if (take <= 0) continue;
      applied.push({
        amazonOrderId: order.amazonOrderId,
        invoice: inv.invoice,
        invoiceKey: inv.invoiceKey,
        invoiceDate: inv.tranDate,
        amount: money(currency, take),
      });
      left.set(inv.invoiceKey, open - take);
      rest -= take;
      if (rest === 0) break;
    }
    if (rest > 0)
      unapplied.push({
        amazonOrderId: order.amazonOrderId,
        amount: money(currency, rest),
        reason: mine.length === 0 ? 'no invoice' : 'over invoice balance',
      });
  }
  return { applied, unapplied };
}
