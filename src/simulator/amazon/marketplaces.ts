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
  /** The SP-API region whose endpoint serves it (sp-api-facts §2). */
  readonly region: SimRegion;
}

/** SP-API regions, each with its own endpoint (sellingpartnerapi-na / -eu / -fe). */
export const SIM_REGIONS = ['na', 'eu', 'fe'] as const;
export type SimRegion = (typeof SIM_REGIONS)[number];

/**
 * The region of every marketplace Amazon publishes (sp-api-facts §2), also those the simulator generates no orders
 * for: a call at a regional endpoint naming a marketplace of another region is refused.
 */
const REGION_OF_MARKETPLACE: Readonly<Record<string, SimRegion>> = {
  A2EUQ1WTGCTBG2: 'na',
  ATVPDKIKX0DER: 'na',
  A1AM78C64UM0Y8: 'na',
  A2Q3Y263D00KWC: 'na',
  A28R8C7NBKEWEA: 'eu',
  A1RKKUPIHCS9HS: 'eu',
  A1F83G8C2ARO7P: 'eu',
  A13V1IB3VIYZZH: 'eu',
  AMEN7PMS3EDWL: 'eu',
  A1805IZSGTT6HS: 'eu',
  A1PA6795UKMFR9: 'eu',
  APJ6JRA9NG5V4: 'eu',
  A2NODRKZP88ZB9: 'eu',
  AE08WJ6YKNBMC: 'eu',
  A1C3SOZRARQ6R3: 'eu',
  ARBP9OOSHTCHU: 'eu',
  A33AVAJ2PDY3EV: 'eu',
  A17E79C6D8DWNP: 'eu',
  A2VIGQ35RCS4UG: 'eu',
  A21TJRUUN4KGV: 'eu',
  A19VAU5U5O7RUS: 'fe',
  A39IBJ37TRP1C6: 'fe',
  A1VC38T7YXB528: 'fe',
};

/** The region serving a marketplace id, or undefined for an id Amazon does not publish. */
export function regionOfMarketplace(id: string): SimRegion | undefined {
  return REGION_OF_MARKETPLACE[id];
}

export const MARKETPLACES: readonly SimMarketplace[] = [
  {
    id: 'ATVPDKIKX0DER',
    name: 'Amazon.com',
    currency: 'USD',
    country: 'US',
    numberFormat: 'us',
    orderPrefix: '11',
    region: 'na',
  },
  {
    id: 'A2EUQ1WTGCTBG2',
    name: 'Amazon.ca',
    currency: 'CAD',
    country: 'CA',
    numberFormat: 'us',
    orderPrefix: '70',
    region: 'na',
  },
  {
    id: 'A1F83G8C2ARO7P',
    name: 'Amazon.co.uk',
    currency: 'GBP',
    country: 'GB',
    numberFormat: 'us',
    orderPrefix: '20',
    region: 'eu',
  },
  {
    id: 'A1PA6795UKMFR9',
    name: 'Amazon.de',
    currency: 'EUR',
    country: 'DE',
    numberFormat: 'eu',
    orderPrefix: '30',
    region: 'eu',
  },
  {
    id: 'A13V1IB3VIYZZH',
    name: 'Amazon.fr',
    currency: 'EUR',
    country: 'FR',
    numberFormat: 'eu',
    orderPrefix: '40',
    region: 'eu',
  },
];

export const DEFAULT_MARKETPLACE_ID = 'ATVPDKIKX0DER';

export function marketplaceById(id: string): SimMarketplace | undefined {
  return MARKETPLACES.find((m) => m.id === id);
}
