import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettlementReport } from '../../../src/connectors/amazon/settlement/index.ts';
import { settlementRowsTotal } from '../../../src/core/model/settlement.ts';
import { journalFromSettlement } from '../../../src/core/transform/journal-from-settlement.ts';
import {
  createAmazonSimulator,
  type AmazonSimulator,
  type SettlementReportOptions,
} from '../../../src/simulator/amazon/index.ts';

/**
 * The SP-API simulator's settlement reports (src/simulator/amazon/settlement.ts, from its simulated orders)
 * parse, reconcile to the cent with the simulator's own total and with the orders, and become balanced
 * journals with the default account rules (every category the simulator writes is mapped).
 */
const sims: Record<'us' | 'de', AmazonSimulator> = {} as Record<'us' | 'de', AmazonSimulator>;

beforeAll(async () => {
  sims.us = await createAmazonSimulator({ seed: 8, orders: 60 });
  sims.de = await createAmazonSimulator({
    seed: 9,
    orders: 40,
    sellers: [{ sellerId: 'A1SIMSELLERDE01', refreshToken: 'Atzr|de', marketplaceIds: ['A1PA6795UKMFR9'] }],
  });
});

afterAll(async () => {
  await Promise.all(Object.values(sims).map((s) => s.close()));
});

const cases: readonly [string, 'us' | 'de', SettlementReportOptions & { refunds?: number }][] = [
  ['US, promotion-id, refunds', 'us', { refunds: 3 }],
  ['US without promotion-id', 'us', { withPromotionId: false }],
  ['US orders written in EU format', 'us', { numberFormat: 'eu', refunds: 1 }],
  ['Amazon.de (EUR, EU format), refunds', 'de', { refunds: 2 }],
];

describe('simulator settlement reports', () => {
  it.each(cases)(
    '%s: parse, reconcile with the simulator and its orders, balanced journal',
    (_name, sim, { refunds = 0, ...options }) => {
      const control = sims[sim].control;
      const shipped = control.orders().filter((o) => o.status === 'SHIPPED');
      const refundOrderIds = shipped.slice(0, refunds).map((o) => o.orderId);
      const report = control.generateSettlementReport({ ...options, refundOrderIds });
      const settlement = parseSettlementReport(report.text);

      expect(settlement.settlementId).toBe(report.settlementId);
      expect(settlement.currency).toBe(report.currency);
      expect(settlement.total.minor).toBe(report.totalMinor);
      expect(settlementRowsTotal(settlement).minor).toBe(report.totalMinor);
      expect(settlement.transactions.length).toBe(report.text.trim().split('\n').length - 2);
      expect(settlement.transactions.filter((t) => t.transactionType === 'Refund').length > 0).toBe(refunds > 0);

      // Every order row names a simulated order and one of its SKUs; principal per order = shipped lines' price.
      const principal = new Map<string, number>();
      for (const t of settlement.transactions) {
        if (t.transactionType !== 'Order' || t.orderId === undefined) continue;
        const order = control.order(t.orderId);
        expect(order, t.orderId).toBeDefined();
        expect(order!.items.map((i) => i.sku)).toContain(t.sku);
        if (t.amountType === 'ItemPrice' && t.amountDescription === 'Principal')
          principal.set(t.orderId, (principal.get(t.orderId) ?? 0) + t.amount.minor);
      }
      expect(principal.size).toBeGreaterThan(0);
      for (const [orderId, minor] of principal) {
        const order = control.order(orderId)!;
        const expected = order.items
          .filter((i) => i.quantityShipped >= i.quantity)
          .reduce((s, i) => s + i.unitPriceMinor * i.quantity, 0);
        expect(minor, orderId).toBe(expected);
      }

      for (const detail of ['account', 'order'] as const) {
        const [journal, ...more] = journalFromSettlement(settlement, undefined, { detail });
        expect(more).toHaveLength(0);
        expect(journal!.reference).toBe(`settlement:${report.settlementId}:${report.currency}`);
        expect(journal!.lines[0]!.amount.minor).toBe(report.totalMinor);
        expect(journal!.lines.reduce((s, l) => s + l.amount.minor, 0)).toBe(0);
      }
    },
  );
});
