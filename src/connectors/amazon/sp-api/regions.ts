/**
 * SP-API regional endpoints and the marketplaces served by each (sp-api-facts.md §2). The base URL is
 * configurable (`amazon.endpoint`): that is how tests and the demo point the client at the simulator.
 */

export type SpApiRegion = 'na' | 'eu' | 'fe';

export interface RegionEndpoints {
  readonly production: string;
  readonly sandbox: string;
  /** The AWS region of the historical SigV4 scope; also where the SQS queue usually lives. */
  readonly awsRegion: string;
}

export const REGIONS: Readonly<Record<SpApiRegion, RegionEndpoints>> = {
  na: {
    production: 'https://sellingpartnerapi-na.amazon.com',
    sandbox: 'https://sandbox.sellingpartnerapi-na.amazon.com',
    awsRegion: 'us-east-1',
  },
  eu: {
    production: 'https://sellingpartnerapi-eu.amazon.com',
    sandbox: 'https://sandbox.sellingpartnerapi-eu.amazon.com',
    awsRegion: 'eu-west-1',
  },
  fe: {
    production: 'https://sellingpartnerapi-fe.amazon.com',
    sandbox: 'https://sandbox.sellingpartnerapi-fe.amazon.com',
    awsRegion: 'us-west-2',
  },
};

export const LWA_TOKEN_ENDPOINT = 'https://api.amazon.com/auth/o2/token';

/** Marketplace id -> country code and region (Amazon's published marketplace ids). */
export const MARKETPLACES: Readonly<Record<string, { readonly country: string; readonly region: SpApiRegion }>> = {
  A2EUQ1WTGCTBG2: { country: 'CA', region: 'na' },
  ATVPDKIKX0DER: { country: 'US', region: 'na' },
  A1AM78C64UM0Y8: { country: 'MX', region: 'na' },
  A2Q3Y263D00KWC: { country: 'BR', region: 'na' },
  A28R8C7NBKEWEA: { country: 'IE', region: 'eu' },
  A1RKKUPIHCS9HS: { country: 'ES', region: 'eu' },
  A1F83G8C2ARO7P: { country: 'UK', region: 'eu' },
  A13V1IB3VIYZZH: { country: 'FR', region: 'eu' },
  AMEN7PMS3EDWL: { country: 'BE', region: 'eu' },
  A1805IZSGTT6HS: { country: 'NL', region: 'eu' },
  A1PA6795UKMFR9: { country: 'DE', region: 'eu' },
  APJ6JRA9NG5V4: { country: 'IT', region: 'eu' },
  A2NODRKZP88ZB9: { country: 'SE', region: 'eu' },
  AE08WJ6YKNBMC: { country: 'ZA', region: 'eu' },
  A1C3SOZRARQ6R3: { country: 'PL', region: 'eu' },
  ARBP9OOSHTCHU: { country: 'EG', region: 'eu' },
  A33AVAJ2PDY3EV: { country: 'TR', region: 'eu' },
  A17E79C6D8DWNP: { country: 'SA', region: 'eu' },
  A2VIGQ35RCS4UG: { country: 'AE', region: 'eu' },
  A21TJRUUN4KGV: { country: 'IN', region: 'eu' },
  A19VAU5U5O7RUS: { country: 'SG', region: 'fe' },
  A39IBJ37TRP1C6: { country: 'AU', region: 'fe' },
  A1VC38T7YXB528: { country: 'JP', region: 'fe' },
};

export interface EndpointOptions {
  readonly region: SpApiRegion;
  readonly sandbox?: boolean;
  /** Overrides everything else, e.g. `http://127.0.0.1:4567` for the simulator. */
  readonly override?: string | undefined;
}

/**
 * The base URL (no trailing slash) SP-API calls go to. An override may name the region with `{region}` (e.g. the
 * simulator's `http://127.0.0.1:4567/{region}`), so connections of several regions share one setting and each
 * talks to its own region's endpoint.
 */
export function resolveEndpoint(options: EndpointOptions): string {
  const url =
    options.override?.replace(/\{region\}|%7Bregion%7D/gi, options.region) ??
    (options.sandbox ? REGIONS[options.region].sandbox : REGIONS[options.region].production);
  return url.replace(/\/+$/, '');
}

/** Marketplace ids that are not served by the region (a common misconfiguration). */
export function marketplacesOutsideRegion(region: SpApiRegion, marketplaceIds: readonly string[]): string[] {
  return marketplaceIds.filter((id) => MARKETPLACES[id]?.region !== region);
}
