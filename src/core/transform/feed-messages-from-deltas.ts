import { SellbridgeError } from '../errors.ts';
import { moneyToDecimal, type Money } from '../model/money.ts';
import type { AttributeValue } from '../model/listing.ts';
import type { ListingChange } from './listing-delta.ts';

/**
 * Listing changes -> JSON_LISTINGS_FEED documents (sp-api-facts §7.2, §7.4; schema
 * `schemas/feeds/listings-feed-schema-v2.json`). One message per SKU, `operationType: PATCH` with one patch
 * per changed attribute:
 *  - quantity: `merge` (default) or `replace` on `/attributes/fulfillment_availability` with
 *    `[{ fulfillment_channel_code: 'DEFAULT', quantity }]`. `merge` updates the quantity without wiping the
 *    handling time or restock date set in Seller Central (Amazon changelog 2025-06-16);
 *  - price: `replace` on `/attributes/purchasable_offer` with
 *    `[{ marketplace_id, currency, audience: 'ALL', our_price: [{ schedule: [{ value_with_tax }] }] }]`;
 *    `value_with_tax` is the exact decimal of the integer minor units (1999 USD -> 19.99);
 *  - other attributes: `replace` on `/attributes/<name>` with the mapped values.
 * A feed holds one marketplace (createFeed's marketplaceIds; a quantity has no marketplace id of its own), at
 * most 25,000 messages (schema maxItems) and fewer than 10 MiB of UTF-8 (Amazon's best practice). Message ids
 * run 1, 2, 3 … in each feed; the changes keep their order, so drops to zero go out in the first feed.
 */

export const MAX_MESSAGES_PER_FEED = 25_000;
export const MAX_FEED_BYTES = 10 * 1024 * 1024;

export interface ListingsFeedPatch {
  readonly op: 'merge' | 'replace';
  readonly path: string;
  readonly value: readonly AttributeValue[] | readonly Record<string, unknown>[];
}

export interface ListingsFeedMessage {
  readonly messageId: number;
  readonly sku: string;
  readonly operationType: 'PATCH';
  readonly productType: string;
  readonly patches: readonly ListingsFeedPatch[];
}

export interface ListingsFeedDocument {
  readonly header: { readonly sellerId: string; readonly version: '2.0'; readonly issueLocale?: string };
  readonly messages: readonly ListingsFeedMessage[];
}

/** One feed to submit: its document, and which change each message carries (to read the report against). */
export interface ListingsFeedBatch {
  readonly marketplaceId: string;
  readonly document: ListingsFeedDocument;
  /** `sent` for readFeedResult/parseFeedResult: message id and SKU, plus the change behind the message. */
  readonly sent: readonly { readonly messageId: number; readonly sku: string; readonly change: ListingChange }[];
  /** UTF-8 size of JSON.stringify(document). */
  readonly bytes: number;
}

export interface FeedOptions {
  readonly sellerId: string;
  readonly issueLocale?: string;
  /** Quantity patch op; default `merge`. */
  readonly quantityOp?: 'merge' | 'replace';
  /** Lower limits for tests; never above Amazon's. */
  readonly maxMessages?: number;
  readonly maxBytes?: number;
}

const encoder = new TextEncoder();
const utf8Length = (text: string): number => encoder.encode(text).length;

/** Amazon's JSON number for an exact minor-unit amount: 1999 USD -> 19.99, 500 JPY -> 500. */
export function priceNumber(price: Money): number {
  return Number(moneyToDecimal(price));
}

export function feedMessageFromChange(
  change: ListingChange,
  messageId: number,
  quantityOp: 'merge' | 'replace' = 'merge',
): ListingsFeedMessage {
  const patches: ListingsFeedPatch[] = change.changes.map((c): ListingsFeedPatch => {
    if (c.kind === 'quantity')
      return {
        op: quantityOp,
        path: '/attributes/fulfillment_availability',
        value: [{ fulfillment_channel_code: 'DEFAULT', quantity: c.to }],
      };
    if (c.kind === 'price')
      return {
        op: 'replace',
        path: '/attributes/purchasable_offer',
        value: [
          {
            marketplace_id: change.marketplaceId,
            currency: c.to.currency,
            audience: 'ALL',
            our_price: [{ schedule: [{ value_with_tax: priceNumber(c.to) }] }],
          },
        ],
      };
    return { op: 'replace', path: `/attributes/${c.name}`, value: c.to };
  });
  return { messageId, sku: change.sku, operationType: 'PATCH', productType: change.productType, patches };
}

/** The header of every feed of one seller. */
export function feedHeader(options: Pick<FeedOptions, 'sellerId' | 'issueLocale'>): ListingsFeedDocument['header'] {
  return {
    sellerId: options.sellerId,
    version: '2.0' as const,
    ...(options.issueLocale ? { issueLocale: options.issueLocale } : {}),
  };
}

/**
 * The document of a stored feed, rebuilt from what it sent (message id and change per message): the same
 * messages `feedMessagesFromDeltas` built, in the same order.
 */
export function feedDocumentFromSent(
  sent: readonly { readonly messageId: number; readonly change: ListingChange }[],
  options: Pick<FeedOptions, 'sellerId' | 'issueLocale'>,
): ListingsFeedDocument {
  return { header: feedHeader(options), messages: sent.map((s) => feedMessageFromChange(s.change, s.messageId)) };
}

/**
 * Checks a built feed against the feed schema (`validateFeed` of the listings channel) before anything is stored
 * or uploaded.
 * @throws SellbridgeError SB_LIST_FEED_INVALID (internal: our builder broke the schema) — nothing is uploaded.
 */
export function assertValidFeed(
  document: ListingsFeedDocument,
  marketplaceId: string,
  checker: { validateFeed(document: ListingsFeedDocument): readonly string[] },
  feedRowId?: string,
): void {
  const problems = checker.validateFeed(document);
  if (problems.length)
    throw new SellbridgeError(
      'SB_LIST_FEED_INVALID',
      `JSON_LISTINGS_FEED for ${marketplaceId}${feedRowId ? ` (feed row ${feedRowId})` : ''} (${document.messages.length} messages) does not match the feed schema: ${problems.slice(0, 5).join('; ')}`,
      { context: { marketplaceId, messages: document.messages.length } },
    );
}

/**
 * Splits the changes into feeds: per marketplace (in order of first appearance), then by the message and byte
 * limits. A change with nothing to send is skipped.
 * @throws SellbridgeError SB_LIST_MESSAGE_TOO_LARGE when one message alone exceeds the byte limit (cannot happen
 *   for quantity and price; guards huge mapped attributes).
 */
export function feedMessagesFromDeltas(changes: readonly ListingChange[], options: FeedOptions): ListingsFeedBatch[] {
  const maxMessages = Math.min(options.maxMessages ?? MAX_MESSAGES_PER_FEED, MAX_MESSAGES_PER_FEED);
  const maxBytes = Math.min(options.maxBytes ?? MAX_FEED_BYTES, MAX_FEED_BYTES);
  const header = feedHeader(options);
  // `{"header":…,"messages":[` + `]}`; each further message adds its JSON and one comma.
  const overhead = utf8Length(JSON.stringify({ header, messages: [] }));

  const byMarketplace = new Map<string, ListingChange[]>();
  for (const change of changes) {
    if (change.changes.length === 0) continue;
    const list = byMarketplace.get(change.marketplaceId);
    if (list) list.push(change);
    else byMarketplace.set(change.marketplaceId, [change]);
  }

  const batches: ListingsFeedBatch[] = [];
  for (const [marketplaceId, list] of byMarketplace) {
    let messages: ListingsFeedMessage[] = [];
    let sent: { messageId: number; sku: string; change: ListingChange }[] = [];
    let bytes = overhead;
    const flush = (): void => {
      if (messages.length === 0) return;
      batches.push({ marketplaceId, document: { header, messages }, sent, bytes });
      messages = [];
      sent = [];
      bytes = overhead;
    };
    for (const change of list) {
      let message = feedMessageFromChange(change, messages.length + 1, options.quantityOp);
      let size = utf8Length(JSON.stringify(message)) + (messages.length ? 1 : 0);
      if (messages.length >= maxMessages || bytes + size > maxBytes) {
        flush();
        message = feedMessageFromChange(change, 1, options.quantityOp);
        size = utf8Length(JSON.stringify(message));
      }
      if (overhead + size > maxBytes)
        throw new SellbridgeError(
          'SB_LIST_MESSAGE_TOO_LARGE',
          `SKU ${change.sku}: one feed message is ${size} bytes, above the ${maxBytes}-byte feed limit`,
          {
            context: { sku: change.sku, marketplaceId: change.marketplaceId, bytes: size },
          },
        );
      messages.push(message);
      sent.push({ messageId: message.messageId, sku: change.sku, change });
      bytes += size;
    }
    flush();
  }
  return batches;
}
