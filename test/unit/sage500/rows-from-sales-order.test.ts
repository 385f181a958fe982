import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scaledInteger } from '../../../src/connectors/sage500/decimal.ts';
import { rowsFromSalesOrder } from '../../../src/connectors/sage500/rows-from-sales-order.ts';
import { tranNoFor } from '../../../src/connectors/sage500/tran-no.ts';
import { MappingError } from '../../../src/core/errors.ts';
import { money } from '../../../src/core/model/money.ts';
import type { SalesOrderDraft } from '../../../src/core/model/sales-order.ts';

const draft: SalesOrderDraft = {
  customerId: 'AMAZON-US',
  amazonOrderId: '111-2223334-4445556',
  orderDate: '2026-11-20T23:59:59Z',
  currency: 'USD',
  warehouseId: 'MAIN',
  lines: [
    {
      lineNo: 1,
      itemId: 'WIDGET-RED',
      quantity: 3,
      unitPrice: money('USD', 1999),
      amazonOrderItemId: '12345678901234',
    },
  ],
};

describe('rowsFromSalesOrder', () => {
  it('stages Sage text conventions and the AmazonOrderId in TranCmnt, but no UserFld (review §3 item 20)', () => {
    const { header, lines } = rowsFromSalesOrder(draft, 'AZ00000042', 7);
    expect(header).toMatchObject({
      SessionKey: 7,
      ProcessStatus: 0,
      Action: 1,
      TranNo: 'AZ00000042',
      TranDate: '2026-11-20T00:00:00',
      Status: 'Open',
      RequireSOAck: 'No',
      Hold: '0',
      FreightAmt: '0.00',
      TranCmnt: '111-2223334-4445556',
      CustPONo: null,
    });
    expect(lines).toEqual([
      expect.objectContaining({
        TranNo: 'AZ00000042',
        SOLineNo: 1,
        ItemID: 'WIDGET-RED',
        QtyOrd: '3',
        UnitPrice: '19.99',
        ExtAmt: '59.97',
        WarehouseID: 'MAIN',
        Status: 'Open',
        CmntOnly: 'No',
        DeliveryMeth: '1',
      }),
    ]);
    // The OrderItemId is linked through tsoSOLine_AMZ in the import's transaction; the customer's UserFld1 is theirs.
    expect(lines[0]).not.toHaveProperty('UserFld1');
  });

  it('lists every value that does not fit, and other line problems, in one mapping error', () => {
    const bad: SalesOrderDraft = {
      ...draft,
      customerId: 'C'.repeat(13),
      shipTo: {
        name: 'N'.repeat(41),
        lines: ['ok'],
        city: 'C'.repeat(21),
        region: 'IL',
        postalCode: '62701',
        countryId: 'US',
      },
      lines: [
        { lineNo: 1, itemId: 'I'.repeat(31), quantity: 0, unitPrice: money('USD', 1) },
        { lineNo: 1, itemId: 'OK', quantity: 1, unitPrice: money('EUR', 1) },
      ],
    };
    const err = (() => {
      try {
        rowsFromSalesOrder(bad, 'AZ1', 1);
      } catch (e) {
        return e as MappingError;
      }
    })()!;
    expect(err).toBeInstanceOf(MappingError);
    expect(err.code).toBe('SB_SAGE_ORDER_INVALID');
    expect(err.issues.map((i) => i.field)).toEqual([
      'customerId',
      'shipTo.name',
      'shipTo.city',
      'lines[0].quantity',
      'lines[0].itemId',
      'lines[1].lineNo',
      'lines[1].unitPrice',
    ]);
  });

  it('stages address lines 1 to 5, a trade discount (ExtAmt gross, the discount beside it) and a GL account per line', () => {
    const { header, lines } = rowsFromSalesOrder(
      {
        ...draft,
        shipTo: {
          name: 'J. Doe',
          lines: ['L1', 'L2', 'L3', 'L4', 'L5'],
          city: 'Springfield',
          region: 'IL',
          postalCode: '62701',
          countryId: 'USA',
        },
        lines: [
          {
            lineNo: 1,
            itemId: 'WIDGET-RED',
            quantity: 3,
            unitPrice: money('USD', 1999),
            tradeDiscount: money('USD', 500),
          },
          { lineNo: 2, itemId: 'AMZ-MF-TAX', quantity: 1, unitPrice: money('USD', 412), glAccountNo: '2310-00' },
          { lineNo: 3, itemId: 'AMZ-PROMO', quantity: 1, unitPrice: money('USD', -600), glAccountNo: '4050-00' },
        ],
      },
      'AZ1',
      1,
    );
    expect([
      header.DfltShipToAddrLine1,
      header.DfltShipToAddrLine2,
      header.DfltShipToAddrLine3,
      header.DfltShipToAddrLine4,
      header.DfltShipToAddrLine5,
    ]).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    // ExtAmt is gross, 3 x 19.99 = 59.97; the 5.00 discount goes beside it (review §3 item 8, R3)
    expect(lines.map((l) => [l.ItemID, l.UnitPrice, l.ExtAmt, l.TradeDiscAmt, l.GLAcctNo])).toEqual([
      ['WIDGET-RED', '19.99', '59.97', '5.00', null],
      ['AMZ-MF-TAX', '4.12', '4.12', null, '2310-00'],
      ['AMZ-PROMO', '-6.00', '-6.00', null, '4050-00'],
    ]);
  });

  it('refuses more than 5 address lines, a negative or too large trade discount and an over-long GL account, all at once', () => {
    const err = (() => {
      try {
        rowsFromSalesOrder(
          {
            ...draft,
            shipTo: {
              name: 'J. Doe',
              lines: ['1', '2', '3', '4', '5', '6'],
              city: 'Springfield',
              region: 'IL',
              postalCode: '62701',
              countryId: 'USA',
            },
            lines: [
              { lineNo: 1, itemId: 'A', quantity: 1, unitPrice: money('USD', 100), tradeDiscount: money('USD', -1) },
              {
                lineNo: 2,
                itemId: 'B',
                quantity: 2,
                unitPrice: money('USD', 100),
                tradeDiscount: money('USD', 201),
                glAccountNo: '9'.repeat(101),
              },
            ],
          },
          'AZ1',
          1,
        );
      } catch (e) {
        return e as MappingError;
      }
    })()!;
    expect(err.code).toBe('SB_SAGE_ORDER_INVALID');
    expect(err.issues.map((i) => i.field)).toEqual([
      'shipTo.lines',
      'lines[0].tradeDiscount',
      'lines[1].tradeDiscount',
      'lines[1].glAccountNo',
    ]);
  });

  it('refuses a TranNo that is empty or longer than 10 characters', () => {
    expect(() => rowsFromSalesOrder(draft, '', 1)).toThrow(expect.objectContaining({ code: 'SB_SAGE_TRANNO_INVALID' }));
    expect(() => rowsFromSalesOrder(draft, 'AZ000000001', 1)).toThrow(
      expect.objectContaining({ code: 'SB_SAGE_TRANNO_INVALID' }),
    );
  });

  it('keeps amounts exact: ExtAmt is unit price times quantity to the cent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 999 }), (cents, qty) => {
        const { lines } = rowsFromSalesOrder(
          { ...draft, lines: [{ lineNo: 1, itemId: 'X', quantity: qty, unitPrice: money('USD', cents) }] },
          'AZ1',
          1,
        );
        expect(scaledInteger(lines[0]!.UnitPrice, 2)).toBe(cents);
        expect(scaledInteger(lines[0]!.ExtAmt, 2)).toBe(cents * qty);
      }),
    );
  });
});

describe('tranNoFor', () => {
  it('pads our sequence to exactly 10 characters after the prefix', () => {
    expect(tranNoFor('AZ', 42)).toBe('AZ00000042');
    expect(tranNoFor('X', 123456789)).toBe('X123456789');
    expect(() => tranNoFor('AZ', 123456789)).toThrow(expect.objectContaining({ code: 'SB_SAGE_TRANNO_INVALID' }));
  });
});
