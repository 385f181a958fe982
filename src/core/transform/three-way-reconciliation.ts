import type { Money } from '../model/money.ts';
import type { SettlementTransaction } from '../model/settlement.ts';
import { normalizeCategoryPart } from '../rules/settlement-accounts.ts';

/**
 * Three-way reconciliation, per order and per settlement: what Amazon charged the buyer, what Sage invoiced,
 * what Amazon paid (the settlement's rows for the order) and what reached the bank (the deposit). Every
 * difference is named with its likely cause, so an accountant can tell the expected ones (fees, refunds,
 * promotions, reimbursements, marketplace-facilitator tax) from the ones to act on (an order missing in Sage,
 * a missing invoice, a rounding cent, an unexplained amount). Pure; amounts are integer minor units.
 */
export type SettledKind = 'charged' | 'promotion' | 'fee' | 'refund' | 'reimbursement' | 'withheldTax' | 'other';

export type SettledKinds = Readonly<Record<SettledKind, number>>;

export const SETTLED_KINDS: readonly SettledKind[] = [
  'charged',
  'promotion',
  'fee',
  'refund',
  'reimbursement',
  'withheldTax',
  'other',
];

export const emptyKinds = (): Record<SettledKind, number> => ({
  charged: 0,
  promotion: 0,
  fee: 0,
  refund: 0,
  reimbursement: 0,
  withheldTax: 0,
  other: 0,
});

const REFUND_TYPES = new Set(
  ['Refund', 'Chargeback Refund', 'A-to-z Guarantee Refund', 'GuaranteeClaim', 'Refund_Retrocharge'].map(
    normalizeCategoryPart,
  ),
);

/** Which part of an order's money a settlement row is (fees first: a refund's commission is a fee). */
export function settledKindOf(
  t: Pick<SettlementTransaction, 'transactionType' | 'amountType' | 'amountDescription'>,
): SettledKind {
  const type = normalizeCategoryPart(t.transactionType);
  const amountType = normalizeCategoryPart(t.amountType);
  const description = normalizeCategoryPart(t.amountDescription);
  if (amountType === 'itemfees' || amountType.endsWith('fee') || amountType.endsWith('fees')) return 'fee';
  if (amountType === 'itemwithheldtax') return 'withheldTax';
  if (/reimburs/.test(type) || /reimburs/.test(amountType) || /reimburs/.test(description)) return 'reimbursement';
  if (REFUND_TYPES.has(type)) return 'refund';
  if (amountType === 'promotion') return 'promotion';
  if (type === 'order' && amountType === 'itemprice') return 'charged';
  return 'other';
}

export type DifferenceCause =
  | 'refund'
  | 'fee'
  | 'reimbursement'
  | 'promotion'
  | 'withheld tax'
  | 'rounding'
  | 'order missing in Sage'
  | 'invoice missing'
  | 'unexplained';

/** Causes that are part of how Amazon pays (expected), as opposed to ones that need someone to act. */
export const EXPECTED_CAUSES: ReadonlySet<DifferenceCause> = new Set(['fee', 'withheld tax', 'promotion']);

export interface Difference {
  /** Which two of the four amounts differ. */
  readonly between: 'charged/invoiced' | 'charged/paid' | 'paid/deposit' | 'deposit/bank';
  readonly minor: number;
  readonly cause: DifferenceCause;
}

export interface OrderFacts {
  readonly amazonOrderId: string;
  readonly currency: string;
  /** The settlement's rows for the order, summed by kind (minor units). */
  readonly settled: SettledKinds;
  /** What Amazon charged the buyer for it; default: the settlement's `charged` rows (ItemPrice of the Order). */
  readonly charged?: number;
  /**
   * The Sage side: absent = no sales order for this Amazon order in Sage. `invoiced` absent with `invoiceKnown`
   * = the order exists but is not invoiced; without `invoiceKnown` the order's own total stands in for it.
   */
  readonly sage?: {
    readonly tranNo: string;
    readonly orderTotal?: number;
    readonly invoiced?: number;
    readonly invoiceKnown?: boolean;
  };
}

export interface OrderReconciliation {
  readonly amazonOrderId: string;
  readonly currency: string;
  readonly tranNo?: string;
  readonly charged: number;
  /** Undefined when Sage has no invoice (or no order). */
  readonly invoiced?: number;
  readonly paid: number;
  readonly differences: readonly Difference[];
  /** Money no expected cause explains (order missing, invoice missing, rounding, unexplained), absolute. */
  readonly unreconciled: number;
}

/** A difference of at most this many minor units between charged and invoiced is a rounding difference. */
export const ROUNDING_TOLERANCE = 2;

export function reconcileOrder(facts: OrderFacts): OrderReconciliation {
  const s = facts.settled;
  const settledCharge = s.charged;
  const charged = facts.charged ?? settledCharge;
  const paid = SETTLED_KINDS.reduce((sum, k) => sum + s[k], 0);
  const differences: Difference[] = [];
  const add = (between: Difference['between'], minor: number, cause: DifferenceCause) => {
    if (minor !== 0) differences.push({ between, minor, cause });
  };

  // Charged vs invoiced (the Sage side), when this settlement carries the order's charge (a later settlement may
  // carry only its refund or a reimbursement; the charge was compared when it was settled).
  let invoiced: number | undefined;
  if (facts.sage)
    invoiced = facts.sage.invoiceKnown ? facts.sage.invoiced : (facts.sage.invoiced ?? facts.sage.orderTotal);
  if (charged !== 0) {
    if (!facts.sage) add('charged/invoiced', -charged, 'order missing in Sage');
    else if (invoiced === undefined) add('charged/invoiced', -charged, 'invoice missing');
    else {
      // The Sage order carries the promotions (as discount lines): compare with what the buyer paid net of them.
      const d = invoiced - (charged + s.promotion);
      if (d !== 0) add('charged/invoiced', d, Math.abs(d) <= ROUNDING_TOLERANCE ? 'rounding' : 'unexplained');
    }
  }

  // Charged vs paid: each kind of settlement row that is not the charge itself.
  if (facts.charged !== undefined && facts.charged !== settledCharge)
    add(
      'charged/paid',
      settledCharge - facts.charged,
      Math.abs(settledCharge - facts.charged) <= ROUNDING_TOLERANCE ? 'rounding' : 'unexplained',
    );
  add('charged/paid', s.promotion, 'promotion');
  add('charged/paid', s.fee, 'fee');
  add('charged/paid', s.refund, 'refund');
  add('charged/paid', s.reimbursement, 'reimbursement');
  add('charged/paid', s.withheldTax, 'withheld tax');
  add('charged/paid', s.other, 'unexplained');

  const unreconciled = differences
    .filter((d) => !EXPECTED_CAUSES.has(d.cause) && d.cause !== 'refund' && d.cause !== 'reimbursement')
    .reduce((sum, d) => sum + Math.abs(d.minor), 0);
  return {
    amazonOrderId: facts.amazonOrderId,
    currency: facts.currency,
    ...(facts.sage ? { tranNo: facts.sage.tranNo } : {}),
    charged,
    ...(invoiced !== undefined ? { invoiced } : {}),
    paid,
    differences,
    unreconciled,
  };
}

export interface SettlementFacts {
  readonly settlementId: string;
  readonly currency: string;
  /** The settlement's total-amount: what Amazon says it paid. */
  readonly deposit: Money;
  /** What the bank statement shows for it; absent = not given. */
  readonly bank?: Money;
  readonly orders: readonly OrderFacts[];
}

export interface SettlementReconciliation {
  readonly settlementId: string;
  readonly currency: string;
  readonly charged: number;
  /** Sum of the invoices found (orders without one are left out). */
  readonly invoiced: number;
  /** Sum of the orders' settlement rows. */
  readonly paidForOrders: number;
  /** Rows not tied to an order (subscription, storage, reserves...). */
  readonly accountLevel: number;
  readonly deposit: number;
  readonly bank?: number;
  readonly differences: readonly Difference[];
  readonly orders: readonly OrderReconciliation[];
  /** Money to act on: the orders' unreconciled sums plus a deposit the bank does not show. */
  readonly unreconciled: number;
}

/** Account-level rows and deposit vs bank, over every order's reconciliation. */
export function reconcileSettlement(facts: SettlementFacts): SettlementReconciliation {
  const orders = facts.orders.map(reconcileOrder);
  const tally = createReconciliationTally(facts);
  for (const o of orders) tally.add(o);
  const t = tally.finish();
  return {
    settlementId: t.settlementId,
    currency: t.currency,
    charged: t.charged,
    invoiced: t.invoiced,
    paidForOrders: t.paidForOrders,
    accountLevel: t.accountLevel,
    deposit: t.deposit,
    ...(t.bank !== undefined ? { bank: t.bank } : {}),
    differences: t.differences,
    orders,
    unreconciled: t.unreconciled,
  };
}

/**
 * A settlement's reconciliation without its per-order lines (what a job keeps in the audit): the totals, the
 * number of orders and how many order differences each cause has.
 */
export type ReconciliationSummary = Omit<SettlementReconciliation, 'orders'> & {
  readonly orderCount: number;
  readonly orderCauses: Readonly<Record<string, number>>;
};

/**
 * reconcileSettlement over orders reconciled one at a time (a settlement's orders read in pages, never all in
 * memory): sums in integer minor units, then the account-level and deposit/bank differences.
 */
export function createReconciliationTally(header: Omit<SettlementFacts, 'orders'>): {
  add(order: OrderReconciliation): void;
  finish(): ReconciliationSummary;
} {
  let charged = 0;
  let invoiced = 0;
  let paidForOrders = 0;
  let unreconciled = 0;
  let orderCount = 0;
  const orderCauses: Record<string, number> = {};
  return {
    add(o) {
      orderCount += 1;
      charged += o.charged;
      invoiced += o.invoiced ?? 0;
      paidForOrders += o.paid;
      unreconciled += o.unreconciled;
      for (const d of o.differences) orderCauses[d.cause] = (orderCauses[d.cause] ?? 0) + 1;
    },
    finish() {
      const accountLevel = header.deposit.minor - paidForOrders;
      const differences: Difference[] = [];
      if (accountLevel !== 0) differences.push({ between: 'paid/deposit', minor: accountLevel, cause: 'fee' });
      let bankGap = 0;
      if (header.bank) {
        bankGap = header.bank.minor - header.deposit.minor;
        if (bankGap !== 0)
          differences.push({
            between: 'deposit/bank',
            minor: bankGap,
            cause: Math.abs(bankGap) <= ROUNDING_TOLERANCE ? 'rounding' : 'unexplained',
          });
      }
      return {
        settlementId: header.settlementId,
        currency: header.currency,
        charged,
        invoiced,
        paidForOrders,
        accountLevel,
        deposit: header.deposit.minor,
        ...(header.bank ? { bank: header.bank.minor } : {}),
        differences,
        unreconciled: unreconciled + Math.abs(bankGap),
        orderCount,
        orderCauses,
      };
    },
  };
}

/** CSV of the per-order lines (RFC 4180 quoting; amounts as exact decimals via `format`). */
export function threeWayCsv(rec: SettlementReconciliation, format: (minor: number) => string): string {
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [
    'settlement_id,amazon_order_id,tran_no,currency,charged,invoiced,paid,unreconciled,differences',
    ...rec.orders.map((o) =>
      [
        rec.settlementId,
        o.amazonOrderId,
        o.tranNo ?? '',
        o.currency,
        format(o.charged),
        o.invoiced === undefined ? '' : format(o.invoiced),
        format(o.paid),
        format(o.unreconciled),
        o.differences.map((d) => `${d.between} ${format(d.minor)} ${d.cause}`).join('; '),
      ]
        .map(q)
        .join(','),
    ),
  ];
  return lines.join('\r\n') + '\r\n';
}

/** A posted settlement as the three-way reconciliation reads it from the store. */
export interface SettlementForReconciliation {
  readonly settlementId: string;
  readonly currency: string;
  readonly total: Money;
  readonly orders: readonly {
    readonly amazonOrderId: string;
    readonly currency: string;
    readonly minor: number;
    /** Absent for settlements imported before the kinds were kept: the whole sum counts as `other`. */
    readonly kinds?: SettledKinds;
  }[];
}

/** One deposit line of a bank statement (date as UTC ISO-8601 day or instant). */
export interface BankLine {
  readonly date: string;
  readonly amount: Money;
}

/**
 * The bank line that is this settlement's deposit: in its currency, within `days` of the deposit date, the one
 * whose amount is closest to the deposit (then the nearest date). Undefined when no line is near enough.
 */
export function matchBankDeposit(
  lines: readonly BankLine[],
  deposit: { readonly depositDate: string; readonly total: Money },
  days = 5,
): BankLine | undefined {
  const at = Date.parse(deposit.depositDate.slice(0, 10));
  let best: { line: BankLine; gap: number; dayGap: number } | undefined;
  for (const line of lines) {
    if (line.amount.currency !== deposit.total.currency) continue;
    const dayGap = Math.abs(Date.parse(line.date.slice(0, 10)) - at) / 86_400_000;
    if (!(dayGap <= days)) continue;
    const gap = Math.abs(line.amount.minor - deposit.total.minor);
    if (!best || gap < best.gap || (gap === best.gap && dayGap < best.dayGap)) best = { line, gap, dayGap };
  }
  return best?.line;
}
