import type { Money } from '../model/money.ts';
import type { ListingAttributes } from '../model/listing.ts';
import type { ListingIssueCause } from './listing-problems.ts';
import type { ListingsFeedDocument, ListingsFeedPatch } from '../transform/feed-messages-from-deltas.ts';
import type { ProcessingReportView } from '../transform/results-from-processing-report.ts';

/**
 * Amazon's listings as the inventory and price flows see them: JSON_LISTINGS_FEED submission and its
 * processing report, single-SKU PATCH (fast lane, VALIDATION_PREVIEW), read-back through getListingsItem and FBA
 * quantities through getInventorySummaries. The Amazon connector implements it over SP-API; errors are the
 * AmazonMarketplace port's (throttled waits, transient retries, validation dead-letters).
 */
export interface ListingsChannel {
  /** Problems of a feed document against the official JSON_LISTINGS_FEED schema; empty when valid. Never throws. */
  validateFeed(document: ListingsFeedDocument): readonly string[];
  /** createFeedDocument, upload, createFeed. */
  submitFeed(
    marketplaceId: string,
    document: ListingsFeedDocument,
  ): Promise<{ readonly feedId: string; readonly feedDocumentId: string }>;
  /** getFeed; once DONE, the processing report read per message against `sent`. */
  readFeed(
    feedId: string,
    sent: readonly { readonly messageId: number; readonly sku: string }[],
  ): Promise<{ readonly status: FeedStatus; readonly report?: ProcessingReportView }>;
  /** patchListingsItem for one SKU; `preview` runs Amazon's VALIDATION_PREVIEW (nothing saved). */
  patchListing(request: {
    readonly marketplaceId: string;
    readonly sku: string;
    readonly productType: string;
    readonly patches: readonly ListingsFeedPatch[];
    readonly preview?: boolean;
  }): Promise<PatchResult>;
  /** getListingsItem: what Amazon shows now (undefined when the SKU has no listing). */
  readListing(marketplaceId: string, sku: string): Promise<ListingReadBack | undefined>;
  /**
   * Problems of listing attributes against the product type's schema (Product Type Definitions API; each product
   * type's schema read once per process), as `attribute: problem`; empty when they fit. Optional: a channel without
   * it sends attributes unchecked.
   */
  checkAttributes?(request: {
    readonly marketplaceId: string;
    readonly productType: string;
    readonly attributes: ListingAttributes;
  }): Promise<readonly { readonly attribute: string; readonly problem: string }[]>;
  /** getInventorySummaries: fulfillable FBA units per SKU in one marketplace (every page). */
  fbaQuantities(marketplaceId: string, skus?: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

export type FeedStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';

export interface PatchResult {
  readonly status: 'ACCEPTED' | 'INVALID' | 'VALID';
  /** Amazon's issues as `CODE: message (attribute)`, errors and warnings. */
  readonly issues: readonly string[];
  readonly hasErrors: boolean;
}

export interface ListingReadBack {
  readonly sku: string;
  /** fulfillment_availability quantity on channel DEFAULT; undefined when not set. */
  readonly quantity?: number;
  /** purchasable_offer our_price for the marketplace, in minor units. */
  readonly price?: Money;
  readonly attributes: ListingAttributes;
  /** Amazon's issues on the listing (getListingsItem `issues`): the causes of a suppression or missing attribute. */
  readonly issues?: readonly ListingIssueCause[];
  /** The listing's status in the marketplace (BUYABLE, DISCOVERABLE), from its summary. */
  readonly statuses?: readonly string[];
}
