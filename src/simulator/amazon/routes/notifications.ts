import type { FastifyInstance } from 'fastify';
import { defineOperation, queryString } from '../http.ts';
import { SimHttpError, invalidInput, notFound } from '../errors.ts';
import type { Destination } from '../notifications.ts';
import type { SimulatorState } from '../state.ts';

/**
 * Notifications API v1: createDestination and getDestinations (grantless), createSubscription and
 * getSubscription (seller), deleteSubscriptionById (grantless). Creating an SQS destination creates the queue
 * behind the simulator's SQS endpoint, named after the ARN's last part.
 */
const SUPPORTED_TYPES = new Set([
  'ORDER_CHANGE',
  'FEED_PROCESSING_FINISHED',
  'REPORT_PROCESSING_FINISHED',
  'FBA_INVENTORY_AVAILABILITY_CHANGES',
  'ANY_OFFER_CHANGED',
  'LISTINGS_ITEM_STATUS_CHANGE',
  'LISTINGS_ITEM_ISSUES_CHANGE',
  'LISTINGS_ITEM_MFN_QUANTITY_CHANGE',
  'PRICING_HEALTH',
  'TRANSACTION_UPDATE',
]);

export function registerNotificationRoutes(app: FastifyInstance, sim: SimulatorState): void {
  const hub = sim.notifications;

  defineOperation(app, sim, 'notifications.createDestination', ({ request }) => {
    const body = request.body as
      | {
          name?: unknown;
          resourceSpecification?: { sqs?: { arn?: unknown }; eventBridge?: { accountId?: unknown; region?: unknown } };
        }
      | undefined;
    if (!body || typeof body.name !== 'string' || !body.name || !body.resourceSpecification)
      throw invalidInput('name and resourceSpecification are required.');
    const { sqs, eventBridge } = body.resourceSpecification;
    if ((sqs ? 1 : 0) + (eventBridge ? 1 : 0) !== 1)
      throw invalidInput('resourceSpecification must name exactly one of sqs or eventBridge.');
    let resource: Destination['resource'];
    if (sqs) {
      if (typeof sqs.arn !== 'string' || !/^arn:aws:sqs:\S+:\S+:\S+/.test(sqs.arn))
        throw invalidInput('sqs.arn must be an SQS queue ARN.');
      if ([...hub.destinations.values()].some((d) => 'sqs' in d.resource && d.resource.sqs.arn === sqs.arn)) {
        throw new SimHttpError(409, 'Conflict', 'A destination for this SQS queue already exists.');
      }
      hub.queue(sqs.arn.split(':').pop()!);
      resource = { sqs: { arn: sqs.arn } };
    } else {
      if (typeof eventBridge!.accountId !== 'string' || typeof eventBridge!.region !== 'string')
        throw invalidInput('eventBridge.accountId and eventBridge.region are required.');
      resource = {
        eventBridge: {
          accountId: eventBridge!.accountId,
          region: eventBridge!.region,
          name: `aws.partner/sellingpartnerapi.amazon.com/${eventBridge!.accountId}/${sim.idPrng.alnum(8).toLowerCase()}`,
        },
      };
    }
    const destination: Destination = { destinationId: sim.idPrng.uuid(), name: body.name, resource };
    hub.destinations.set(destination.destinationId, destination);
    return { status: 200, body: { payload: destination } };
  });

  defineOperation(app, sim, 'notifications.getDestinations', () => ({
    status: 200,
    body: { payload: [...hub.destinations.values()] },
  }));

  defineOperation(app, sim, 'notifications.createSubscription', ({ request, sellerId }) => {
    const { notificationType } = request.params as { notificationType: string };
    if (!SUPPORTED_TYPES.has(notificationType)) throw invalidInput(`Unsupported notificationType ${notificationType}.`);
    const body = request.body as
      { payloadVersion?: unknown; destinationId?: unknown; processingDirective?: unknown } | undefined;
    if (!body || typeof body.payloadVersion !== 'string' || typeof body.destinationId !== 'string')
      throw invalidInput('payloadVersion and destinationId are required.');
    if (!hub.destinations.has(body.destinationId)) throw notFound(`Destination ${body.destinationId} was not found.`);
    const existing = [...hub.subscriptions.values()].find(
      (s) =>
        s.sellerId === sellerId && s.notificationType === notificationType && s.payloadVersion === body.payloadVersion,
    );
    if (existing)
      throw new SimHttpError(
        409,
        'Conflict',
        `A subscription for ${notificationType} already exists: ${existing.subscriptionId}.`,
      );
    const subscription = {
      subscriptionId: sim.idPrng.uuid(),
      sellerId: sellerId!,
      notificationType,
      payloadVersion: body.payloadVersion,
      destinationId: body.destinationId,
      ...(body.processingDirective === undefined ? {} : { processingDirective: body.processingDirective }),
    };
    hub.subscriptions.set(subscription.subscriptionId, subscription);
    return { status: 200, body: { payload: wire(subscription) } };
  });

  defineOperation(app, sim, 'notifications.getSubscription', ({ request, sellerId }) => {
    const { notificationType } = request.params as { notificationType: string };
    const payloadVersion = queryString(request, 'payloadVersion');
    const found = [...hub.subscriptions.values()].find(
      (s) =>
        s.sellerId === sellerId &&
        s.notificationType === notificationType &&
        (!payloadVersion || s.payloadVersion === payloadVersion),
    );
    if (!found) throw notFound(`No subscription for ${notificationType}.`);
    return { status: 200, body: { payload: wire(found) } };
  });

  defineOperation(app, sim, 'notifications.deleteSubscriptionById', ({ request }) => {
    const { notificationType, subscriptionId } = request.params as { notificationType: string; subscriptionId: string };
    const found = hub.subscriptions.get(subscriptionId);
    if (!found || found.notificationType !== notificationType)
      throw notFound(`Subscription ${subscriptionId} was not found.`);
    hub.subscriptions.delete(subscriptionId);
    return { status: 200, body: {} };
  });
}

function wire(s: {
  subscriptionId: string;
  payloadVersion: string;
  destinationId: string;
  processingDirective?: unknown;
}): Record<string, unknown> {
  return {
    subscriptionId: s.subscriptionId,
    payloadVersion: s.payloadVersion,
    destinationId: s.destinationId,
    ...(s.processingDirective === undefined ? {} : { processingDirective: s.processingDirective }),
  };
}
