import { describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import { emptyKinds, type SettlementForReconciliation } from '../../../src/core/transform/three-way-reconciliation.ts';
import { threeWayReconciliation, threeWayTally, type ThreeWayDeps } from '../../../src/flows/three-way.ts';

/**
 * threeWayTally (a job's reconciliation after an import: orders read in pages, only totals kept) gives the same
 * totals, differences and causes as threeWayReconciliation over the whole settlement.
 */
const orders: SettlementForReconciliation['orders'][number][] = Array.from({ length: 7 }, (_, i) => ({
  amazonOrderId: `111-000000${i}-0000001`,
  currency: i === 6 ? 'EUR' : 'USD',
  minor: 0,
  kinds: { ...emptyKinds(), charged: 1000 + i, fee: -150, ...(i % 3 === 0 ? { refund: -500 } : {}) },
}));
const settlement: SettlementForReconciliation = {
  settlementId: 's1',
  currency: 'USD',
  total: money('USD', 5000),
  orders,
};
const deps = (pageSize: number, seen: unknown[]): ThreeWayDeps => ({
  settlement: async () => settlement,
  settlementPages: async () => ({
    header: { settlementId: 's1', currency: 'USD', total: settlement.total },
    pages: (async function* () {
      for (let i = 0; i < orders.length; i += pageSize) yield orders.slice(i, i + pageSize);
    })(),
  }),
  sage: {
    // Orders 0..3 are in Sage (order 2 a cent off: rounding), the rest are missing.
    salesOrderTotalsOf: async (ids) =>
      ids.flatMap((amazonOrderId) => {
        const i = Number(amazonOrderId.slice(10, 11));
        return i <= 3 ? [{ amazonOrderId, tranNo: `SO-${i}`, total: money('USD', 1000 + i + (i === 2 ? 1 : 0)) }] : [];
      }),
  },
  bankDeposit: () => money('USD', 4990),
  onReconciled: async (_c, r) => void seen.push(r),
});

describe('threeWayTally', () => {
  it('pages of 2 orders: the totals, differences and causes of the whole reconciliation', async () => {
    const whole = (await threeWayReconciliation('c1', 's1', deps(100, [])))!;
    const seen: unknown[] = [];
    const tally = (await threeWayTally('c1', 's1', deps(2, seen)))!;
    const { orders: lines, ...totals } = whole;
    const causes: Record<string, number> = {};
    for (const o of lines) for (const d of o.differences) causes[d.cause] = (causes[d.cause] ?? 0) + 1;
    expect(tally).toEqual({ ...totals, orderCount: lines.length, orderCauses: causes });
    expect(tally.orderCount).toBe(6); // the EUR order is not this settlement's currency
    expect(causes).toMatchObject({ 'order missing in Sage': 2, rounding: 1, refund: 2, fee: 6 });
    expect(seen).toEqual([tally]);
  });
});
