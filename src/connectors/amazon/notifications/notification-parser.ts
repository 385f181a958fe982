import { createHash } from 'node:crypto';
import { jsonDepthExceeded, MAX_JSON_DEPTH } from '../../../core/json-depth.ts';
import { SellbridgeError } from '../../../core/errors.ts';

/**
 * SP-API notification documents, as they arrive in an SQS message body or as the `detail` of an EventBridge
 * event (sp-api-facts.md §11). Two key families exist: PascalCase (ORDER_CHANGE, LISTINGS_ITEM_*,
 * ANY_OFFER_CHANGED, FBA_INVENTORY_AVAILABILITY_CHANGES) and camelCase (FEED_PROCESSING_FINISHED,
 * REPORT_PROCESSING_FINISHED, PRICING_HEALTH). A notification is a trigger: the flow re-reads the order.
 */
export interface ParsedNotification {
  /** NotificationMetadata.NotificationId; documents without one get `sha256:<hash of the document>`. */
  readonly notificationId: string;
  readonly notificationType: string;
  readonly payloadVersion: string | undefined;
  readonly eventTime: string | undefined;
  readonly publishTime: string | undefined;
  readonly subscriptionId: string | undefined;
  readonly applicationId: string | undefined;
  readonly sellerId: string | undefined;
  /** What changed, by id only. */
  readonly subject: NotificationSubject;
  /** How it arrived. */
  readonly envelope: 'document' | 'eventbridge';
  /** The notification document itself (the EventBridge `detail` when it came in an envelope). */
  readonly document: Record<string, unknown>;
}

export type NotificationSubject =
  | { readonly kind: 'order'; readonly orderId: string; readonly status?: string; readonly marketplaceId?: string }
  | {
      readonly kind: 'feed';
      readonly feedId: string;
      readonly processingStatus?: string;
      readonly resultDocumentId?: string;
    }
  | {
      readonly kind: 'report';
      readonly reportId: string;
      readonly processingStatus?: string;
      readonly reportDocumentId?: string;
      readonly reportType?: string;
    }
  | { readonly kind: 'listing'; readonly sku: string; readonly marketplaceId?: string }
  | { readonly kind: 'other' };

type Doc = Record<string, unknown>;

const EVENTBRIDGE_SOURCE = 'aws.partner/sellingpartnerapi.amazon.com';

/** Longest identifier (notification id, order id, SKU ...) accepted from a notification. */
const MAX_ID = 200;

/** A refusal that names the field (`body`, `source`, `detail`, `NotificationType`, `Payload...`) and the problem. */
function invalid(reason: string, field: string): SellbridgeError {
  return new SellbridgeError('SB_AMZ_NOTIFICATION_INVALID', `notification rejected: ${field}: ${reason}`, {
    context: { field, reason },
  });
}

const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a key in either family: `get(doc, 'NotificationType')` also finds `notificationType`. */
function get(doc: unknown, pascal: string): unknown {
  if (!isObject(doc)) return undefined;
  if (pascal in doc) return doc[pascal];
  const camel = pascal[0]!.toLowerCase() + pascal.slice(1);
  return doc[camel];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Parses one message body (text or already-parsed JSON).
 * @throws SellbridgeError SB_AMZ_NOTIFICATION_INVALID naming what is wrong (never the content).
 */
export function parseNotification(body: string | unknown): ParsedNotification {
  let value: unknown = body;
  if (typeof body === 'string') {
    const deep = jsonDepthExceeded(body);
    if (deep >= 0) throw invalid(`nests deeper than ${MAX_JSON_DEPTH} levels (at character ${deep})`, 'body');
    try {
      value = JSON.parse(body);
    } catch {
      throw invalid('is not JSON', 'body');
    }
  }
  if (!isObject(value)) throw invalid('is not a JSON object', 'body');
  let envelope: ParsedNotification['envelope'] = 'document';
  let doc: Doc = value;
  if ('detail' in value && ('detail-type' in value || 'source' in value)) {
    const source = str(value['source']);
    if (source && !source.startsWith(EVENTBRIDGE_SOURCE))
      throw invalid(`EventBridge source ${source.slice(0, 80)} is not SP-API`, 'source');
    if (!isObject(value['detail'])) throw invalid('EventBridge detail is not an object', 'detail');
    doc = value['detail'];
    envelope = 'eventbridge';
  }
  const notificationType =
    str(get(doc, 'NotificationType')) ?? (envelope === 'eventbridge' ? str(value['detail-type']) : undefined);
  if (!notificationType) throw invalid('missing', 'NotificationType');
  // Identifiers are short; a long one is refused here, not echoed into the inbox, the logs and the answer.
  if (!/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/.test(notificationType))
    throw invalid(
      `is not a notification type name (letters, digits, _ . -; at most 100): ${notificationType.slice(0, 40)}${notificationType.length > 40 ? '...' : ''}`,
      'NotificationType',
    );
  const payload = get(doc, 'Payload');
  if (!isObject(payload)) throw invalid('missing or not an object', 'Payload');
  const meta = get(doc, 'NotificationMetadata');
  const notificationId =
    str(get(meta, 'NotificationId')) ?? `sha256:${createHash('sha256').update(JSON.stringify(doc)).digest('hex')}`;
  if (notificationId.length > MAX_ID)
    throw invalid(`is longer than ${MAX_ID} characters`, 'NotificationMetadata.NotificationId');
  const subject = subjectOf(notificationType, payload);
  if ((subjectKey(subject) ?? '').length > 2 * MAX_ID)
    throw invalid(`an identifier is longer than ${MAX_ID} characters`, 'Payload');
  return {
    notificationId,
    notificationType,
    payloadVersion: str(get(doc, 'PayloadVersion')),
    eventTime: str(get(doc, 'EventTime')),
    publishTime: str(get(meta, 'PublishTime')),
    subscriptionId: str(get(meta, 'SubscriptionId')),
    applicationId: str(get(meta, 'ApplicationId')),
    sellerId: sellerIdOf(payload),
    subject,
    envelope,
    document: doc,
  };
}

function sellerIdOf(payload: Doc): string | undefined {
  const direct = str(get(payload, 'SellerId'));
  if (direct) return direct;
  for (const inner of Object.values(payload)) {
    const id = isObject(inner) ? str(get(inner, 'SellerId')) : undefined;
    if (id) return id;
  }
  return undefined;
}

function subjectOf(type: string, payload: Doc): NotificationSubject {
  switch (type) {
    case 'ORDER_CHANGE': {
      const n = get(payload, 'OrderChangeNotification');
      const orderId = str(get(n, 'AmazonOrderId'));
      if (!orderId) throw invalid('missing in ORDER_CHANGE', 'Payload.OrderChangeNotification.AmazonOrderId');
      const summary = get(n, 'Summary');
      const status = str(get(summary, 'OrderStatus'));
      const marketplaceId = str(get(summary, 'MarketplaceId'));
      return { kind: 'order', orderId, ...(status ? { status } : {}), ...(marketplaceId ? { marketplaceId } : {}) };
    }
    case 'FEED_PROCESSING_FINISHED': {
      const n = get(payload, 'FeedProcessingFinishedNotification');
      const feedId = str(get(n, 'FeedId'));
      if (!feedId)
        throw invalid('missing in FEED_PROCESSING_FINISHED', 'payload.feedProcessingFinishedNotification.feedId');
      const processingStatus = str(get(n, 'ProcessingStatus'));
      const resultDocumentId = str(get(n, 'ResultFeedDocumentId'));
      return {
        kind: 'feed',
        feedId,
        ...(processingStatus ? { processingStatus } : {}),
        ...(resultDocumentId ? { resultDocumentId } : {}),
      };
    }
    case 'REPORT_PROCESSING_FINISHED': {
      const n = get(payload, 'ReportProcessingFinishedNotification');
      const reportId = str(get(n, 'ReportId'));
      if (!reportId)
        throw invalid('missing in REPORT_PROCESSING_FINISHED', 'payload.reportProcessingFinishedNotification.reportId');
      const processingStatus = str(get(n, 'ProcessingStatus'));
      const reportDocumentId = str(get(n, 'ReportDocumentId'));
      const reportType = str(get(n, 'ReportType'));
      return {
        kind: 'report',
        reportId,
        ...(processingStatus ? { processingStatus } : {}),
        ...(reportDocumentId ? { reportDocumentId } : {}),
        ...(reportType ? { reportType } : {}),
      };
    }
    case 'LISTINGS_ITEM_STATUS_CHANGE':
    case 'LISTINGS_ITEM_MFN_QUANTITY_CHANGE':
    case 'LISTINGS_ITEM_ISSUES_CHANGE':
    case 'FBA_INVENTORY_AVAILABILITY_CHANGES': {
      const sku = str(get(payload, 'Sku')) ?? str(get(payload, 'SKU'));
      const marketplaceId = str(get(payload, 'MarketplaceId'));
      return sku ? { kind: 'listing', sku, ...(marketplaceId ? { marketplaceId } : {}) } : { kind: 'other' };
    }
    default:
      return { kind: 'other' };
  }
}

/** The id an inbox stores for what changed, e.g. `order:113-…` (ids only). */
export function subjectKey(subject: NotificationSubject): string | null {
  switch (subject.kind) {
    case 'order':
      return `order:${subject.orderId}`;
    case 'feed':
      return `feed:${subject.feedId}`;
    case 'report':
      return `report:${subject.reportId}`;
    case 'listing':
      return `listing:${subject.sku}`;
    default:
      return null;
  }
}
