import {
  createSpApiConnection,
  type SpApiConnection,
  type SpApiConnectionDeps,
  type SpApiConnectionSettings,
} from '../../src/connectors/amazon/sp-api/connection.ts';
import { DEFAULT_SELLER } from '../../src/simulator/amazon/index.ts';

/** Connection settings that point the SP-API client at a simulator as its default seller. */
export function simulatorSettings(
  url: string,
  overrides: Partial<SpApiConnectionSettings> = {},
): SpApiConnectionSettings {
  return {
    region: 'na',
    endpoint: url,
    lwaEndpoint: `${url}/auth/o2/token`,
    lwaClientId: 'cid',
    lwaClientSecret: 'secret',
    refreshToken: DEFAULT_SELLER.refreshToken,
    sellerId: DEFAULT_SELLER.sellerId,
    applicationId: 'app',
    requestTimeoutMs: 5_000,
    ...overrides,
  };
}

/** An SP-API connection to a simulator; sleeps are no-ops unless the test passes its own deps. */
export function connectToSimulator(
  url: string,
  overrides: Partial<SpApiConnectionSettings> = {},
  deps: Partial<SpApiConnectionDeps> = {},
): SpApiConnection {
  return createSpApiConnection(simulatorSettings(url, overrides), {
    clock: { now: () => new Date() },
    sleep: async () => undefined,
    ...deps,
  });
}

/** `--set`-style overrides that point the `amazon` config section at a simulator. */
export function simulatorConfigOverrides(url: string): { path: string; value: string }[] {
  return [
    { path: 'amazon.endpoint', value: url },
    { path: 'amazon.lwaEndpoint', value: `${url}/auth/o2/token` },
    { path: 'amazon.lwaClientId', value: 'cid' },
    { path: 'amazon.lwaClientSecret', value: 'secret' },
    { path: 'amazon.refreshToken', value: DEFAULT_SELLER.refreshToken },
    { path: 'amazon.sellerId', value: DEFAULT_SELLER.sellerId },
  ];
}
