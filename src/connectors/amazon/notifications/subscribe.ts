import { HttpError } from '../sp-api/http-error.ts';
import type { SpApiClient } from '../sp-api/client.ts';

/** The notifications Sellbridge needs, with the payload version each is subscribed at. */
export const ONBOARDING_SUBSCRIPTIONS: ReadonlyArray<{ readonly type: string; readonly payloadVersion: string }> = [
  { type: 'ORDER_CHANGE', payloadVersion: '1.0' },
  { type: 'FEED_PROCESSING_FINISHED', payloadVersion: '2020-09-04' },
  { type: 'REPORT_PROCESSING_FINISHED', payloadVersion: '2020-09-04' },
];

export interface SubscribeOutcome {
  readonly destination: {
    readonly destinationId: string;
    readonly name: string;
    readonly arn: string;
    readonly created: boolean;
  };
  readonly subscriptions: ReadonlyArray<{
    readonly type: string;
    readonly subscriptionId: string;
    readonly payloadVersion: string;
    readonly destinationId: string;
    readonly created: boolean;
  }>;
}

type NotificationsClient = Pick<
  SpApiClient,
  'getDestinations' | 'createDestination' | 'getSubscription' | 'createSubscription'
>;

const isConflict = (err: unknown) => err instanceof HttpError && err.status === 409;

/**
 * `sellbridge amazon subscribe <id>`: the SQS destination for `arn` and the ORDER_CHANGE, FEED_PROCESSING_FINISHED and
 * REPORT_PROCESSING_FINISHED subscriptions of the seller, created only when missing (getDestinations /
 * getSubscription first; a 409 from a concurrent creation is read back), so a second run creates nothing. A
 * subscription that exists to another destination is reported as it is, not moved.
 */
export async function ensureSubscriptions(
  client: NotificationsClient,
  options: { readonly arn: string; readonly destinationName: string },
): Promise<SubscribeOutcome> {
  const find = async () => (await client.getDestinations()).find((d) => d.resource.sqs?.arn === options.arn);
  let destination = await find();
  let createdDestination = false;
  if (!destination) {
    try {
      destination = await client.createDestination(options.destinationName, { sqs: { arn: options.arn } });
      createdDestination = true;
    } catch (err) {
      if (!isConflict(err)) throw err;
      destination = await find();
      if (!destination) throw err;
    }
  }
  const subscriptions: SubscribeOutcome['subscriptions'][number][] = [];
  for (const { type, payloadVersion } of ONBOARDING_SUBSCRIPTIONS) {
    let sub = await client.getSubscription(type, payloadVersion);
    let created = false;
    if (!sub) {
      try {
        sub = await client.createSubscription(type, { payloadVersion, destinationId: destination.destinationId });
        created = true;
      } catch (err) {
        if (!isConflict(err)) throw err;
        sub = await client.getSubscription(type, payloadVersion);
        if (!sub) throw err;
      }
    }
    subscriptions.push({
      type,
      subscriptionId: sub.subscriptionId,
      payloadVersion: sub.payloadVersion,
      destinationId: sub.destinationId,
      created,
    });
  }
  return {
    destination: {
      destinationId: destination.destinationId,
      name: destination.name,
      arn: options.arn,
      created: createdDestination,
    },
    subscriptions,
  };
}
