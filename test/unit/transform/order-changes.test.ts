import { describe, expect, it } from 'vitest';
import { money } from '../../../src/core/model/money.ts';
import type { PostalAddress, SalesOrder, SalesOrderDraft } from '../../../src/core/model/sales-order.ts';
import {
  addressDigest,
  changesApply,
  planOrderChanges,
  sameAddress,
  shipByRisk,
} from '../../../src/core/transform/order-changes.ts';
import { sageOrderState } from '../../../src/core/transform/sales-order-state.ts';
import { anOrder } from '../flows/fakes.ts';

const SHIP_TO: PostalAddress = {
  name: 'Jane Doe',
  lines: ['123 Main St'],
  city: 'Seattle',
  region: 'WA',
  postalCode: '98109',
  countryId: 'USA',
};

function sageOrder(lines: Partial<SalesOrder['lines'][number]>[], over: Partial<SalesOrder> = {}): SalesOrder {
  return {
    key: '5000',
    tranNo: 'AMZ0000001',
    tranId: '0000001-SO',
    status: 'open',
    customerId: 'AMAZON-US',
    orderDate: '2026-11-20T00:00:00Z',
    currency: 'USD',
    shipTo: SHIP_TO,
    lines: lines.map((l, i) => ({
      lineNo: i + 1,
      itemId: 'WIDGET-RED',
      quantity: 2,
      quantityShipped: 0,
      unitPrice: money('USD', 1999),
      warehouseId: 'MAIN',
      amazonOrderItemId: `1000000000000${i + 1}`,
      ...l,
    })),
    ...over,
  };
}

const draft = (shipTo: PostalAddress = SHIP_TO, unitMinor = 1999): SalesOrderDraft => ({
  customerId: 'AMAZON-US',
  amazonOrderId: '111-0000001-0000001',
  orderDate: '2026-11-20T00:00:00Z',
  currency: 'USD',
  warehouseId: 'MAIN',
  shipTo,
  lines: [
    {
      lineNo: 1,
      itemId: 'WIDGET-RED',
      quantity: 2,
      unitPrice: money('USD', unitMinor),
      amazonOrderItemId: '10000000000001',
    },
  ],
});

const twoLines = [
  { sku: 'WIDGET-RED', quantityOrdered: 2, unitPriceMinor: 1999 },
  { sku: 'WIDGET-RED', quantityOrdered: 0, unitPriceMinor: 1999 },
];

describe('changes after import: the plan', () => {
  it('cancels a line Amazon cancelled that has not shipped, and nothing else', () => {
    const plan = planOrderChanges(anOrder({}, twoLines), { draft: draft() }, sageOrder([{}, {}]));
    expect(plan).toEqual({
      changes: [{ kind: 'cancel-line', lineNo: 2, amazonOrderItemId: '10000000000002' }],
      differences: [],
    });
  });

  it('flags a cancelled line that already shipped, a changed quantity, a new line and a price change', () => {
    expect(
      planOrderChanges(anOrder({}, twoLines), { draft: draft() }, sageOrder([{}, { quantityShipped: 2 }])).differences,
    ).toEqual([{ field: 'lines[10000000000002]', problem: 'cancelled at Amazon after Sage shipped 2 (line 2)' }]);
    const more = anOrder({}, [
      { sku: 'WIDGET-RED', quantityOrdered: 3, unitPriceMinor: 1999 },
      { sku: 'WIDGET-RED', quantityOrdered: 1, unitPriceMinor: 1999 },
    ] as never);
    const plan = planOrderChanges(more, { draft: draft() }, sageOrder([{}]));
    expect(plan.changes).toEqual([]);
    expect(plan.differences.map((d) => d.problem)).toEqual([
      'quantity 2 in Sage (line 1), 3 at Amazon',
      'added at Amazon (quantity 1); the Sage order has no line for it',
    ]);
    const priced = planOrderChanges(anOrder(), { draft: draft(SHIP_TO, 1899) }, sageOrder([{}]));
    expect(priced.differences).toEqual([
      { field: 'lines[10000000000001]', problem: 'unit price 19.99 USD in Sage (line 1), 18.99 USD at Amazon' },
    ]);
  });

  it('updates the ship-to while nothing shipped; flags it once something did; leaves a corrected one alone', () => {
    const moved = { ...SHIP_TO, lines: ['22 Elm Ave'] };
    expect(planOrderChanges(anOrder(), { draft: draft(moved) }, sageOrder([{}]), true).changes).toEqual([
      { kind: 'update-ship-to', shipTo: moved },
    ]);
    // No earlier version (an order created before the digest was kept): a difference, Sage's left as it is.
    const unknown = planOrderChanges(anOrder(), { draft: draft(moved) }, sageOrder([{}]));
    expect(unknown.changes).toEqual([]);
    expect(unknown.differences.map((d) => d.field)).toEqual(['shipTo']);
    const shipped = planOrderChanges(anOrder(), { draft: draft(moved) }, sageOrder([{ quantityShipped: 1 }]), true);
    expect(shipped.changes).toEqual([]);
    expect(shipped.differences.map((d) => d.field)).toEqual(['shipTo']);
    // Amazon's address did not change since the last version (Sage's is an operator's correction): kept.
    expect(planOrderChanges(anOrder(), { draft: draft(moved) }, sageOrder([{}]), false).changes).toEqual([]);
    // Case and blanks do not count as a change.
    expect(sameAddress({ ...SHIP_TO, city: ' SEATTLE ' }, SHIP_TO)).toBe(true);
  });

  it('flags an order that no longer maps; compares only open orders on both sides', () => {
    expect(
      planOrderChanges(anOrder(), { mappingProblem: 'SB_MAP_SKU_UNKNOWN: lines[0].sku' }, sageOrder([{}])),
    ).toMatchObject({ differences: [{ field: 'order' }] });
    expect(changesApply(anOrder(), { status: 'open' })).toBe(true);
    expect(changesApply(anOrder({ status: 'shipped' }), { status: 'open' })).toBe(false);
    expect(changesApply(anOrder({ fulfilledBy: 'marketplace' }), { status: 'open' })).toBe(false);
    expect(changesApply(anOrder(), { status: 'canceled' })).toBe(false);
  });

  it('a line closed before it shipped does not keep the order from counting as fully shipped', () => {
    const so = sageOrder([{ quantityShipped: 2 }, { status: 'closed' }]);
    expect(sageOrderState(so)).toMatchObject({ anyShipped: true, allShipped: true });
    expect(sageOrderState(sageOrder([{ status: 'closed' }, { status: 'closed' }]))?.allShipped).toBe(false);
  });

  it('digests an address without keeping its text, and tells the ship-by risk', () => {
    const d = addressDigest(anOrder().shipTo)!;
    expect(d).toMatch(/^[0-9a-f]{16}$/);
    expect(addressDigest({ ...anOrder().shipTo!, city: 'Tacoma' })).not.toBe(d);
    const now = new Date('2026-12-01T12:00:00Z');
    expect(shipByRisk('2026-12-01T20:00:00Z', 'created', now)).toMatchObject({ atRisk: true, late: false });
    expect(shipByRisk('2026-12-01T10:00:00Z', 'created', now)).toMatchObject({ atRisk: true, late: true });
    expect(shipByRisk('2026-12-01T10:00:00Z', 'confirmed', now)).toMatchObject({ atRisk: false, late: false });
    expect(shipByRisk('2026-12-03T10:00:00Z', 'created', now)).toMatchObject({ atRisk: false });
  });
});
