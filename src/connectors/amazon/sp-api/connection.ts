import type { Clock } from '../../../core/ports/clock.ts';
import type { RateLimiter } from '../../../runtime/rate-limit/token-bucket.ts';
import { createSpApiClient, type SpApiClient } from './client.ts';
import { lwaCircuitAround, withCircuits, withReadRetries, type AmazonCircuits } from './circuit-transport.ts';
import { createHttpTransport, type FetchFn, type SpApiTransport } from './http-client.ts';
import { createLwaTokenSource, type AccessTokenSource } from './lwa-token.ts';
import { withPriority, withRateLimit } from './rate-limited-transport.ts';
import { resolveEndpoint, type SpApiRegion } from './regions.ts';
import type { UsagePlan } from './usage-plans.ts';

/** Everything one seller connection needs; mirrors the `amazon` config section without importing it. */
export interface SpApiConnectionSettings {
  readonly region: SpApiRegion;
  readonly sandbox?: boolean;
  readonly endpoint?: string | undefined;
  readonly lwaEndpoint?: string | undefined;
  readonly lwaClientId?: string | undefined;
  readonly lwaClientSecret?: string | undefined;
  readonly refreshToken?: string | undefined;
  readonly sellerId: string;
  readonly applicationId: string;
  readonly requestTimeoutMs?: number;
  readonly documentTimeoutMs?: number;
  readonly usagePlans?: Readonly<Record<string, Partial<UsagePlan>>>;
  readonly maxRateWaitMs?: number;
}

export interface SpApiConnectionDeps {
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  /** Shared buckets (store-backed in production); without one, calls are not rate-limited locally. */
  readonly limiter?: RateLimiter;
  readonly fetch?: FetchFn;
  /** Circuit breakers per endpoint family and for LWA; without them an outage spends attempts. */
  readonly circuits?: AmazonCircuits;
  /** How long an open circuit makes a job wait (the error's retryAfterMs). */
  readonly circuitOpenMs?: number;
  /** The refresh token when `settings.refreshToken` is unset (the stored one of the connection). */
  readonly refreshTokenSource?: () => Promise<string | undefined>;
}

export interface SpApiConnection {
  /** Calls at their operation's default priority. */
  readonly client: SpApiClient;
  /** Calls that yield to order and shipment work in shared buckets (inventory, prices, reports). */
  readonly lowPriorityClient: SpApiClient;
  readonly tokens: AccessTokenSource;
  readonly transport: SpApiTransport;
  readonly baseUrl: string;
}

/** Builds token source, transport, rate-limit layer and typed client for one seller. */
export function createSpApiConnection(settings: SpApiConnectionSettings, deps: SpApiConnectionDeps): SpApiConnection {
  const tokens = createLwaTokenSource({
    credentials: {
      clientId: settings.lwaClientId,
      clientSecret: settings.lwaClientSecret,
      refreshToken: settings.refreshToken,
      ...(deps.refreshTokenSource ? { refreshTokenSource: deps.refreshTokenSource } : {}),
    },
    endpoint: settings.lwaEndpoint,
    clock: deps.clock,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(settings.requestTimeoutMs ? { timeoutMs: settings.requestTimeoutMs } : {}),
    ...(deps.circuits ? { around: lwaCircuitAround(deps.circuits, { openMs: deps.circuitOpenMs ?? 15_000 }) } : {}),
  });
  const baseUrl = resolveEndpoint({
    region: settings.region,
    sandbox: settings.sandbox ?? false,
    override: settings.endpoint,
  });
  let transport = createHttpTransport({
    baseUrl,
    tokens,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(settings.requestTimeoutMs ? { timeoutMs: settings.requestTimeoutMs } : {}),
  });
  if (deps.limiter) {
    transport = withRateLimit(transport, {
      limiter: deps.limiter,
      scope: `${settings.applicationId}|${settings.sellerId}|${settings.region}`,
      sleep: deps.sleep,
      ...(settings.maxRateWaitMs === undefined ? {} : { maxWaitMs: settings.maxRateWaitMs }),
      ...(settings.sandbox ? { sandbox: true } : {}),
      ...(settings.usagePlans ? { usagePlanOverrides: settings.usagePlans } : {}),
    });
  }
  // Outside the rate-limit layer: an open circuit fails fast without taking a rate token; reads met by an outage
  // answer are tried twice more before the circuit counts one failure.
  if (deps.circuits) {
    transport = withReadRetries(transport, { retries: 2, baseDelayMs: 250, sleep: deps.sleep });
    transport = withCircuits(transport, deps.circuits, { openMs: deps.circuitOpenMs ?? 15_000 });
  }
  const clientOptions = {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(settings.documentTimeoutMs ? { documentTimeoutMs: settings.documentTimeoutMs } : {}),
  };
  const client = createSpApiClient(transport, clientOptions);
  const lowPriorityClient = createSpApiClient(withPriority(transport, 'low'), clientOptions);
  return { client, lowPriorityClient, tokens, transport, baseUrl };
}
