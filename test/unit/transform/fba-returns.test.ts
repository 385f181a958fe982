import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/core/errors.ts';
import { parseFbaReturnsReport, returnLineKey } from '../../../src/core/transform/fba-returns-report.ts';
import { unitsToEnter } from '../../../src/core/transform/return-reconciliation.ts';

const HEADER =
  'return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\tdetailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments';

describe('parseFbaReturnsReport', () => {
  it("reads Amazon's columns by name, keys each line by its license plate, else by date and SKU, and keeps no buyer text", () => {
    const text = [
      HEADER,
      '2026-11-02T10:15:00+00:00\t111-0000001-0000001\tWIDGET-RED\tB000TEST01\tX000TEST01\tWidget, red\t2\tPHX7\tSELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\tLPNAB12CD34EF\tToo big, my name is Jane',
      '2026-11-03T08:00:00-08:00\t111-0000002-0000002\tCABLE-USB-C\tB000TEST02\tX000TEST02\tCable\t1\tPHX7\tCUSTOMER_DAMAGED\tDEFECTIVE\tUnit returned to inventory\t\t',
      '',
    ].join('\r\n');
    const lines = parseFbaReturnsReport(text);
    expect(lines).toEqual([
      {
        amazonOrderId: '111-0000001-0000001',
        sku: 'WIDGET-RED',
        quantity: 2,
        returnDate: '2026-11-02T10:15:00.000Z',
        licensePlateNumber: 'LPNAB12CD34EF',
        disposition: 'SELLABLE',
        fulfillmentCenterId: 'PHX7',
        returnKey: 'LPN:LPNAB12CD34EF',
      },
      {
        amazonOrderId: '111-0000002-0000002',
        sku: 'CABLE-USB-C',
        quantity: 1,
        returnDate: '2026-11-03T16:00:00.000Z',
        disposition: 'CUSTOMER_DAMAGED',
        fulfillmentCenterId: 'PHX7',
        returnKey: '2026-11-03T16:00:00.000Z|CABLE-USB-C',
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('Jane');
    expect(returnLineKey({ returnDate: 'd', sku: 's' })).toBe('d|s');
  });

  it('refuses the whole file, naming every bad row and field, rather than dropping returns', () => {
    const text = [
      HEADER,
      'not a date\t\tWIDGET-RED\t\t\t\t0\t\t\t\t\t\t',
      '2026-11-02T10:15:00Z\t111-1\t\t\t\t\t1.5',
    ].join('\n');
    let caught: unknown;
    try {
      parseFbaReturnsReport(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MappingError);
    expect((caught as MappingError).code).toBe('SB_AMZ_REPORT_INVALID');
    expect((caught as MappingError).issues.map((i) => i.field)).toEqual([
      'row 2 order-id',
      'row 2 return-date',
      'row 2 quantity',
      'row 3 sku',
      'row 3 quantity',
    ]);
    expect(() => parseFbaReturnsReport('order-id\tsku\n1\t2')).toThrow(/header/);
    expect(parseFbaReturnsReport('')).toEqual([]);
    expect(parseFbaReturnsReport(`${HEADER}\n`)).toEqual([]);
  });
});

describe('unitsToEnter: a return and a refund of the same order item are the same goods', () => {
  it('enters max(refunded, returned) per item, whichever source comes first', () => {
    // Returned 2, then refunded 2: the refund enters nothing.
    expect(unitsToEnter([], 'fba-return', 2)).toBe(2);
    expect(unitsToEnter([{ source: 'fba-return', quantity: 2, entered: 2 }], 'refund', 2)).toBe(0);
    // Refunded 1, then returned 1: the return enters nothing.
    expect(unitsToEnter([{ source: 'refund', quantity: 1, entered: 1 }], 'fba-return', 1)).toBe(0);
    // Refunded 3, returned 2 of them: the return enters nothing; a third unit returned later still enters nothing.
    const refunded3 = [{ source: 'refund' as const, quantity: 3, entered: 3 }];
    expect(unitsToEnter(refunded3, 'fba-return', 2)).toBe(0);
    // Returned 2, refunded 3: the refund enters the one unit not back yet.
    expect(unitsToEnter([{ source: 'fba-return', quantity: 2, entered: 2 }], 'refund', 3)).toBe(1);
    // Two separate returns of one unit each, then a refund of both: nothing more.
    const two = [
      { source: 'fba-return' as const, quantity: 1, entered: 1 },
      { source: 'fba-return' as const, quantity: 1, entered: 1 },
    ];
    expect(unitsToEnter(two, 'refund', 2)).toBe(0);
    // Two refunds alone (no report) enter all their units, as before the report was read.
    expect(unitsToEnter([{ source: 'refund', quantity: 1, entered: 1 }], 'refund', 1)).toBe(1);
  });
});
