import { createHash } from 'node:crypto';
import { SIM_APPLICATION_ID } from './constants.ts';
import type { SimulatorContext } from './types.ts';
import { V0_STATUS, type SimOrder } from './scenario.ts';
import type { SimListing } from './listings.ts';
import type { FbaStock } from './fba-stock.ts';

/**
 * Notification delivery: subscriptions per (seller, notification type) point at a destination; an SQS
 * destination puts the document in an in-process queue served by the SQS-compatible endpoint (routes/sqs.ts),
 * an EventBridge destination POSTs the EventBridge envelope (`detail` = the document) to a webhook URL.
 *
 * Transport faults imitate SQS and EventBridge's at-least-once, unordered delivery: duplicates (same
 * NotificationId twice) and reordering (a document held back until after the next one), drawn from the
 * seeded PRNG or queued explicitly.
 */

export interface Destination {
  readonly destinationId: string;
  readonly name: string;
  readonly resource: { sqs: { arn: string } } | { eventBridge: { name: string; region: string; accountId: string } };
}

export interface Subscription {
  readonly subscriptionId: string;
  readonly sellerId: string;
  readonly notificationType: string;
  readonly payloadVersion: string;
  readonly destinationId: string;
  readonly processingDirective?: unknown;
}

export interface SqsMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5: string;
  readonly sentAtMs: number;
  receiptHandle: string | undefined;
  visibleAtMs: number;
  receiveCount: number;
}

export const SIM_AWS_ACCOUNT = '000000000000';
export const SIM_AWS_REGION = 'us-east-1';

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export class SqsQueue {
  readonly name: string;
  readonly messages: SqsMessage[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(name: string) {
    this.name = name;
  }

  get arn(): string {
    return `arn:aws:sqs:${SIM_AWS_REGION}:${SIM_AWS_ACCOUNT}:${this.name}`;
  }

  send(sim: SimulatorContext, body: string): SqsMessage {
    const message: SqsMessage = {
      messageId: sim.idPrng.uuid(),
      body,
      md5: md5(body),
      sentAtMs: sim.now(),
      receiptHandle: undefined,
      visibleAtMs: 0,
      receiveCount: 0,
    };
    this.messages.push(message);
    for (const wake of this.#waiters) wake();
    return message;
  }

  #take(sim: SimulatorContext, max: number, visibilityMs: number): SqsMessage[] {
    const now = sim.now();
    const out: SqsMessage[] = [];
    for (const message of this.messages) {
      if (out.length >= max) break;
      if (message.visibleAtMs > now) continue;
      message.receiptHandle = `${message.messageId}#${sim.idPrng.alnum(16)}`;
      message.visibleAtMs = now + visibilityMs;
      message.receiveCount++;
      out.push(message);
    }
    return out;
  }

  /** Long poll: returns at once when messages are visible, else waits up to `waitMs` for one to arrive. */
  async receive(sim: SimulatorContext, max: number, visibilityMs: number, waitMs: number): Promise<SqsMessage[]> {
    let got = this.#take(sim, max, visibilityMs);
    if (got.length || waitMs <= 0 || sim.closed) return got;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        sim.hung.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      timer.unref();
      this.#waiters.add(done);
      sim.hung.add(done);
    });
    got = this.#take(sim, max, visibilityMs);
    return got;
  }

  delete(receiptHandle: string): boolean {
    const index = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index < 0) return false;
    this.messages.splice(index, 1);
    return true;
  }

  /** Makes in-flight messages visible again (as if their visibility timeout ran out). */
  expireVisibility(): void {
    for (const message of this.messages) message.visibleAtMs = 0;
    for (const wake of this.#waiters) wake();
  }
}

export interface NotificationFaults {
  /** Probability that a document is delivered twice. */
  readonly duplicateRate?: number;
  /** Probability that a document is held back and delivered after the next one. */
  readonly reorderRate?: number;
}

interface Pending {
  readonly destination: Destination;
  readonly document: Record<string, unknown>;
  readonly notificationType: string;
}

export class NotificationHub {
  readonly destinations = new Map<string, Destination>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly queues = new Map<string, SqsQueue>();
  readonly webhookFailures: { url: string; status: number | string }[] = [];
  readonly #sim: SimulatorContext;
  #faults: NotificationFaults = {};
  readonly #queuedFaults: ('duplicate' | 'reorder')[] = [];
  #held: Pending[] = [];
  #webhook: { url: string; headers?: Readonly<Record<string, string>> } | undefined;

  constructor(sim: SimulatorContext) {
    this.#sim = sim;
    this.#webhook = sim.options.eventBridgeWebhook;
    sim.events.on('order-change', (order: SimOrder, changeType: string) => this.publishOrderChange(order, changeType));
    sim.events.on('listing-status', (listing: SimListing) => this.publishListingStatus(listing));
    sim.events.on('listing-issues', (listing: SimListing) => this.publishListingIssues(listing));
  }

  queue(name: string, create = true): SqsQueue | undefined {
    let queue = this.queues.get(name);
    if (!queue && create) {
      queue = new SqsQueue(name);
      this.queues.set(name, queue);
    }
    return queue;
  }

  setWebhook(url: string | undefined, headers?: Readonly<Record<string, string>>): void {
    this.#webhook = url ? { url, ...(headers ? { headers } : {}) } : undefined;
  }

  setFaults(faults: NotificationFaults): void {
    this.#faults = { ...faults };
  }

  injectFault(kind: 'duplicate' | 'reorder', count = 1): void {
    for (let i = 0; i < count; i++) this.#queuedFaults.push(kind);
  }

  /** Delivers documents held back by a reorder fault. */
  flush(): void {
    const held = this.#held;
    this.#held = [];
    for (const pending of held) this.#transport(pending);
  }

  publish(
    sellerId: string,
    notificationType: string,
    build: (metadata: {
      applicationId: string;
      subscriptionId: string;
      publishTime: string;
      notificationId: string;
    }) => Record<string, unknown>,
  ): number {
    let count = 0;
    for (const subscription of this.subscriptions.values()) {
      if (subscription.sellerId !== sellerId || subscription.notificationType !== notificationType) continue;
      const destination = this.destinations.get(subscription.destinationId);
      if (!destination) continue;
      const document = build({
        applicationId: SIM_APPLICATION_ID,
        subscriptionId: subscription.subscriptionId,
        publishTime: new Date(this.#sim.now()).toISOString(),
        notificationId: this.#sim.idPrng.uuid(),
      });
      this.#sim.options.onNotification?.({
        notificationType,
        destinationId: destination.destinationId,
        transport: 'sqs' in destination.resource ? 'sqs' : 'eventBridge',
        document,
      });
      this.#sim.events.emit('notification', { notificationType, document });
      this.#deliver({ destination, document, notificationType });
      count++;
    }
    return count;
  }

  #deliver(pending: Pending): void {
    const prng = this.#sim.prng;
    const queued = this.#queuedFaults.shift();
    const duplicate = queued === 'duplicate' || (queued === undefined && prng.chance(this.#faults.duplicateRate ?? 0));
    const reorder =
      queued === 'reorder' || (queued === undefined && !duplicate && prng.chance(this.#faults.reorderRate ?? 0));
    if (reorder) {
      this.#held.push(pending);
      return;
    }
    this.#transport(pending);
    if (duplicate) this.#transport(pending);
    this.flush();
  }

  #transport({ destination, document, notificationType }: Pending): void {
    const body = JSON.stringify(document);
    if ('sqs' in destination.resource) {
      const name = destination.resource.sqs.arn.split(':').pop()!;
      this.queue(name)!.send(this.#sim, body);
      return;
    }
    const webhook = this.#webhook;
    if (!webhook) return;
    const envelope = {
      version: '0',
      id: this.#sim.idPrng.uuid(),
      'detail-type': notificationType,
      source: `aws.partner/sellingpartnerapi.amazon.com/${SIM_APPLICATION_ID}`,
      account: destination.resource.eventBridge.accountId,
      time: new Date(this.#sim.now()).toISOString(),
      region: destination.resource.eventBridge.region,
      resources: [],
      detail: document,
    };
    void fetch(webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...webhook.headers },
      body: JSON.stringify(envelope),
    })
      .then((res) => {
        if (!res.ok) this.webhookFailures.push({ url: webhook.url, status: res.status });
        this.#sim.events.emit('webhook', { status: res.status, notificationType });
      })
      .catch((err: unknown) => {
        this.webhookFailures.push({ url: webhook.url, status: err instanceof Error ? err.message : String(err) });
        this.#sim.events.emit('webhook', { status: 0, notificationType });
      });
  }

  publishOrderChange(order: SimOrder, changeType = 'OrderStatusChange'): number {
    const shipped = order.items.reduce((n, i) => n + i.quantityShipped, 0);
    const total = order.items.reduce((n, i) => n + i.quantity, 0);
    return this.publish(order.sellerId, 'ORDER_CHANGE', (meta) => ({
      NotificationVersion: '1.0',
      NotificationType: 'ORDER_CHANGE',
      PayloadVersion: '1.0',
      EventTime: new Date(this.#sim.now()).toISOString(),
      Payload: {
        OrderChangeNotification: {
          NotificationLevel: 'OrderLevel',
          SellerId: order.sellerId,
          AmazonOrderId: order.orderId,
          OrderChangeType: changeType,
          OrderChangeTrigger: {
            TimeOfOrderChange: order.lastUpdatedTime,
            ChangeReason:
              changeType === 'BuyerRequestedChange'
                ? 'Buyer Requested Cancel'
                : `Order status changed to ${V0_STATUS[order.status]}`,
          },
          Summary: {
            MarketplaceId: order.marketplaceId,
            OrderStatus: V0_STATUS[order.status],
            PurchaseDate: order.createdTime,
            DestinationPostalCode: order.address.postalCode,
            FulfillmentType: order.fulfilledBy === 'AMAZON' ? 'AFN' : 'MFN',
            OrderType: 'StandardOrder',
            NumberOfItemsShipped: shipped,
            NumberOfItemsUnshipped: order.status === 'CANCELLED' ? 0 : total - shipped,
            ...(order.buyerCancelRequest ? { CancelNotifyDate: order.lastUpdatedTime } : {}),
            OrderPrograms: [...(order.business ? ['Business'] : []), ...(order.prime ? ['Prime'] : [])],
            ShippingPrograms: [],
            OrderItems: order.items.map((item) => ({
              OrderItemId: item.orderItemId,
              SellerSKU: item.sku,
              SupplySourceId: `${order.sellerId.toLowerCase()}-default-source`,
              Quantity: item.quantity,
              OrderItemStatus: item.quantityShipped >= item.quantity ? 'Shipped' : 'Unshipped',
              QuantityShipped: item.quantityShipped,
              ...(order.buyerCancelRequest ? { IsBuyerRequestedCancel: true } : {}),
            })),
          },
        },
      },
      NotificationMetadata: {
        ApplicationId: meta.applicationId,
        SubscriptionId: meta.subscriptionId,
        PublishTime: meta.publishTime,
        NotificationId: meta.notificationId,
      },
    }));
  }

  /** FEED_PROCESSING_FINISHED / REPORT_PROCESSING_FINISHED (camelCase family). */
  publishProcessingFinished(kind: 'feed' | 'report', sellerId: string, fields: Record<string, string>): number {
    const type = kind === 'feed' ? 'FEED_PROCESSING_FINISHED' : 'REPORT_PROCESSING_FINISHED';
    const key = kind === 'feed' ? 'feedProcessingFinishedNotification' : 'reportProcessingFinishedNotification';
    return this.publish(sellerId, type, (meta) => ({
      notificationVersion: '2020-09-04',
      notificationType: type,
      payloadVersion: '2020-09-04',
      eventTime: new Date(this.#sim.now()).toISOString(),
      payload: { [key]: { sellerId, accountId: `amzn1.merchant.o.${sellerId}`, ...fields } },
      notificationMetadata: meta,
    }));
  }

  /** The PascalCase family's envelope (ORDER_CHANGE, LISTINGS_ITEM_*, FBA_INVENTORY_AVAILABILITY_CHANGES). */
  #pascal(sellerId: string, type: string, payloadVersion: string, payload: Record<string, unknown>): number {
    return this.publish(sellerId, type, (meta) => ({
      NotificationVersion: '1.0',
      NotificationType: type,
      PayloadVersion: payloadVersion,
      EventTime: new Date(this.#sim.now()).toISOString(),
      Payload: payload,
      NotificationMetadata: {
        ApplicationId: meta.applicationId,
        SubscriptionId: meta.subscriptionId,
        PublishTime: meta.publishTime,
        NotificationId: meta.notificationId,
      },
    }));
  }

  #marketplaceOf(sellerId: string): string {
    return this.#sim.sellers.find((s) => s.sellerId === sellerId)?.marketplaceIds[0] ?? 'ATVPDKIKX0DER';
  }

  /** LISTINGS_ITEM_STATUS_CHANGE: buyability or discoverability of a listing changed. */
  publishListingStatus(listing: SimListing): number {
    return this.#pascal(listing.sellerId, 'LISTINGS_ITEM_STATUS_CHANGE', '1.0', {
      SellerId: listing.sellerId,
      MarketplaceId: this.#marketplaceOf(listing.sellerId),
      Asin: listing.asin,
      Sku: listing.sku,
      CreatedDate: listing.createdDate,
      Status: [...listing.status],
    });
  }

  /** LISTINGS_ITEM_ISSUES_CHANGE (payload 2023-12-13): issues were created, changed or resolved. */
  publishListingIssues(listing: SimListing): number {
    const severities = [...new Set(listing.issues.map((i) => i.severity).filter((s) => s !== 'INFO'))];
    const actions = [...new Set(listing.issues.flatMap((i) => i.enforcements ?? []))];
    return this.#pascal(listing.sellerId, 'LISTINGS_ITEM_ISSUES_CHANGE', '2023-12-13', {
      SellerId: listing.sellerId,
      MarketplaceId: this.#marketplaceOf(listing.sellerId),
      Asin: listing.asin,
      Sku: listing.sku,
      Severities: severities.length ? severities : ['NONE'],
      ...(actions.length ? { EnforcementActions: actions } : {}),
    });
  }

  /** FBA_INVENTORY_AVAILABILITY_CHANGES: FBA availability of a SKU changed. */
  publishFbaAvailability(sellerId: string, sku: string, asin: string, stock: FbaStock): number {
    return this.#pascal(sellerId, 'FBA_INVENTORY_AVAILABILITY_CHANGES', '1.0', {
      SellerId: sellerId,
      FNSKU: `X00${asin.slice(-7)}`,
      ASIN: asin,
      SKU: sku,
      FulfillmentInventoryByMarketplace: [
        {
          MarketplaceId: this.#marketplaceOf(sellerId),
          ItemName: sku,
          FulfillmentInventory: {
            InboundQuantityBreakdown: { Working: stock.inboundWorking, Shipped: stock.inboundShipped, Receiving: 0 },
            Fulfillable: stock.fulfillable,
            Unfulfillable: stock.unfulfillable,
            Researching: 0,
            ReservedQuantityBreakdown: {
              WarehouseProcessing: 0,
              WarehouseTransfer: 0,
              PendingCustomerOrder: stock.reserved,
            },
            FutureSupplyBuyable: 0,
            PendingCustomerOrderInTransit: 0,
          },
          Stores: [],
        },
      ],
    });
  }
}
