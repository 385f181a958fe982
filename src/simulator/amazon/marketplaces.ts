/** Marketplaces the simulator knows: id, name, currency, country, and how its settlement files write numbers. */
export interface SimMarketplace {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly country: string;
  /** `us`: 1234.56; `eu`: 1234,56 (settlement flat files use the marketplace's local format). */
  readonly numberFormat: 'us' | 'eu';
  /** Order id prefix digits (Amazon order ids are 3-7-7; the first group hints the region). */
  readonly orderPrefix: string;
}

export const MARKETPLACES: readonly SimMarketplace[] = [
  { id: 'ATVPDKIKX0DER', name: 'Amazon.com', currency: 'USD', country: 'US', numberFormat: 'us', orderPrefix: '11' },
  { id: 'A2EUQ1WTGCTBG2', name: 'Amazon.ca', currency: 'CAD', country: 'CA', numberFormat: 'us', orderPrefix: '70' },
  { id: 'A1F83G8C2ARO7P', name: 'Amazon.co.uk', currency: 'GBP', country: 'GB', numberFormat: 'us', orderPrefix: '20' },
  { id: 'A1PA6795UKMFR9', name: 'Amazon.de', currency: 'EUR', country: 'DE', numberFormat: 'eu', orderPrefix: '30' },
  { id: 'A13V1IB3VIYZZH', name: 'Amazon.fr', currency: 'EUR', country: 'FR', numberFormat: 'eu', orderPrefix: '40' },
];

export const DEFAULT_MARKETPLACE_ID = 'ATVPDKIKX0DER';

export function marketplaceById(id: string): SimMarketplace | undefined {
  return MARKETPLACES.find((m) => m.id === id);
}
