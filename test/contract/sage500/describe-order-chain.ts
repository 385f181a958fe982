import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import type { Order } from '../../../src/core/model/order.ts';
import type { SalesOrderDraft, SalesOrderLine, SalesOrderLineDraft } from '../../../src/core/model/sales-order.ts';
import type { Sage500Gateway } from '../../../src/core/ports/sage500-gateway.ts';
import { DEFAULT_MAPPING_RULES, type MappingRules } from '../../../src/core/rules/mapping-rules.ts';
import { salesOrderFromOrder, shipMethodFromServiceLevel } from '../../../src/core/transform/sales-order-from-order.ts';
import { deepMerge, orderOf, readCase, type GoldenOutput } from '../../unit/transform/golden-case.ts';
import type { Sage500Harness } from './describe-sage500-gateway.ts';

/**
 * The order chain on a Sage 500 gateway (issue 5): canonical orders from the transforms' golden cases ->
 * salesOrderFromOrder with DEFAULT_MAPPING_RULES (plus each case's rule overrides) and the context the
 * gateway loads (items, customer, ship method, and its item list as the catalogue) -> createSalesOrder ->
 * findSalesOrder. What Sage keeps is compared with the golden case's hand-worked expected draft and totals
 * (test/fixtures/golden/<case>/expected.json), to the cent: goods and charge lines, trade discounts, GL
 * accounts, ship-to lines, freight and the order total.
 */
const CASES = [
  '01-multi-item-seller-tax', // AMZ-TAX line on 2300-00
  '02-qty-rounding-line', // AMZ-ROUNDING line on 4050-00
  '03-promotion-line-discount', // a trade discount
  '05-shipping-discount-freight-line', // net freight on the header
  '07-gift-wrap', // AMZ-GIFTWRAP line, item's default account
  '09-mf-tax-liability-line', // AMZ-MF-TAX line on 2310-00
  '27-promotions-discount-line', // negative AMZ-PROMO line on 4050-00
] as const;

type Case = {
  name: string;
  order: Order;
  rules: MappingRules;
  expected: GoldenOutput & { draft: SalesOrderDraft; totals: NonNullable<GoldenOutput['totals']> };
};

function goldenCase(name: string, orderId: string): Case {
  const { input, expected } = readCase(name);
  const order = { ...orderOf(input), id: orderId };
  if (!expected.draft || !expected.totals) throw new Error(`${name} has no draft: not a case for the chain`);
  return {
    name,
    order,
    rules: deepMerge<MappingRules>(DEFAULT_MAPPING_RULES, input.rules),
    expected: expected as Case['expected'],
  };
}

/** What findSalesOrder must show for a draft line: amount = unit price x quantity - trade discount. */
function expectedLine(l: SalesOrderLineDraft, warehouseId: string): SalesOrderLine {
  const amount = l.unitPrice.minor * l.quantity - (l.tradeDiscount?.minor ?? 0);
  return {
    lineNo: l.lineNo,
    itemId: l.itemId,
    quantity: l.quantity,
    quantityShipped: 0,
    unitPrice: l.unitPrice,
    warehouseId: l.warehouseId ?? warehouseId,
    ...(l.amazonOrderItemId ? { amazonOrderItemId: l.amazonOrderItemId } : {}),
    amount: money(l.unitPrice.currency, amount),
    ...(l.tradeDiscount && l.tradeDiscount.minor !== 0 ? { tradeDiscount: l.tradeDiscount } : {}),
    ...(l.glAccountNo ? { glAccountNo: l.glAccountNo } : {}),
  };
}

async function draftFromGateway(gateway: Sage500Gateway, order: Order, rules: MappingRules): Promise<SalesOrderDraft> {
  const shipMethodId = shipMethodFromServiceLevel(order.shipServiceLevel, rules.shipMethods);
  const ctx = await gateway.loadOrderContext({
    skus: [...new Set(order.lines.filter((l) => l.quantityOrdered > 0 && l.sku).map((l) => l.sku!))],
    customerId: (order.marketplaceId && rules.customers[order.marketplaceId]?.customerId) || '',
    warehouseIds: [rules.warehouseId],
    ...(shipMethodId ? { shipMethodId } : {}),
  });
  return salesOrderFromOrder(order, { items: ctx.items, catalogue: await gateway.listItems() }, rules);
}

export function describeOrderChain(adapter: string, makeHarness: () => Promise<Sage500Harness>): void {
  describe(`order chain into Sage 500: ${adapter}`, () => {
    let h: Sage500Harness;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      await h.close();
    });
    // Unique per run, so the chain can run again against the same SQL Server database (Z: the runners count staging rows of TranNo Z%).
    const run = String(Date.now()).slice(-7);
    let seq = 0;
    const next = () => ++seq;
    const tranNoOf = (n: number) => `ZC${run.slice(-6)}${String(n).padStart(2, '0')}`;
    const orderIdOf = (n: number) => `114-${run}-${String(n).padStart(7, '0')}`;

    async function roundTrip(c: Case, n: number) {
      const draft = await draftFromGateway(h.gateway, c.order, c.rules);
      // The context read from Sage maps the order exactly as the golden case worked it out by hand.
      expect(draft.lines, c.name).toEqual(c.expected.draft.lines);
      expect(draft.freight ?? money(draft.currency, 0), c.name).toEqual(
        c.expected.draft.freight ?? money(draft.currency, 0),
      );
      const created = await h.gateway.createSalesOrder(draft, { tranNo: tranNoOf(n) });
      expect(created.outcome).toBe('created');
      const found = await h.gateway.findSalesOrder({ tranNo: tranNoOf(n) });
      expect(found, c.name).toBeDefined();
      expect(found!.amazonOrderId).toBe(c.order.id);
      expect(found!.lines, c.name).toEqual(
        c.expected.draft.lines.map((l) => expectedLine(l, c.expected.draft.warehouseId)),
      );
      const currency = c.expected.draft.currency;
      expect(found!.freight, c.name).toEqual(c.expected.draft.freight ?? money(currency, 0));
      // The hand-worked Sage total: goods and charge lines after discounts, plus header freight.
      expect(found!.total, c.name).toEqual(money(currency, c.expected.totals.sageTotal));
      expect(found!.shipTo, c.name).toEqual(c.expected.draft.shipTo);
      return found!;
    }

    for (const name of CASES) {
      it(`${name}: lines, trade discounts, GL accounts and amounts arrive in Sage to the cent`, async () => {
        const n = next();
        await roundTrip(goldenCase(name, orderIdOf(n)), n);
      });
    }

    it('a ship-to that needs five address lines (company, three lines, district) arrives in AddrLine1..5', async () => {
      const n = next();
      const base = goldenCase('03-promotion-line-discount', orderIdOf(n));
      const shipTo = {
        ...base.order.shipTo!,
        companyName: 'Acme Receiving Dept',
        lines: ['123 Main St', 'Building 4', 'Dock 7'],
        district: 'Belltown',
      };
      const lines = ['Acme Receiving Dept', '123 Main St', 'Building 4', 'Dock 7', 'Belltown'];
      const c: Case = {
        ...base,
        name: '03 with five address lines',
        order: { ...base.order, shipTo },
        expected: {
          ...base.expected,
          draft: { ...base.expected.draft, shipTo: { ...base.expected.draft.shipTo!, lines } },
        },
      };
      const found = await roundTrip(c, n);
      expect(found.shipTo?.lines).toEqual(lines);
      // 2 x 149.00 = 298.00 less the 29.80 promotion as the line's trade discount = 268.20
      expect(found.lines[0]).toMatchObject({
        itemId: 'GADGET-PRO',
        amount: money('USD', 26820),
        tradeDiscount: money('USD', 2980),
      });
    });

    it('a charge line on an inactive GL account is refused by Sage with its message, and nothing stays behind', async () => {
      const n = next();
      const c = goldenCase('01-multi-item-seller-tax', orderIdOf(n));
      const draft = await draftFromGateway(h.gateway, c.order, c.rules);
      const bad = { ...draft, lines: draft.lines.map((l) => (l.glAccountNo ? { ...l, glAccountNo: '9999-00' } : l)) };
      await expect(h.gateway.createSalesOrder(bad, { tranNo: tranNoOf(n) })).rejects.toMatchObject({
        code: 'SB_SAGE_ORDER_REJECTED',
        issues: [expect.objectContaining({ field: expect.stringMatching(/GLAcctNo$/) })],
      });
      expect(await h.salesOrderRowCount(tranNoOf(n))).toBe(0);
      expect(await h.stagingRowCount()).toBe(0);
    });
  });
}
