import type { Clock } from '../../core/ports/clock.ts';
import { isSellbridgeError } from '../../core/errors.ts';
import { connectionSettingsFromConfig, type AmazonSettings } from './create-amazon-connector.ts';
import { HttpError, type FetchFn } from './sp-api/http-client.ts';
import { createSpApiConnection } from './sp-api/connection.ts';
import { NOTIFICATIONS_GRANT, SELLER_GRANT } from './sp-api/lwa-token.ts';
import { MARKETPLACES, marketplacesOutsideRegion } from './sp-api/regions.ts';

export interface DoctorCheck {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail' | 'skipped';
  /** Plain words: what is wrong and what to do. Never a secret, never buyer data. */
  readonly detail: string;
}

/** Notification types the intake needs (SQS-only types, sp-api-facts.md §11). */
export const REQUIRED_SUBSCRIPTIONS = [
  'ORDER_CHANGE',
  'FEED_PROCESSING_FINISHED',
  'REPORT_PROCESSING_FINISHED',
] as const;

/** `arn:aws:sqs:<region>:<account>:<name>` from `https://sqs.<region>.amazonaws.com/<account>/<name>`. */
export function sqsArnFromQueueUrl(queueUrl: string, region: string): string | undefined {
  const parts = new URL(queueUrl).pathname.split('/').filter(Boolean);
  if (parts.length < 2) return undefined;
  return `arn:aws:sqs:${region}:${parts[0]}:${parts[1]}`;
}

function explain(err: unknown): string {
  if (err instanceof HttpError) {
    const where = `${err.status ? `HTTP ${err.status}` : 'no answer'}${err.amazonCode ? ` ${err.amazonCode}` : ''}${err.requestId ? `, request ${err.requestId}` : ''}`;
    switch (err.code) {
      case 'SB_AMZ_LWA_REJECTED':
        return `Login with Amazon refused the credentials (${where}): check amazon.lwaClientId/lwaClientSecret, and re-authorize the seller if the refresh token was revoked`;
      case 'SB_AMZ_ACCESS_DENIED':
        return `Amazon denied access (${where}): the application may lack the role for this API, or the seller authorized another region`;
      case 'SB_AMZ_TIMEOUT':
      case 'SB_AMZ_NETWORK':
        return `Amazon could not be reached (${where}): check the network, proxy and amazon.endpoint`;
      case 'SB_AMZ_THROTTLED':
        return `Amazon throttled the check (${where}); try again in a minute`;
      default:
        return `${err.message}`;
    }
  }
  if (isSellbridgeError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Checks one Amazon connection end to end and says what is wrong in words: credentials, token refresh,
 * grantless token, each marketplace (one searchOrders call each), the notification destination and the
 * subscriptions the intake needs. It spends a few calls of Amazon's quota and changes nothing.
 */
export async function runAmazonDoctor(
  amazon: AmazonSettings,
  deps: { readonly clock: Clock; readonly fetch?: FetchFn },
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (name: string, status: DoctorCheck['status'], detail: string) => checks.push({ name, status, detail });

  const missing = [
    !amazon.lwaClientId && 'amazon.lwaClientId',
    !amazon.lwaClientSecret && 'amazon.lwaClientSecret',
    !amazon.refreshToken && 'amazon.refreshToken',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length)
    add(
      'credentials',
      'fail',
      `missing: ${missing.join(', ')} (set them in sellbridge.yaml or SELLBRIDGE_AMAZON_* variables)`,
    );
  else add('credentials', 'ok', 'LWA client id, client secret and refresh token are set');
  if (!amazon.sellerId)
    add(
      'seller id',
      'warn',
      'amazon.sellerId is not set: Listings Items calls need it, and rate buckets are keyed by it',
    );
  else add('seller id', 'ok', amazon.sellerId);
  if (amazon.mode === 'simulator' && !amazon.endpoint)
    add(
      'endpoint',
      'fail',
      `amazon.mode is simulator but amazon.endpoint is not set, so calls would go to Amazon's ${amazon.region} host: set amazon.endpoint to the URL \`sellbridge simulator\` prints (and amazon.lwaEndpoint to <url>/auth/o2/token)`,
    );
  else if (amazon.mode === 'live' && amazon.endpoint)
    add('endpoint', 'warn', `amazon.mode is live but amazon.endpoint overrides Amazon's host with ${amazon.endpoint}`);
  else
    add(
      'endpoint',
      'ok',
      amazon.endpoint
        ? `SP-API at ${amazon.endpoint} (override)`
        : `region ${amazon.region}${amazon.sandbox ? ' sandbox' : ''}`,
    );

  const unknown = amazon.marketplaceIds.filter((id) => !MARKETPLACES[id]);
  const outside = marketplacesOutsideRegion(amazon.region, amazon.marketplaceIds).filter((id) => MARKETPLACES[id]);
  if (unknown.length) add('marketplaces', 'warn', `unknown marketplace id(s): ${unknown.join(', ')}`);
  if (outside.length)
    add(
      'marketplaces',
      'fail',
      `${outside.map((id) => `${id} (${MARKETPLACES[id]!.country})`).join(', ')} is not served by region ${amazon.region}: set amazon.region to ${MARKETPLACES[outside[0]!]!.region}`,
    );
  if (!unknown.length && !outside.length)
    add('marketplaces', 'ok', amazon.marketplaceIds.map((id) => `${id} (${MARKETPLACES[id]!.country})`).join(', '));

  if (missing.length) {
    add('token refresh', 'skipped', 'no credentials');
    return checks;
  }
  const conn = createSpApiConnection(connectionSettingsFromConfig(amazon), {
    clock: deps.clock,
    sleep: async () => undefined,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  try {
    await conn.tokens.getToken(SELLER_GRANT);
    add('token refresh', 'ok', 'Login with Amazon issued an access token for the seller');
  } catch (err) {
    add('token refresh', 'fail', explain(err));
    return checks;
  }
  let grantless = true;
  try {
    await conn.tokens.getToken(NOTIFICATIONS_GRANT);
    add('grantless token', 'ok', 'client-credentials token for sellingpartnerapi::notifications issued');
  } catch (err) {
    grantless = false;
    add('grantless token', 'fail', `${explain(err)} (needed to manage notification destinations)`);
  }

  const since = new Date(deps.clock.now().getTime() - 24 * 3600_000).toISOString();
  for (const id of amazon.marketplaceIds) {
    try {
      await conn.client.searchOrders({ marketplaceIds: [id], createdAfter: since, maxResultsPerPage: 1 });
      add(`marketplace ${id}`, 'ok', 'orders can be read (searchOrders answered)');
    } catch (err) {
      add(`marketplace ${id}`, 'fail', explain(err));
    }
  }

  let destinationIds: string[] = [];
  if (grantless) {
    try {
      const destinations = await conn.client.getDestinations();
      const arn = amazon.sqs.queueUrl ? sqsArnFromQueueUrl(amazon.sqs.queueUrl, amazon.sqs.region) : undefined;
      const matching = arn ? destinations.filter((d) => d.resource.sqs?.arn === arn) : destinations;
      destinationIds = matching.map((d) => d.destinationId);
      if (!amazon.sqs.queueUrl)
        add(
          'destination',
          'warn',
          `amazon.sqs.queueUrl is not set: no SQS intake (${destinations.length} destination(s) exist)`,
        );
      else if (matching.length === 0)
        add(
          'destination',
          'fail',
          `no notification destination points at ${arn}: create one (createDestination) for the queue`,
        );
      else add('destination', 'ok', `destination ${matching[0]!.destinationId} delivers to ${arn}`);
    } catch (err) {
      add('destination', 'fail', explain(err));
    }
  }

  for (const type of REQUIRED_SUBSCRIPTIONS) {
    try {
      const sub = await conn.client.getSubscription(type);
      if (!sub)
        add(
          `subscription ${type}`,
          'fail',
          `the seller is not subscribed to ${type}: create the subscription (createSubscription)`,
        );
      else if (destinationIds.length && !destinationIds.includes(sub.destinationId))
        add(
          `subscription ${type}`,
          'warn',
          `subscribed, but to destination ${sub.destinationId}, not to the configured queue`,
        );
      else add(`subscription ${type}`, 'ok', `subscription ${sub.subscriptionId} (payload ${sub.payloadVersion})`);
    } catch (err) {
      add(`subscription ${type}`, 'fail', explain(err));
    }
  }
  return checks;
}
