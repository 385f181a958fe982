import type { ResolvedConfig } from '../../config/schema.ts';
import type { AmazonMarketplace } from '../../core/ports/amazon-marketplace.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { Inbox } from '../../runtime/inbox/inbox.ts';
import { createStoreRateLimiter } from '../../runtime/rate-limit/store-rate-limiter.ts';
import type { RateLimiter } from '../../runtime/rate-limit/token-bucket.ts';
import type { Store } from '../../runtime/store/store.ts';
import { createAmazonMarketplace } from './amazon-marketplace.ts';
import type { ParsedNotification } from './notifications/notification-parser.ts';
import { sqsClientFromSettings, createSqsNotificationConsumer } from './notifications/sqs-consumer.ts';
import { createSpApiConnection, type SpApiConnection, type SpApiConnectionSettings } from './sp-api/connection.ts';
import type { FetchFn } from './sp-api/http-client.ts';
import type { AmazonCircuits } from './sp-api/circuit-transport.ts';

export type AmazonSettings = ResolvedConfig['amazon'];

export function connectionSettingsFromConfig(amazon: AmazonSettings): SpApiConnectionSettings {
  return {
    region: amazon.region,
    sandbox: amazon.sandbox,
    endpoint: amazon.endpoint,
    lwaEndpoint: amazon.lwaEndpoint,
    lwaClientId: amazon.lwaClientId,
    lwaClientSecret: amazon.lwaClientSecret,
    refreshToken: amazon.refreshToken,
    sellerId: amazon.sellerId ?? 'unknown-seller',
    applicationId: amazon.applicationId,
    requestTimeoutMs: amazon.requestTimeoutMs,
    documentTimeoutMs: amazon.documentTimeoutMs,
    usagePlans: amazon.usagePlans,
    maxRateWaitMs: amazon.maxRateWaitMs,
  };
}

export interface AmazonConnectorDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** The caller's sleep for short rate-bucket waits (longer ones become SB_AMZ_THROTTLED). */
  readonly sleep: (ms: number) => Promise<void>;
  /** Needed for SQS intake; without it (or without amazon.sqs.queueUrl) there is no consumer. */
  readonly inbox?: Inbox;
  readonly connectionId?: string;
  readonly onNotification?: (
    n: ParsedNotification,
    outcome: { inboxId: string | undefined; duplicate: boolean },
  ) => void | Promise<void>;
  readonly onIntakeError?: (err: unknown) => void;
  readonly fetch?: FetchFn;
  /** Called with the operation name on every HTTP 429 from SP-API (metrics). */
  readonly onThrottled?: (operation: string) => void;
  /** Circuit breakers per endpoint family (createAmazonCircuits with `amazon.circuit`); the caller owns their gauge. */
  readonly circuits?: AmazonCircuits;
  /**
   * The refresh token the authorization workflow stored (sealed) for a connection id, used when `amazon.refreshToken`
   * is not configured (storedRefreshTokenLookup in runtime/onboarding). A configured token always wins.
   */
  readonly storedRefreshToken?: (connectionId: string) => Promise<string | undefined>;
}

export interface AmazonConnector {
  readonly marketplace: AmazonMarketplace;
  /** The typed SP-API client and its layers, for flows' adapters beyond orders (feeds, reports, listings). */
  readonly connection: SpApiConnection;
  /** The SQS long-poll consumer, when amazon.sqs.queueUrl is set and an inbox was given. */
  readonly intake: ReturnType<typeof createSqsNotificationConsumer> | undefined;
}

/**
 * The Amazon connector for one seller, wired by `bootstrap/index.ts`: LWA tokens, the SP-API transport behind the
 * store-backed rate buckets (shared by every worker and process), the AmazonMarketplace port, and the SQS intake.
 */
export function createAmazonConnector(amazon: AmazonSettings, deps: AmazonConnectorDeps): AmazonConnector {
  const connection = createSpApiConnection(connectionSettingsFromConfig(amazon), {
    clock: deps.clock,
    sleep: deps.sleep,
    limiter: observeThrottles(
      createStoreRateLimiter(deps.store, { now: () => deps.clock.now().getTime() }),
      deps.onThrottled,
    ),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.circuits ? { circuits: deps.circuits, circuitOpenMs: amazon.circuit.openMs } : {}),
    ...(!amazon.refreshToken && deps.storedRefreshToken
      ? { refreshTokenSource: () => deps.storedRefreshToken!(deps.connectionId ?? 'default') }
      : {}),
  });
  const marketplace = createAmazonMarketplace({ client: connection.client, marketplaceIds: amazon.marketplaceIds });
  const intake =
    amazon.sqs.queueUrl && deps.inbox
      ? createSqsNotificationConsumer({
          queueUrl: amazon.sqs.queueUrl,
          sqs: sqsClientFromSettings(amazon.sqs),
          inbox: deps.inbox,
          connectionId: deps.connectionId ?? null,
          waitTimeSeconds: Math.min(20, amazon.sqs.waitTimeSeconds),
          maxMessages: Math.max(1, Math.min(10, amazon.sqs.maxMessages)),
          ...(deps.onNotification ? { onNotification: deps.onNotification } : {}),
          ...(deps.onIntakeError ? { onError: deps.onIntakeError } : {}),
        })
      : undefined;
  return { marketplace, connection, intake };
}

/** The rate-limited transport drains a bucket on each 429 and only then: report the bucket's operation. */
function observeThrottles(limiter: RateLimiter, onThrottled: ((operation: string) => void) | undefined): RateLimiter {
  if (!onThrottled) return limiter;
  return {
    ...limiter,
    take: (key, options) => limiter.take(key, options),
    setRate: (key, rate) => limiter.setRate(key, rate),
    drain: (key) => {
      try {
        onThrottled(key.slice(key.lastIndexOf('|') + 1));
      } catch {
        // metrics never break a call
      }
      return limiter.drain(key);
    },
  };
}
