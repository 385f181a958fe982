import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CARRIERS } from '../../../src/core/rules/carriers.ts';
import { amazonCarrierFromShipMethod } from '../../../src/core/transform/carrier-code.ts';
import { SHARED_PRESENT, SHARED_SKIP_MESSAGE, sharedPath } from '../../helpers/shared.ts';

describe('carrier code (Sage ShipMethID -> Amazon carrierCode)', () => {
  it('maps the sandbox ship methods, case- and whitespace-insensitively', () => {
    expect(amazonCarrierFromShipMethod('UPS-GND', DEFAULT_CARRIERS)).toEqual({
      carrierCode: 'UPS',
      shippingMethod: 'UPS Ground',
    });
    expect(amazonCarrierFromShipMethod(' fedex-2d ', DEFAULT_CARRIERS)).toEqual({
      carrierCode: 'FedEx',
      shippingMethod: 'FedEx 2Day',
    });
    expect(amazonCarrierFromShipMethod('USPS-PRI', DEFAULT_CARRIERS, 'USPS Priority Mail')).toEqual({
      carrierCode: 'USPS',
      shippingMethod: 'USPS Priority Mail',
    });
  });

  it('sends an unknown ship method as Other with a carrier name (description, else the id)', () => {
    expect(amazonCarrierFromShipMethod('MDX', DEFAULT_CARRIERS, 'Metro Delivery Express')).toEqual({
      carrierCode: 'Other',
      carrierName: 'Metro Delivery Express',
      shippingMethod: 'Metro Delivery Express',
    });
    expect(amazonCarrierFromShipMethod('MDX', DEFAULT_CARRIERS)).toEqual({ carrierCode: 'Other', carrierName: 'MDX' });
    expect(amazonCarrierFromShipMethod(undefined, DEFAULT_CARRIERS)).toEqual({
      carrierCode: 'Other',
      carrierName: 'Unknown carrier',
    });
    expect(amazonCarrierFromShipMethod('LOCAL', { LOCAL: { carrierCode: 'Other', carrierName: 'Our van' } })).toEqual({
      carrierCode: 'Other',
      carrierName: 'Our van',
    });
  });

  it.skipIf(!SHARED_PRESENT)(
    `every default carrier code is in Amazon's CarrierCode list${SHARED_PRESENT ? '' : ` (${SHARED_SKIP_MESSAGE})`}`,
    () => {
      const codes = new Set(
        readFileSync(sharedPath('sp-api-samples', 'carrier-codes.txt'), 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      );
      const bad = Object.entries(DEFAULT_CARRIERS)
        .filter(([, m]) => !codes.has(m.carrierCode))
        .map(([id, m]) => `${id} -> ${m.carrierCode}`);
      expect(bad).toEqual([]);
      expect(codes.has('Other')).toBe(true);
    },
  );
});
