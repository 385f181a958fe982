import { SellbridgeError } from '../../../core/errors.ts';

/**
 * The payloads Sellbridge acts on, read from a stored notification document and checked against the fields
 * Amazon's notification schemas require (sp-api-models `schemas/notifications/*.json`; LISTINGS_ITEM_ISSUES_CHANGE
 * from Amazon's 2023-12-13 schema, not in the copied models). A missing or mistyped field is
 * `SB_AMZ_NOTIFICATION_INVALID` naming the field; the intake keeps such a notification as `rejected`.
 */

export interface FeedFinished {
  readonly feedId: string;
  readonly feedType: string | undefined;
  readonly processingStatus: 'CANCELLED' | 'DONE' | 'FATAL';
  readonly resultFeedDocumentId: string | undefined;
}

export interface ReportFinished {
  readonly reportId: string;
  readonly reportType: string;
  readonly processingStatus: 'CANCELLED' | 'DONE' | 'FATAL';
  readonly reportDocumentId: string | undefined;
}

export interface ListingStatusChange {
  readonly sku: string;
  readonly marketplaceId: string | undefined;
  readonly asin: string | undefined;
  /** BUYABLE, DISCOVERABLE, DELETED: a state missing from the list does not hold. */
  readonly statuses: readonly string[];
}

export interface ListingIssuesChange {
  readonly sku: string;
  readonly marketplaceId: string | undefined;
  readonly asin: string | undefined;
  /** NONE, ERROR, WARNING. */
  readonly severities: readonly string[];
  /** e.g. LISTING_SUPPRESSED, SEARCH_SUPPRESSED, ATTRIBUTE_SUPPRESSED, CATALOG_ITEM_REMOVED. */
  readonly enforcementActions: readonly string[];
}

export interface FbaAvailability {
  readonly sku: string;
  readonly fnsku: string;
  readonly asin: string;
  readonly byMarketplace: readonly {
    readonly marketplaceId: string;
    readonly fulfillable: number;
    readonly inbound: number;
    readonly reserved: number;
    readonly unfulfillable: number;
  }[];
}

type Doc = Record<string, unknown>;
const isObject = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(type: string, field: string, reason: string): SellbridgeError {
  return new SellbridgeError('SB_AMZ_NOTIFICATION_INVALID', `${type} notification rejected: ${field}: ${reason}`, {
    context: { notificationType: type, field, reason },
  });
}

class Reader {
  readonly type: string;
  readonly path: string;
  readonly doc: Doc;
  constructor(type: string, path: string, doc: Doc) {
    this.type = type;
    this.path = path;
    this.doc = doc;
  }
  child(key: string): Reader {
    const v = this.doc[key];
    if (!isObject(v)) throw invalid(this.type, `${this.path}.${key}`, 'missing or not an object');
    return new Reader(this.type, `${this.path}.${key}`, v);
  }
  str(key: string): string {
    const v = this.doc[key];
    if (typeof v !== 'string' || v === '') throw invalid(this.type, `${this.path}.${key}`, 'missing or not a string');
    return v;
  }
  optStr(key: string): string | undefined {
    const v = this.doc[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw invalid(this.type, `${this.path}.${key}`, 'not a string');
    return v === '' ? undefined : v;
  }
  strings(key: string, allowed?: readonly string[], optional = false): string[] {
    const v = this.doc[key];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw invalid(this.type, `${this.path}.${key}`, 'missing or not an array of strings');
    const bad = allowed ? v.find((x) => !allowed.includes(x as string)) : undefined;
    if (bad !== undefined)
      throw invalid(
        this.type,
        `${this.path}.${key}`,
        `${String(bad).slice(0, 40)} is not one of ${allowed!.join(', ')}`,
      );
    return v as string[];
  }
  count(key: string): number {
    const v = this.doc[key];
    if (v === undefined || v === null) return 0;
    if (!Number.isInteger(v) || (v as number) < 0)
      throw invalid(this.type, `${this.path}.${key}`, 'not a whole number of 0 or more');
    return v as number;
  }
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.str(key);
    if (!allowed.includes(v as T))
      throw invalid(this.type, `${this.path}.${key}`, `${v.slice(0, 40)} is not one of ${allowed.join(', ')}`);
    return v as T;
  }
}

const FINAL = ['CANCELLED', 'DONE', 'FATAL'] as const;

/** The payload object of a document in either key family (`Payload` / `payload`). */
function payloadOf(type: string, document: unknown): Reader {
  if (!isObject(document)) throw invalid(type, 'document', 'not an object');
  const p = document['Payload'] ?? document['payload'];
  if (!isObject(p)) throw invalid(type, 'Payload', 'missing or not an object');
  return new Reader(type, 'Payload', p);
}

export function feedFinishedOf(document: unknown): FeedFinished {
  const n = payloadOf('FEED_PROCESSING_FINISHED', document).child('feedProcessingFinishedNotification');
  return {
    feedId: n.str('feedId'),
    feedType: n.optStr('feedType'),
    processingStatus: n.oneOf('processingStatus', FINAL),
    resultFeedDocumentId: n.optStr('resultFeedDocumentId'),
  };
}

export function reportFinishedOf(document: unknown): ReportFinished {
  const n = payloadOf('REPORT_PROCESSING_FINISHED', document).child('reportProcessingFinishedNotification');
  return {
    reportId: n.str('reportId'),
    reportType: n.str('reportType'),
    processingStatus: n.oneOf('processingStatus', FINAL),
    reportDocumentId: n.optStr('reportDocumentId'),
  };
}

export function listingStatusOf(document: unknown): ListingStatusChange {
  const p = payloadOf('LISTINGS_ITEM_STATUS_CHANGE', document);
  p.str('SellerId');
  return {
    sku: p.str('Sku'),
    marketplaceId: p.optStr('MarketplaceId'),
    asin: p.optStr('Asin'),
    statuses: p.strings('Status', ['BUYABLE', 'DISCOVERABLE', 'DELETED']),
  };
}

export function listingIssuesOf(document: unknown): ListingIssuesChange {
  const p = payloadOf('LISTINGS_ITEM_ISSUES_CHANGE', document);
  p.str('SellerId');
  return {
    sku: p.str('Sku'),
    marketplaceId: p.optStr('MarketplaceId'),
    asin: p.optStr('Asin'),
    severities: p.strings('Severities', ['NONE', 'ERROR', 'WARNING']),
    enforcementActions: p.strings('EnforcementActions', undefined, true),
  };
}

export function fbaAvailabilityOf(document: unknown): FbaAvailability {
  const type = 'FBA_INVENTORY_AVAILABILITY_CHANGES';
  const p = payloadOf(type, document);
  p.str('SellerId');
  const list = p.doc['FulfillmentInventoryByMarketplace'];
  if (!Array.isArray(list)) throw invalid(type, 'Payload.FulfillmentInventoryByMarketplace', 'missing or not an array');
  return {
    sku: p.str('SKU'),
    fnsku: p.str('FNSKU'),
    asin: p.str('ASIN'),
    byMarketplace: list.map((raw, i) => {
      const where = `Payload.FulfillmentInventoryByMarketplace[${i}]`;
      if (!isObject(raw)) throw invalid(type, where, 'not an object');
      const m = new Reader(type, where, raw);
      const inv = m.child('FulfillmentInventory');
      const inbound = isObject(inv.doc['InboundQuantityBreakdown']) ? inv.child('InboundQuantityBreakdown') : undefined;
      const reserved = isObject(inv.doc['ReservedQuantityBreakdown'])
        ? inv.child('ReservedQuantityBreakdown')
        : undefined;
      return {
        marketplaceId: m.str('MarketplaceId'),
        fulfillable: inv.count('Fulfillable'),
        inbound: inbound ? inbound.count('Working') + inbound.count('Shipped') + inbound.count('Receiving') : 0,
        reserved: reserved
          ? reserved.count('WarehouseProcessing') +
            reserved.count('WarehouseTransfer') +
            reserved.count('PendingCustomerOrder')
          : 0,
        unfulfillable: inv.count('Unfulfillable'),
      };
    }),
  };
}
