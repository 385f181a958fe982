import { describe, expect, it } from 'vitest';
import { DEFAULT_CARRIERS } from '../../../src/core/rules/carriers.ts';
import { packagesFromShipment } from '../../../src/core/transform/package-shipments-from-shipment.ts';
import { sageShipment } from '../../helpers/sage-shipment.ts';

const ID = '111-0000001-0000001';

describe('packagesFromShipment (pure)', () => {
  it('groups lines by Sellbridge order, maps the carrier, deals lines to several packages, leaves foreign orders out', () => {
    const s = {
      ...sageShipment('AMZ0000001', '7', ['P1', 'P2'], 'FEDEX-2D'),
      lines: [
        ...sageShipment('AMZ0000001', '7', ['P1']).lines,
        { lineKey: 'x', salesOrderTranNo: 'SAGE-OWN', itemId: 'X', quantity: 1 },
      ],
    };
    const out = packagesFromShipment(
      s,
      (t) => (t === 'AMZ0000001' ? { amazonOrderId: ID, marketplaceId: 'ATVPDKIKX0DER' } : undefined),
      DEFAULT_CARRIERS,
    );
    expect(out).toEqual([
      {
        amazonOrderId: ID,
        shipmentKey: '7',
        packageNo: 'P1',
        detail: {
          marketplaceId: 'ATVPDKIKX0DER',
          carrierCode: 'UPS',
          shippingMethod: 'UPS Ground',
          trackingNumber: '1ZTRACK70',
          shipDate: '2026-11-27T10:00:00.000Z',
          lines: [{ lineId: '10000000000001', quantity: 2 }],
        },
      },
      {
        amazonOrderId: ID,
        shipmentKey: '7',
        packageNo: 'P2',
        detail: {
          marketplaceId: 'ATVPDKIKX0DER',
          carrierCode: 'UPS',
          shippingMethod: 'UPS Ground',
          trackingNumber: '1ZTRACK71',
          shipDate: '2026-11-27T10:00:00.000Z',
          lines: [{ lineId: '10000000000002', quantity: 1 }],
        },
      },
    ]);
  });

  it('an unknown ship method becomes Other with carrierName', () => {
    const out = packagesFromShipment(
      sageShipment('T', '1', ['P'], 'BIKE-COURIER'),
      () => ({ amazonOrderId: ID, marketplaceId: 'M' }),
      DEFAULT_CARRIERS,
    );
    expect(out[0]!.detail).toMatchObject({ carrierCode: 'Other', carrierName: 'BIKE-COURIER' });
  });
});

describe('packagesFromShipment: edge cases', () => {
  it('lines without an Amazon order item (charges) or without quantity are not confirmed; a shipment without packages confirms nothing', () => {
    const s = sageShipment('T', '2', ['P'], 'UPS-GND', [['10000000000001', 0]]);
    const withCharge = {
      ...s,
      lines: [
        ...s.lines,
        { lineKey: 'c', salesOrderTranNo: 'T', itemId: 'GIFTWRAP', quantity: 1, shipMethodId: 'UPS-GND' },
      ],
    };
    expect(
      packagesFromShipment(withCharge, () => ({ amazonOrderId: ID, marketplaceId: 'M' }), DEFAULT_CARRIERS),
    ).toEqual([]);
    expect(
      packagesFromShipment(
        sageShipment('T', '3', []),
        () => ({ amazonOrderId: ID, marketplaceId: 'M' }),
        DEFAULT_CARRIERS,
      ),
    ).toEqual([]);
  });

  it('two lines of the same Amazon order item in one package are summed', () => {
    const out = packagesFromShipment(
      sageShipment('T', '4', ['P'], 'UPS-GND', [
        ['10000000000001', 1],
        ['10000000000001', 2],
      ]),
      () => ({ amazonOrderId: ID, marketplaceId: 'M' }),
      DEFAULT_CARRIERS,
    );
    expect(out).toHaveLength(1);
    expect(out[0]!.detail.lines).toEqual([{ lineId: '10000000000001', quantity: 3 }]);
  });
});
