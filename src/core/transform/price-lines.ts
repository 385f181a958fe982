import type { FieldIssue } from '../errors.ts';
import { allocateMoney, money, type Money } from '../model/money.ts';
import type { Order } from '../model/order.ts';
import type { SalesOrderLineDraft } from '../model/sales-order.ts';
import type { ChargeLineRule } from '../rules/gl-accounts.ts';
import type { PricingRules } from '../rules/pricing.ts';

export type ChargeKind = NonNullable<SalesOrderLineDraft['charge']>;

/** One Amazon order line priced for Sage. Amounts in the order currency's minor units. */
export interface PricedItemLine {
  readonly lineId: string;
  readonly quantity: number;
  readonly unitPrice: Money;
  /** Positive; present only under promotion policy `line-discount`. */
  readonly tradeDiscount?: Money;
}

/** An order-level charge that becomes its own Sage line (quantity 1, `amount` as unit price, may be negative). */
export interface ChargeLine {
  readonly charge: ChargeKind;
  readonly itemId: string;
  readonly description: string;
  readonly glAccountNo?: string;
  readonly amount: Money;
}

export interface PriceLines {
  readonly currency: string;
  readonly items: readonly PricedItemLine[];
  readonly charges: readonly ChargeLine[];
  /** Header FreightAmt (net of shipping discounts), when freight is not configured as a line. */
  readonly freight: Money;
  /** Amounts deliberately left out of the Sage order by policy. */
  readonly excluded: { readonly marketplaceTax: Money; readonly sellerTax: Money };
  /** What the Sage order adds up to: items - trade discounts + charges + freight. */
  readonly sageTotal: Money;
  /** What the buyer pays according to the line amounts (= Amazon's order total). */
  readonly amazonTotal: Money;
}

export type PriceLinesResult =
  { readonly ok: true; readonly value: PriceLines } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/**
 * Amazon price components -> Sage amounts (issue 5, step 2). Pure and exact to the minor unit:
 *
 * - unit price = line item total / quantity; when it does not divide, the units are priced with
 *   `allocateMoney` at the lowest share and the leftover minor units go on an explicit rounding line;
 * - promotions per `rules.promotions` (trade discount on the line, net unit price, or one discount line);
 * - freight = shipping - shipping discount, on the header or on its own line when `rules.lines.freight` is set;
 * - gift wrap and COD/other charges on their own lines;
 * - tax: marketplace-facilitator tax excluded or booked on a liability line, seller tax on a tax line or
 *   excluded (left to Sage).
 *
 * Invariant (property-tested): `sageTotal + excluded.marketplaceTax + excluded.sellerTax === amazonTotal`,
 * and `amazonTotal` equals `order.total` when Amazon sent one (else an issue is reported).
 */
export function priceLinesFromOrder(
  order: Pick<Order, 'id' | 'currency' | 'total' | 'lines'>,
  rules: PricingRules,
): PriceLinesResult {
  const issues: FieldIssue[] = [];
  const currency =
    order.currency ?? order.total?.currency ?? order.lines.find((l) => l.amounts)?.amounts?.item.currency;
  if (!currency)
    return { ok: false, issues: [{ field: 'currency', problem: 'the order has no prices yet (pending at Amazon)' }] };
  const zero = money(currency, 0);
  const sum = {
    shipping: 0,
    shippingDiscount: 0,
    giftWrap: 0,
    other: 0,
    marketplaceTax: 0,
    sellerTax: 0,
    itemDiscount: 0,
    amazon: 0,
  };
  const items: PricedItemLine[] = [];
  let rounding = 0;
  let goods = 0;

  order.lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    const a = line.amounts;
    if (!a) {
      issues.push({ field: `${at}.amounts`, problem: 'not priced yet (pending at Amazon)' });
      return;
    }
    const all = Object.entries(a) as [string, Money | undefined][];
    const foreign = all.filter(([, m]) => m && m.currency !== currency).map(([k]) => k);
    if (foreign.length > 0) {
      issues.push({ field: `${at}.amounts`, problem: `${foreign.join(', ')} not in the order currency ${currency}` });
      return;
    }
    const v = (m: Money | undefined): number => m?.minor ?? 0;
    // `other` is Amazon's signed catch-all (unclassified breakdowns); every named component is positive.
    const negative = all.filter(([k, m]) => k !== 'other' && m && m.minor < 0).map(([k]) => k);
    if (negative.length > 0) issues.push({ field: `${at}.amounts`, problem: `negative ${negative.join(', ')}` });
    const tax = v(a.itemTax) + v(a.shippingTax) + v(a.giftWrapTax);
    sum.shipping += v(a.shipping);
    sum.shippingDiscount += v(a.shippingDiscount);
    sum.giftWrap += v(a.giftWrap);
    sum.other += v(a.codFee) + v(a.other);
    if (line.taxCollectedByMarketplace) sum.marketplaceTax += tax;
    else sum.sellerTax += tax;
    sum.amazon +=
      v(a.item) +
      v(a.shipping) +
      v(a.giftWrap) +
      v(a.codFee) +
      v(a.other) +
      tax -
      v(a.itemDiscount) -
      v(a.shippingDiscount);

    const qty = line.quantityOrdered;
    if (qty === 0) {
      if (v(a.item) !== 0)
        issues.push({ field: `${at}.quantityOrdered`, problem: 'is 0 but the line has an item amount' });
      return;
    }
    if (!Number.isInteger(qty) || qty < 0) {
      issues.push({ field: `${at}.quantityOrdered`, problem: 'must be a whole number' });
      return;
    }
    const discount = v(a.itemDiscount);
    if (discount > v(a.item))
      issues.push({ field: `${at}.amounts.itemDiscount`, problem: 'promotion exceeds the item amount' });
    const spread = rules.promotions === 'net-unit-price' ? v(a.item) - discount : v(a.item);
    if (rules.promotions === 'discount-line') sum.itemDiscount += discount;
    // Per-unit shares differ by at most one minor unit; the unit price is the lowest, the rest is explicit.
    const shares = allocateMoney(
      money(currency, Math.max(spread, 0)),
      Array.from({ length: qty }, () => 1),
    );
    const unit = shares.reduce((m, s) => Math.min(m, s.minor), Number.POSITIVE_INFINITY);
    rounding += Math.max(spread, 0) - unit * qty;
    goods += unit * qty;
    const tradeDiscount = rules.promotions === 'line-discount' && discount > 0 ? money(currency, discount) : undefined;
    if (tradeDiscount) goods -= discount;
    items.push({
      lineId: line.lineId,
      quantity: qty,
      unitPrice: money(currency, unit),
      ...(tradeDiscount ? { tradeDiscount } : {}),
    });
  });

  const charges: ChargeLine[] = [];
  const charge = (kind: ChargeKind, rule: ChargeLineRule, minor: number): void => {
    if (minor === 0) return;
    charges.push({
      charge: kind,
      itemId: rule.itemId,
      description: rule.description,
      ...(rule.glAccountNo ? { glAccountNo: rule.glAccountNo } : {}),
      amount: money(currency, minor),
    });
  };
  const netFreight = sum.shipping - sum.shippingDiscount;
  let headerFreight = 0;
  if (rules.lines.freight) charge('freight', rules.lines.freight, netFreight);
  else if (netFreight < 0)
    issues.push({
      field: 'amounts.shippingDiscount',
      problem: 'shipping discounts exceed the shipping charged; configure a freight line to book the difference',
    });
  else headerFreight = netFreight;
  charge('gift-wrap', rules.lines.giftWrap, sum.giftWrap);
  charge('other-charges', rules.lines.otherCharges, sum.other);
  if (rules.promotions === 'discount-line') charge('promotions', rules.lines.promotions, -sum.itemDiscount);
  charge('rounding', rules.lines.rounding, rounding);
  const excludedMf = rules.marketplaceTax === 'exclude' ? sum.marketplaceTax : 0;
  const excludedSeller = rules.sellerTax === 'exclude' ? sum.sellerTax : 0;
  if (rules.marketplaceTax === 'liability-line')
    charge('marketplace-tax', rules.lines.marketplaceTax, sum.marketplaceTax);
  if (rules.sellerTax === 'tax-line') charge('seller-tax', rules.lines.sellerTax, sum.sellerTax);

  const sageTotal = goods + charges.reduce((s, c) => s + c.amount.minor, 0) + headerFreight;
  if (order.total && order.total.currency === currency && order.total.minor !== sum.amazon) {
    issues.push({
      field: 'total',
      problem: `Amazon's order total ${order.total.minor} differs from the sum of its line amounts ${sum.amazon} (minor units of ${currency})`,
    });
  } else if (order.total && order.total.currency !== currency) {
    issues.push({ field: 'total', problem: `in ${order.total.currency}, the lines in ${currency}` });
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      currency,
      items,
      charges,
      freight: headerFreight === 0 ? zero : money(currency, headerFreight),
      excluded: { marketplaceTax: money(currency, excludedMf), sellerTax: money(currency, excludedSeller) },
      sageTotal: money(currency, sageTotal),
      amazonTotal: money(currency, sum.amazon),
    },
  };
}
