import type { CarrierMapping, CarrierRules } from '../rules/carriers.ts';

export interface AmazonCarrier {
  readonly carrierCode: string;
  /** Set when carrierCode is `Other` (Amazon requires it then). */
  readonly carrierName?: string;
  readonly shippingMethod?: string;
}

/** Normalised key: upper case, trimmed, inner whitespace collapsed. */
function key(id: string): string {
  return id.trim().replace(/\s+/g, ' ').toUpperCase();
}

/**
 * Sage ShipMethID -> Amazon carrierCode/shippingMethod for `confirmShipment` (issue 5, steps 4-5). Looks the
 * ship method up in the carrier table (exact id first, then case- and whitespace-insensitive). An unknown
 * ship method becomes `Other` with the Sage description (or the id) as carrierName, as Amazon asks for
 * carriers outside its list (sp-api-facts §12). Pure.
 */
export function amazonCarrierFromShipMethod(
  shipMethodId: string | undefined,
  rules: CarrierRules,
  shipMethodDescription?: string,
): AmazonCarrier {
  const id = shipMethodId ?? '';
  const mapping: CarrierMapping | undefined = rules[id] ?? Object.entries(rules).find(([k]) => key(k) === key(id))?.[1];
  if (mapping) {
    return {
      carrierCode: mapping.carrierCode,
      ...(mapping.carrierCode === 'Other'
        ? { carrierName: mapping.carrierName ?? (shipMethodDescription?.trim() || id.trim() || 'Other') }
        : {}),
      ...(mapping.shippingMethod
        ? { shippingMethod: mapping.shippingMethod }
        : shipMethodDescription?.trim()
          ? { shippingMethod: shipMethodDescription.trim() }
          : {}),
    };
  }
  const name = shipMethodDescription?.trim() || id.trim() || 'Unknown carrier';
  return {
    carrierCode: 'Other',
    carrierName: name,
    ...(shipMethodDescription?.trim() ? { shippingMethod: shipMethodDescription.trim() } : {}),
  };
}
