/**
 * Settlement categories -> GL accounts, as data. A category is Amazon's (transaction-type,
 * amount-type, amount-description) of a settlement row; `*` matches anything. Rules are tried in order and
 * the first match wins, so custom rules go before `DEFAULT_SETTLEMENT_ACCOUNT_RULES`. A rule may be limited to
 * a marketplace name or a currency. Matching ignores case, spaces, hyphens and underscores (`Service Fee` =
 * `ServiceFee`, `other-transaction` = `Other Transaction`).
 *
 * A row no rule maps is a mapping issue (SB_SETTLE_UNMAPPED), never a silent suspense booking: only a
 * configured `suspenseAccount` takes unmapped rows. The account numbers below are a placeholder chart
 * (`NNNN-00`, like the order rules in gl-accounts.ts); the customer's chart replaces them in configuration.
 */
export interface SettlementAccountRule {
  readonly transactionType: string;
  readonly amountType: string;
  readonly amountDescription: string;
  /** Formatted Sage GL account number. */
  readonly account: string;
  /** Short text for the journal line comment (Sage keeps 50 characters). */
  readonly label: string;
  /** Only for this marketplace name (e.g. `Amazon.de`). */
  readonly marketplace?: string;
  /** Only for this currency. */
  readonly currency?: string;
}

/** A rule from any record with the rule's fields (configuration, a stored row), optional fields only when set. */
export function settlementAccountRuleOf(r: {
  readonly transactionType: string;
  readonly amountType: string;
  readonly amountDescription: string;
  readonly account: string;
  readonly label: string;
  readonly marketplace?: string | null | undefined;
  readonly currency?: string | null | undefined;
}): SettlementAccountRule {
  return {
    transactionType: r.transactionType,
    amountType: r.amountType,
    amountDescription: r.amountDescription,
    account: r.account,
    label: r.label,
    ...(r.marketplace ? { marketplace: r.marketplace } : {}),
    ...(r.currency ? { currency: r.currency } : {}),
  };
}

export interface SettlementAccountRules {
  /** Bank / Amazon clearing account that receives the deposit (`total-amount`). */
  readonly bankAccount: string;
  /** Per-currency bank clearing accounts (a EUR payout lands on another account than a USD one). */
  readonly bankAccountByCurrency?: Readonly<Record<string, string>>;
  readonly rules: readonly SettlementAccountRule[];
  /** When set, unmapped rows are booked here (and listed on their line comment) instead of stopping the journal. */
  readonly suspenseAccount?: string;
}

export interface SettlementCategory {
  readonly transactionType: string;
  readonly amountType: string;
  readonly amountDescription: string;
}

export const WILDCARD = '*';

const rule = (
  transactionType: string,
  amountType: string,
  amountDescription: string,
  account: string,
  label: string,
): SettlementAccountRule => ({ transactionType, amountType, amountDescription, account, label });

/** Placeholder chart used by the defaults. */
export const SETTLEMENT_ACCOUNTS = {
  clearing: '1050-00', // Amazon settlement clearing (bank)
  reserve: '1060-00', // Amazon reserve held back
  cardCharges: '1065-00', // charges Amazon made to the seller's card for a negative balance
  receivable: '1200-00', // the marketplace customers' receivable (invoiced-orders)
  sales: '4000-00',
  shippingIncome: '4010-00',
  giftWrapIncome: '4020-00',
  promotions: '4050-00',
  liquidations: '4060-00',
  reimbursements: '4080-00',
  refunds: '4090-00',
  salesTax: '2300-00',
  marketplaceTax: '2310-00',
  sellingFees: '6100-00',
  fbaFees: '6110-00',
  shippingFees: '6120-00',
  subscription: '6130-00',
  advertising: '6140-00',
  receiptsClearing: '1070-00', // AR cash receipts of settlements (the Sage cash account's GL account; cashApplication)
} as const;

const A = SETTLEMENT_ACCOUNTS;

/**
 * Seeded with the values seen in practice (sp-api-facts.md §9.5). Order of the list matters: refunds before the
 * general ItemPrice rules, specific fee descriptions before `ItemFees/*`.
 *
 * Tax: Amazon adds the tax to the buyer's charge (`ItemPrice/Tax`, credited to sales tax payable); where it is
 * a marketplace facilitator it takes it back on an `ItemWithheldTax` row, debited to the same account, so the
 * facilitator's tax nets to zero and only tax the seller remits stays payable.
 */
export const DEFAULT_SETTLEMENT_ACCOUNT_RULES: readonly SettlementAccountRule[] = [
  // Taxes (any transaction type: orders, refunds, retrocharges)
  rule('*', 'ItemPrice', 'Tax', A.salesTax, 'Sales tax'),
  rule('*', 'ItemPrice', 'ShippingTax', A.salesTax, 'Sales tax'),
  rule('*', 'ItemPrice', 'GiftWrapTax', A.salesTax, 'Sales tax'),
  rule('*', 'ItemWithheldTax', '*', A.salesTax, 'Sales tax'),
  rule('*', 'Promotion', 'TaxDiscount', A.salesTax, 'Sales tax'),
  rule('Order_Retrocharge', '*', '*', A.salesTax, 'Sales tax'),
  rule('Refund_Retrocharge', '*', '*', A.salesTax, 'Sales tax'),
  // Refunds and chargebacks: the goods and shipping given back
  rule('Refund', 'ItemPrice', '*', A.refunds, 'Refunds'),
  rule('Chargeback Refund', 'ItemPrice', '*', A.refunds, 'Refunds'),
  rule('A-to-z Guarantee Refund', 'ItemPrice', '*', A.refunds, 'Refunds'),
  rule('GuaranteeClaim', 'ItemPrice', '*', A.refunds, 'Refunds'),
  // Sales
  rule('*', 'ItemPrice', 'Principal', A.sales, 'Sales'),
  rule('*', 'ItemPrice', 'Shipping', A.shippingIncome, 'Shipping income'),
  rule('*', 'ItemPrice', 'GiftWrap', A.giftWrapIncome, 'Gift wrap income'),
  rule('*', 'ItemPrice', 'RestockingFee', A.refunds, 'Refunds'),
  rule('*', 'ItemPrice', 'ReturnShipping', A.refunds, 'Refunds'),
  rule('*', 'Promotion', '*', A.promotions, 'Promotions'),
  // Amazon fees
  rule('*', 'ItemFees', 'FBAPerUnitFulfillmentFee', A.fbaFees, 'FBA fees'),
  rule('*', 'ItemFees', 'FBAPerOrderFulfillmentFee', A.fbaFees, 'FBA fees'),
  rule('*', 'ItemFees', 'FBAWeightBasedFee', A.fbaFees, 'FBA fees'),
  rule('*', 'ItemFees', 'ShippingChargeback', A.shippingFees, 'Shipping chargebacks'),
  rule('*', 'ItemFees', 'GiftwrapChargeback', A.shippingFees, 'Shipping chargebacks'),
  rule('*', 'ItemFees', 'ShippingHB', A.shippingFees, 'Shipping chargebacks'),
  rule('*', 'ItemFees', '*', A.sellingFees, 'Amazon selling fees'),
  rule('*', 'Cost of Advertising', '*', A.advertising, 'Advertising'),
  rule('*', '*', 'Cost of Advertising', A.advertising, 'Advertising'),
  rule('CouponRedemptionFee', '*', '*', A.advertising, 'Advertising'),
  rule('Lightning Deal Fee', '*', '*', A.advertising, 'Advertising'),
  rule('Vine Enrollment Fee', '*', '*', A.advertising, 'Advertising'),
  rule('*', '*', 'Subscription Fee', A.subscription, 'Amazon subscription'),
  rule('*', 'Subscription', '*', A.subscription, 'Amazon subscription'),
  rule('*', '*', 'StorageRenewalBilling', A.fbaFees, 'FBA fees'),
  rule('*', '*', 'Storage Fee', A.fbaFees, 'FBA fees'),
  rule('*', '*', 'FBA Inventory Storage Fee', A.fbaFees, 'FBA fees'),
  rule('*', '*', 'FBALongTermStorageFee', A.fbaFees, 'FBA fees'),
  rule('*', '*', 'FBADisposalFee', A.fbaFees, 'FBA fees'),
  rule('*', '*', 'FBARemovalFee', A.fbaFees, 'FBA fees'),
  rule('*', '*', 'Shipping label purchase', A.shippingFees, 'Shipping labels'),
  // Service fees not named above (advertising, subscription and storage come first)
  rule('ServiceFee', '*', '*', A.sellingFees, 'Amazon selling fees'),
  // Reimbursements and liquidations
  rule('*', 'FBA Inventory Reimbursement', '*', A.reimbursements, 'Amazon reimbursements'),
  rule('Liquidations', '*', '*', A.liquidations, 'Liquidations'),
  rule('Liquidations Adjustments', '*', '*', A.liquidations, 'Liquidations'),
  // Reserves and balance transfers
  rule('*', '*', 'Current Reserve Amount', A.reserve, 'Amazon reserve'),
  rule('*', '*', 'Previous Reserve Amount Balance', A.reserve, 'Amazon reserve'),
  rule('*', '*', 'Successful charge', A.cardCharges, 'Charge to seller card'),
];

export const DEFAULT_SETTLEMENT_ACCOUNTS: SettlementAccountRules = {
  bankAccount: A.clearing,
  rules: DEFAULT_SETTLEMENT_ACCOUNT_RULES,
};

/** `Service Fee` -> `servicefee`; how categories compare. */
export function normalizeCategoryPart(value: string): string {
  return value.toLowerCase().replace(/[\s_-]+/g, '');
}

const matches = (pattern: string, value: string): boolean =>
  pattern === WILDCARD || normalizeCategoryPart(pattern) === normalizeCategoryPart(value);

/** The first rule for this category (and marketplace/currency), or undefined when none applies. */
export function settlementAccountRuleFor(
  rules: SettlementAccountRules,
  category: SettlementCategory,
  where: { readonly currency: string; readonly marketplace?: string | undefined },
): SettlementAccountRule | undefined {
  return rules.rules.find(
    (r) =>
      matches(r.transactionType, category.transactionType) &&
      matches(r.amountType, category.amountType) &&
      matches(r.amountDescription, category.amountDescription) &&
      (r.currency === undefined || r.currency.toUpperCase() === where.currency.toUpperCase()) &&
      (r.marketplace === undefined ||
        (where.marketplace !== undefined &&
          normalizeCategoryPart(r.marketplace) === normalizeCategoryPart(where.marketplace))),
  );
}

export function bankAccountFor(rules: SettlementAccountRules, currency: string): string {
  return rules.bankAccountByCurrency?.[currency.toUpperCase()] ?? rules.bankAccount;
}

/**
 * How a connection books its settlements:
 * - `invoiced-orders`: Sage invoices the sales orders the order flow created (sales order, shipment, invoice), so
 *   the invoice has already booked sales, shipping, tax and the promotions the order carried, against the
 *   marketplace customer's receivable. The settlement's order amounts therefore clear that receivable (credited to
 *   the receivable account); fees, refunds, reimbursements and the rest go to their accounts; the deposit to the
 *   bank clearing account. Revenue is counted once, on the invoice.
 * - `settlement-revenue`: the Sage orders are not invoiced; the settlement books sales, shipping and tax itself.
 */
export type AccountingModel = 'invoiced-orders' | 'settlement-revenue';

export const ACCOUNTING_MODELS: readonly AccountingModel[] = ['invoiced-orders', 'settlement-revenue'];

/** Amount types of an `Order` transaction that the Sage invoice carries (the order flow stages them as lines). */
const INVOICED_AMOUNT_TYPES = ['ItemPrice', 'Promotion'] as const;

/**
 * The rules `invoiced-orders` puts before the seeded ones: every `Order` row of those amount types goes to the
 * receivable account (per currency when configured). Marketplace-facilitator tax withheld (`ItemWithheldTax`)
 * keeps the seeded rule: the invoice credited it to sales tax payable, Amazon's withholding debits it back.
 * Refunds keep their seeded rules (no credit memo is assumed).
 */
export function invoicedOrderRules(
  receivableAccount: string,
  byCurrency: Readonly<Record<string, string>> = {},
): SettlementAccountRule[] {
  const rules: SettlementAccountRule[] = [];
  for (const [currency, account] of Object.entries(byCurrency))
    for (const amountType of INVOICED_AMOUNT_TYPES)
      rules.push({ ...rule('Order', amountType, '*', account, 'Marketplace receivable'), currency });
  for (const amountType of INVOICED_AMOUNT_TYPES)
    rules.push(rule('Order', amountType, '*', receivableAccount, 'Marketplace receivable'));
  return rules;
}

/** The receivable account for a currency under `invoiced-orders`. */
export function receivableAccountFor(
  receivableAccount: string,
  byCurrency: Readonly<Record<string, string>>,
  currency: string,
): string {
  return byCurrency[currency.toUpperCase()] ?? receivableAccount;
}

/** One finding of `checkAccountingModel`. */
export interface AccountingModelFinding {
  readonly level: 'ok' | 'error' | 'note';
  readonly subject: string;
  readonly message: string;
}

/**
 * The accounting model against Sage: under `invoiced-orders`, every marketplace customer's receivable account in
 * Sage (its customer class's) must be the receivable account the settlement clears, or the invoice debits one
 * account and the settlement credits another. Accounts compare without their mask separators (Sage keeps
 * GLAcctNo unmasked). `settlement-revenue` needs no receivable; it is noted that Sage must not invoice the orders.
 */
export function checkAccountingModel(
  model: AccountingModel,
  receivable: { readonly account: string; readonly byCurrency: Readonly<Record<string, string>> },
  customers: readonly { readonly customerId: string; readonly currency: string }[],
  sage: readonly {
    readonly customerId: string;
    readonly account?: string;
    readonly customerClassId?: string;
    readonly problem?: string;
  }[],
  accountChecks: readonly { readonly account: string; readonly valid: boolean; readonly problem?: string }[],
): AccountingModelFinding[] {
  if (model === 'settlement-revenue')
    return [
      {
        level: 'note',
        subject: 'settlement-revenue',
        message:
          "the settlement books sales, shipping and tax: Sage must not invoice the marketplace customers' orders (or revenue is counted twice)",
      },
    ];
  const plain = (a: string) => a.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const out: AccountingModelFinding[] = [];
  for (const c of accountChecks)
    out.push(
      c.valid
        ? { level: 'ok', subject: `account ${c.account}`, message: 'exists, active, financial' }
        : { level: 'error', subject: `account ${c.account}`, message: c.problem ?? 'invalid' },
    );
  for (const customer of customers) {
    const expected = receivableAccountFor(receivable.account, receivable.byCurrency, customer.currency);
    const found = sage.find((s) => s.customerId === customer.customerId);
    const subject = `customer ${customer.customerId} (${customer.currency})`;
    if (!found || found.account === undefined)
      out.push({ level: 'error', subject, message: found?.problem ?? 'not answered by Sage' });
    else if (plain(found.account) !== plain(expected))
      out.push({
        level: 'error',
        subject,
        message: `Sage's receivable account (class ${found.customerClassId ?? '?'}) is ${found.account}, the settlement clears ${expected}: set settlements.receivableAccount${receivable.byCurrency[customer.currency] ? `ByCurrency.${customer.currency}` : ''} to ${found.account} or change the class in Sage`,
      });
    else
      out.push({
        level: 'ok',
        subject,
        message: `receivable ${found.account} (class ${found.customerClassId ?? '?'}) is the account the settlement clears`,
      });
  }
  return out;
}
