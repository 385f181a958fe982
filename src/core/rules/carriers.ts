/**
 * Sage ShipMethID -> Amazon carrier code for shipment confirmation (issue 5, steps 4-5). Sage has no carrier
 * master (sage500-facts §2.8): sites encode the carrier in ShipMethID/ShipMethDesc, so the mapping is data.
 * `carrierCode` must be a value of Amazon's CarrierCode list (sp-api-facts §12); anything else is sent as
 * `Other` with `carrierName`.
 */
export interface CarrierMapping {
  /** Amazon CarrierCode, exactly as in Amazon's list (e.g. `UPS`, `FedEx`, `USPS`, `DHL`). */
  readonly carrierCode: string;
  /** Required by Amazon when carrierCode is `Other`. */
  readonly carrierName?: string;
  /** Free text shown to the buyer, e.g. `UPS Ground`. */
  readonly shippingMethod?: string;
}

/** Keyed by Sage ShipMethID; lookups are case- and whitespace-insensitive (see carrier-code.ts). */
export type CarrierRules = Readonly<Record<string, CarrierMapping>>;

/** Ship method ids of the Sage sandbox and the usual spellings of the big four carriers. */
export const DEFAULT_CARRIERS: CarrierRules = {
  'UPS-GND': { carrierCode: 'UPS', shippingMethod: 'UPS Ground' },
  'UPS GROUND': { carrierCode: 'UPS', shippingMethod: 'UPS Ground' },
  'UPS-2DA': { carrierCode: 'UPS', shippingMethod: 'UPS 2nd Day Air' },
  'UPS-NDA': { carrierCode: 'UPS', shippingMethod: 'UPS Next Day Air' },
  UPS: { carrierCode: 'UPS' },
  'FEDEX-GND': { carrierCode: 'FedEx', shippingMethod: 'FedEx Ground' },
  'FEDEX-2D': { carrierCode: 'FedEx', shippingMethod: 'FedEx 2Day' },
  'FEDEX-ON': { carrierCode: 'FedEx', shippingMethod: 'FedEx Standard Overnight' },
  FEDEX: { carrierCode: 'FedEx' },
  'USPS-PRI': { carrierCode: 'USPS', shippingMethod: 'USPS Priority Mail' },
  'USPS-GA': { carrierCode: 'USPS', shippingMethod: 'USPS Ground Advantage' },
  'USPS-EXP': { carrierCode: 'USPS', shippingMethod: 'USPS Priority Mail Express' },
  USPS: { carrierCode: 'USPS' },
  'DHL-EXP': { carrierCode: 'DHL Express', shippingMethod: 'DHL Express Worldwide' },
  'DHL-ECOM': { carrierCode: 'DHL eCommerce' },
  DHL: { carrierCode: 'DHL' },
};
