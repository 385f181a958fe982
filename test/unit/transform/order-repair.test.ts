import { describe, expect, it } from 'vitest';
import type { SellbridgeError } from '../../../src/core/errors.ts';
import type { Order } from '../../../src/core/model/order.ts';
import type { SalesOrder } from '../../../src/core/model/sales-order.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { checkHandLink } from '../../../src/core/transform/hand-link-check.ts';
import { applyOverrides, overridesFromPairs } from '../../../src/core/transform/order-overrides.ts';

const usd = (minor: number) => ({ currency: 'USD', minor });
const line = (lineId: string, sku: string, quantityOrdered: number) => ({
  lineId,
  sku,
  quantityOrdered,
  quantityShipped: 0,
  promotionIds: [],
  taxCollectedByMarketplace: false,
  isGift: false,
  buyerRequestedCancel: false,
});
const order = {
  id: '111-0000001-0000001',
  marketplaceId: 'ATVPDKIKX0DER',
  currency: 'USD',
  lines: [line('L1', 'WIDGET-PURPLE', 2), line('L2', 'GADGET-PRO', 1)],
  shipTo: { name: 'Jane Doe', lines: ['1 Main St', 'Apt 2'], city: 'Rancho Santa Margarita', countryCode: 'US' },
} as unknown as Order;

describe('order overrides (dlq replay --set)', () => {
  it('parses path=value pairs and lists every bad one in one error', () => {
    expect(overridesFromPairs(['shipTo.city=Rancho Sta Margarita', 'lines[0].sku=WIDGET-BLUE'])).toEqual({
      'shipTo.city': 'Rancho Sta Margarita',
      'lines[0].sku': 'WIDGET-BLUE',
    });
    const err = (() => {
      try {
        overridesFromPairs(['shipTo.phone=1', 'customerId', 'lines[0].sku=']);
      } catch (e) {
        return e as SellbridgeError;
      }
    })();
    expect(err?.code).toBe('SB_DLQ_PAYLOAD_INVALID');
    expect(err?.message).toContain('shipTo.phone: not a path that can be set');
    expect(err?.message).toContain('customerId: expected path=value');
    expect(err?.message).toContain('lines[0].sku: must not be empty');
  });

  it('applies ship-to fields and lines, a line SKU and the customer; a missing line is an error', () => {
    const r = applyOverrides(order, DEFAULT_MAPPING_RULES, {
      'shipTo.city': 'Rancho Sta Margarita',
      'shipTo.lines[1]': '',
      'lines[0].sku': 'WIDGET-BLUE',
      customerId: 'AMAZON-US2',
    });
    expect(r.order.shipTo).toMatchObject({ city: 'Rancho Sta Margarita', lines: ['1 Main St'] });
    expect(r.order.lines.map((l) => l.sku)).toEqual(['WIDGET-BLUE', 'GADGET-PRO']);
    expect(r.rules.customers['ATVPDKIKX0DER']).toEqual({ customerId: 'AMAZON-US2', currency: 'USD' });
    expect(order.lines[0]!.sku).toBe('WIDGET-PURPLE'); // pure: the input is untouched
    expect(() => applyOverrides(order, DEFAULT_MAPPING_RULES, { 'lines[5].sku': 'X' })).toThrow(/the order has 2 line/);
  });
});

describe('hand link check (orders link)', () => {
  const sage = (lines: [string, number][], total: number): SalesOrder => ({
    key: '7',
    tranNo: 'HAND1',
    tranId: 'HAND1-SO',
    status: 'open',
    customerId: 'AMAZON-US',
    orderDate: '2026-12-01T00:00:00Z',
    currency: 'USD',
    total: usd(total),
    lines: [
      ...lines.map(([itemId, quantity], i) => ({
        lineNo: i + 1,
        itemId,
        quantity,
        quantityShipped: 0,
        unitPrice: usd(100),
        warehouseId: 'MAIN',
      })),
      { lineNo: 9, itemId: 'AMZ-FREIGHT', quantity: 1, quantityShipped: 0, unitPrice: usd(500), warehouseId: 'MAIN' },
    ],
  });
  const charges = new Set(['AMZ-FREIGHT']);

  it('matches resolved SKUs by item and quantity, an unresolved one by quantity; same total: no difference', () => {
    const r = checkHandLink(
      order,
      [undefined, 'GADGET-PRO'],
      sage(
        [
          ['GADGET-PRO', 1],
          ['WIDGET-BLUE', 2],
        ],
        900,
      ),
      usd(900),
      charges,
    );
    expect(r.differences).toEqual([]);
    expect(r.lines).toEqual([
      { itemId: 'WIDGET-BLUE', amazonOrderItemId: 'L1', quantity: 2 },
      { itemId: 'GADGET-PRO', amazonOrderItemId: 'L2', quantity: 1 },
    ]);
  });

  it('names every difference: quantity, an extra Sage line, the total; the line map still covers the lines', () => {
    const r = checkHandLink(
      order,
      [undefined, 'GADGET-PRO'],
      sage(
        [
          ['GADGET-PRO', 1],
          ['WIDGET-BLUE', 3],
          ['CABLE-USB-C', 1],
        ],
        1000,
      ),
      usd(900),
      charges,
    );
    expect(r.differences).toEqual([
      'Amazon line 0 (SKU WIDGET-PURPLE, quantity 2) has no Sage line with that item and quantity',
      'Sage line 3 (item CABLE-USB-C, quantity 1) is not on the Amazon order',
      'Sage total 10.00 USD differs from the 9.00 USD Sellbridge would book',
    ]);
    expect(r.lines.map((l) => l.amazonOrderItemId)).toEqual(['L1', 'L2']);
  });
});
