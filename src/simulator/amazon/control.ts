import type { FaultRates, FaultSpec } from './faults.ts';
import type { FulfillmentStatus, OrderOverrides, SimOrder } from './scenario.ts';
import type { SimulatorState } from './state.ts';
import type { SimSeller } from './types.ts';
import type { NotificationFaults } from './notifications.ts';
import type { DocumentFault } from './documents.ts';
import type { ListingIssue, SimListing } from './listings.ts';
import { finishFeed } from './routes/feeds.ts';
import { returnFbaItem, type FbaReturnOptions, type SimFbaReturn } from './fba-returns.ts';
import { addSettlementReportBytes, generateSettlementReport, type SettlementReportOptions } from './routes/reports.ts';
import { SIM_AWS_ACCOUNT } from './notifications.ts';

/**
 * The test and demo handle on a running simulator: add and change orders, force token expiry, inject faults,
 * switch limits. Everything here acts in process; nothing is reachable over HTTP.
 */
export interface SimulatorControl {
  readonly sellers: readonly SimSeller[];
  /** Adds one generated order (overrides pin status, SKUs, quantities...) and publishes ORDER_CHANGE. */
  addOrder(overrides?: OrderOverrides & { sellerId?: string }): SimOrder;
  addOrders(count: number, overrides?: OrderOverrides & { sellerId?: string }): SimOrder[];
  /** Changes an order's status (and lastUpdatedTime) and publishes ORDER_CHANGE. */
  setOrderStatus(orderId: string, status: FulfillmentStatus): SimOrder;
  cancelOrder(orderId: string): SimOrder;
  /** Cancels one unshipped item (quantity and amounts 0, as Amazon shows it) and publishes ORDER_CHANGE. */
  cancelOrderLine(orderId: string, orderItemId: string): SimOrder;
  /** The buyer changed the ship-to before shipment; publishes ORDER_CHANGE. */
  changeShipTo(orderId: string, address: Partial<SimOrder['address']>): SimOrder;
  /** The buyer asks to cancel (ORDER_CHANGE BuyerRequestedChange; getOrder shows cancellationRequest). */
  requestCancellation(orderId: string, reason?: string): SimOrder;
  /** One life-cycle step for every order: PENDING -> UNSHIPPED, AFN UNSHIPPED -> SHIPPED (publishes ORDER_CHANGE). */
  advanceOrders(sellerId?: string): SimOrder[];
  /** Live traffic for demos (simulated ms, scaled): new orders and life-cycle steps on a timer; stops on close. */
  startTraffic(options: { newOrderEveryMs?: number; advanceEveryMs?: number }): void;
  /** The simulator's own record of an order (minor units), or undefined. */
  order(orderId: string): SimOrder | undefined;
  orders(sellerId?: string): SimOrder[];
  /** Makes every issued access token (or one seller's) expired, so the next call gets 401 (or 403). */
  expireTokens(sellerId?: string): void;
  injectFault(spec: FaultSpec): void;
  setFaultRates(rates: FaultRates): void;
  clearFaults(): void;
  setLimits(enabled: boolean): void;
  setTimeScale(timeScale: number): void;
  resetRateLimits(): void;
  /**
   * Empties one seller's buckets (all its operations, or one) as if it had spent its quota: its next call gets 429
   * until the bucket refills; other sellers' buckets are untouched (usage plans are per seller and application).
   */
  exhaustQuota(sellerId: string, operation?: string): void;

  // --- notifications ---
  /** SQS queue URL for a queue name (the simulator's SQS endpoint); creates the queue. */
  sqsQueueUrl(queueName: string): string;
  /** SQS ARN for a queue name (what createDestination takes). */
  sqsArn(queueName: string): string;
  /** Shortcut for tests: an SQS destination + subscription without calling the API. Returns the queue URL. */
  subscribe(options: { notificationType: string; queueName?: string; sellerId?: string; payloadVersion?: string }): {
    queueUrl: string;
    destinationId: string;
    subscriptionId: string;
  };
  /** Where EventBridge destinations are delivered (POST of the EventBridge envelope). */
  setEventBridgeWebhook(url: string | undefined, headers?: Readonly<Record<string, string>>): void;
  /** Probabilities of duplicated and reordered deliveries (seeded). */
  setNotificationFaults(faults: NotificationFaults): void;
  /** The next `count` deliveries are duplicated (same NotificationId twice) or held back until after the next one. */
  injectNotificationFault(kind: 'duplicate' | 'reorder', count?: number): void;
  /** Delivers documents held back by reorder faults. */
  flushNotifications(): void;
  /** Puts a raw (e.g. malformed) message body on a queue. */
  sendRawMessage(queueName: string, body: string): void;
  /** Makes in-flight SQS messages visible again, as if their visibility timeout ran out. */
  expireVisibility(queueName?: string): void;
  /** Messages currently in a queue (received or not). */
  queueDepth(queueName: string): number;
  /** Resolves with the first event `name` whose payload satisfies `predicate` (tests await this instead of sleeping). */

  // --- feeds, listings, reports, inventory ---
  /** Finishes every queued or in-progress feed now (instead of waiting the scaled processing delay). */
  processFeeds(): void;
  /** Resolves with the feed once its processingStatus is one of `statuses` (default: a final status); at once if it already is. */
  waitForFeed(
    feedId: string,
    statuses?: readonly string[],
  ): Promise<{ feedId: string; processingStatus: string; resultFeedDocumentId?: string }>;
  /** Gzip (and flag GZIP) feed processing reports. */
  setFeedResultCompression(gzip: boolean): void;
  /** The next produced document(s) (feed result or report) get this fault, e.g. flagged GZIP but not compressed. */
  injectDocumentFault(fault: DocumentFault, count?: number): void;
  /**
   * A buyer returns units of an FBA order's item (default: the first item, one unit) to Amazon: listed in the FBA
   * customer returns report (createReport GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA) for windows holding it.
   */
  returnFbaItem(orderId: string, options?: FbaReturnOptions): SimFbaReturn;
  /** A settlement report (Flat File V2) from the simulated orders; publishes REPORT_PROCESSING_FINISHED. */
  generateSettlementReport(options?: SettlementReportOptions): {
    reportId: string;
    reportDocumentId: string;
    settlementId: string;
    currency: string;
    totalMinor: number;
    text: string;
  };
  /** A settlement report whose document is these bytes (gzip-compressed and flagged GZIP when `gzip`). */
  addSettlementReportBytes(
    bytes: Buffer,
    options: { gzip: boolean; sellerId?: string; days?: number },
  ): { reportId: string; reportDocumentId: string };
  /** The simulator's listing record for a SKU. */
  listing(sku: string, sellerId?: string): SimListing | undefined;
  /** Sets FBA fulfillable quantity for a SKU (creates the SKU in FBA inventory); publishes FBA_INVENTORY_AVAILABILITY_CHANGES. */
  setFbaInventory(sku: string, fulfillable: number, sellerId?: string): void;
  /**
   * Amazon's checks found (or cleared) issues on a listing, e.g. a missing attribute or a suppression: publishes
   * LISTINGS_ITEM_ISSUES_CHANGE, and LISTINGS_ITEM_STATUS_CHANGE when buyability or discoverability changes.
   */
  setListingIssues(sku: string, issues: readonly ListingIssue[], sellerId?: string): SimListing;
  waitFor<T = unknown>(
    name:
      | 'notification'
      | 'feed'
      | 'report'
      | 'order-change'
      | 'webhook'
      | 'fault'
      | 'listing'
      | 'processing-report'
      | 'document-uploaded',
    predicate?: (payload: T) => boolean,
  ): Promise<T>;
}

export function createControl(sim: SimulatorState, baseUrl: () => string = () => 'http://127.0.0.1'): SimulatorControl {
  const hub = sim.notifications;
  const arn = (name: string): string => `arn:aws:sqs:us-east-1:${SIM_AWS_ACCOUNT}:${name}`;
  return {
    sellers: sim.sellers,
    addOrder: (overrides) => sim.addOrder(overrides),
    addOrders: (count, overrides) => Array.from({ length: count }, () => sim.addOrder(overrides)),
    setOrderStatus: (orderId, status) => sim.setOrderStatus(orderId, status),
    cancelOrder: (orderId) => sim.setOrderStatus(orderId, 'CANCELLED'),
    cancelOrderLine: (orderId, orderItemId) => sim.cancelOrderLine(orderId, orderItemId),
    changeShipTo: (orderId, address) => sim.changeShipTo(orderId, address),
    requestCancellation: (orderId, reason) => sim.requestCancellation(orderId, reason),
    advanceOrders: (sellerId) => sim.advanceOrders(sellerId),
    startTraffic: (options) => sim.startTraffic(options),
    order: (orderId) => sim.orders.get(orderId),
    orders: (sellerId) => [...sim.orders.values()].filter((o) => sellerId === undefined || o.sellerId === sellerId),
    expireTokens: (sellerId) => {
      for (const token of sim.tokens.values())
        if (sellerId === undefined || token.sellerId === sellerId) token.expiresAtMs = sim.now() - 1;
    },
    injectFault: (spec) => sim.faults.inject(spec),
    setFaultRates: (rates) => sim.faults.setRates(rates),
    clearFaults: () => sim.faults.clear(),
    setLimits: (enabled) => {
      sim.limiter.enabled = enabled;
    },
    setTimeScale: (timeScale) => {
      if (!(timeScale > 0)) throw new Error('timeScale must be a positive number');
      sim.limiter.timeScale = timeScale;
    },
    resetRateLimits: () => sim.limiter.reset(),
    exhaustQuota: (sellerId, operation) =>
      sim.limiter.drain(`seller:${sellerId}:`, operation === undefined ? '' : `:${operation}`),
    sqsQueueUrl: (name) => {
      hub.queue(name);
      return `${baseUrl()}/${SIM_AWS_ACCOUNT}/${name}`;
    },
    sqsArn: arn,
    subscribe: ({ notificationType, queueName = 'sellbridge-notifications', sellerId, payloadVersion }) => {
      hub.queue(queueName);
      let destination = [...hub.destinations.values()].find(
        (d) => 'sqs' in d.resource && d.resource.sqs.arn === arn(queueName),
      );
      if (!destination) {
        destination = { destinationId: sim.idPrng.uuid(), name: queueName, resource: { sqs: { arn: arn(queueName) } } };
        hub.destinations.set(destination.destinationId, destination);
      }
      const subscriptionId = sim.idPrng.uuid();
      const version = payloadVersion ?? (notificationType === 'ORDER_CHANGE' ? '1.0' : '2020-09-04');
      hub.subscriptions.set(subscriptionId, {
        subscriptionId,
        sellerId: sim.seller(sellerId).sellerId,
        notificationType,
        payloadVersion: version,
        destinationId: destination.destinationId,
      });
      return {
        queueUrl: `${baseUrl()}/${SIM_AWS_ACCOUNT}/${queueName}`,
        destinationId: destination.destinationId,
        subscriptionId,
      };
    },
    setEventBridgeWebhook: (url, headers) => hub.setWebhook(url, headers),
    setNotificationFaults: (faults) => hub.setFaults(faults),
    injectNotificationFault: (kind, count) => hub.injectFault(kind, count),
    flushNotifications: () => hub.flush(),
    sendRawMessage: (name, body) => {
      hub.queue(name)!.send(sim, body);
    },
    expireVisibility: (name) => {
      for (const queue of hub.queues.values()) if (name === undefined || queue.name === name) queue.expireVisibility();
    },
    queueDepth: (name) => hub.queue(name, false)?.messages.length ?? 0,
    processFeeds: () => {
      for (const feed of sim.feeds.values()) finishFeed(sim, feed, sim.gzipFeedResults);
    },
    waitForFeed(feedId, statuses = ['DONE', 'FATAL', 'CANCELLED']) {
      const feed = sim.feeds.get(feedId);
      if (feed && statuses.includes(feed.processingStatus)) return Promise.resolve(feed);
      return this.waitFor<{ feedId: string; processingStatus: string }>(
        'feed',
        (f) => f.feedId === feedId && statuses.includes(f.processingStatus),
      );
    },
    setFeedResultCompression: (gzip) => {
      sim.gzipFeedResults = gzip;
    },
    injectDocumentFault: (fault, count) => sim.documents.injectFault(fault, count),
    returnFbaItem: (orderId, options) => returnFbaItem(sim, orderId, options),
    generateSettlementReport: (options) => {
      const { report, file } = generateSettlementReport(sim, options);
      return {
        reportId: report.reportId,
        reportDocumentId: report.reportDocumentId!,
        settlementId: file.settlementId,
        currency: file.currency,
        totalMinor: file.totalMinor,
        text: file.text,
      };
    },
    addSettlementReportBytes: (bytes, options) => {
      const report = addSettlementReportBytes(sim, bytes, options);
      return { reportId: report.reportId, reportDocumentId: report.reportDocumentId! };
    },
    listing: (sku, sellerId) => sim.listings.get(sim.seller(sellerId).sellerId, sku),
    setFbaInventory: (sku, fulfillable, sellerId) => {
      const key = `${sim.seller(sellerId).sellerId}\u0000${sku}`;
      const current = sim.fbaStock.get(key);
      const lastUpdatedTime = new Date(sim.now()).toISOString();
      const next = current
        ? { ...current, fulfillable, lastUpdatedTime }
        : { fulfillable, inboundWorking: 0, inboundShipped: 0, reserved: 0, unfulfillable: 0, lastUpdatedTime };
      sim.fbaStock.set(key, next);
      const seller = sim.seller(sellerId).sellerId;
      if (current?.fulfillable !== fulfillable)
        hub.publishFbaAvailability(seller, sku, sim.generator(seller).asinOf(sku), next);
    },
    setListingIssues: (sku, issues, sellerId) => {
      const listing = sim.listings.get(sim.seller(sellerId).sellerId, sku);
      if (!listing) throw new Error(`no listing for SKU ${sku}`);
      sim.listings.setIssues(listing, issues);
      return listing;
    },
    waitFor: <T>(name: string, predicate?: (payload: T) => boolean) =>
      new Promise<T>((resolve, reject) => {
        const onEvent = (payload: T): void => {
          if (predicate && !predicate(payload)) return;
          cleanup();
          resolve(payload);
        };
        const onClose = (): void => {
          cleanup();
          reject(new Error(`simulator closed while waiting for ${name}`));
        };
        const cleanup = (): void => {
          sim.events.off(name, onEvent);
          sim.events.off('close', onClose);
        };
        sim.events.on(name, onEvent);
        sim.events.on('close', onClose);
      }),
  };
}
