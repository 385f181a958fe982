import type { FulfillmentChannel, SentListingState } from '../model/listing.ts';
import type { Money } from '../model/money.ts';
import type { ListingChange } from '../transform/listing-delta.ts';
import type { ListingsFeedBatch } from '../transform/feed-messages-from-deltas.ts';
import type { SkuOutcome } from '../transform/results-from-processing-report.ts';

/**
 * The store side of listing sync (issue 7, migrations 0004 and 0008): SKU links, the last-sent baseline, feeds
 * with one row per message, blocks (rejected SKUs, held prices) and read-back flags. Implemented in src/connectors/store/listing-state.ts.
 */
export interface StoredLink {
  readonly sku: string;
  readonly marketplaceId: string;
  readonly itemId: string;
  readonly productType: string;
  readonly fulfillment: FulfillmentChannel;
}

export type FeedRowStatus = 'built' | 'submitted' | 'IN_QUEUE' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED' | 'FATAL';

export interface StoredFeed {
  readonly id: string;
  readonly connectionId: string;
  readonly marketplaceId: string;
  readonly status: FeedRowStatus;
  readonly feedId?: string;
  readonly fastLane: boolean;
  readonly messageCount: number;
  /** The messages as sent, with the change each carries. */
  readonly sent: readonly { readonly messageId: number; readonly sku: string; readonly change: ListingChange }[];
}

export type BlockKind = 'rejected' | 'price-held' | 'attribute-invalid';
export type BlockState = 'new' | 'open' | 'released';

export interface ListingBlock {
  readonly id: string;
  readonly connectionId: string;
  readonly marketplaceId: string;
  readonly sku: string;
  readonly kind: BlockKind;
  /** quantity | price | attribute:<name> */
  readonly field: string;
  /** JSON of the value held (the change's `to`). */
  readonly target: string;
  readonly reason: string;
  readonly state: BlockState;
}

export interface ListingStateStore {
  links(connectionId: string): Promise<readonly StoredLink[]>;
  upsertLinks(connectionId: string, links: readonly StoredLink[]): Promise<void>;
  lastSent(connectionId: string): Promise<readonly SentListingState[]>;
  /** Stores the new baseline of accepted changes (one transaction). */
  saveSent(
    connectionId: string,
    rows: readonly { readonly state: SentListingState; readonly itemId: string; readonly feedId?: string }[],
  ): Promise<void>;
  /** Forgets the last-sent quantity/price of these SKUs, so the next sync sends them again (`reconcile --fix`). */
  forgetSent(
    connectionId: string,
    keys: readonly { readonly marketplaceId: string; readonly sku: string }[],
    field: 'quantity' | 'price',
  ): Promise<void>;
  /** Writes the feed and one pending row per message; returns the feed row id. */
  createFeed(connectionId: string, batch: ListingsFeedBatch, fastLane: boolean): Promise<string>;
  feed(feedRowId: string): Promise<StoredFeed | undefined>;
  markFeed(
    feedRowId: string,
    patch: {
      readonly status: FeedRowStatus;
      readonly feedId?: string;
      readonly feedDocumentId?: string;
      readonly error?: string;
      readonly counts?: { readonly accepted: number; readonly warnings: number; readonly rejected: number };
    },
  ): Promise<void>;
  recordOutcomes(feedRowId: string, outcomes: readonly SkuOutcome[]): Promise<void>;
  /** Feeds of the connection submitted at or after `sinceIso` (the 5-per-5-minutes budget). */
  submittedSince(connectionId: string, sinceIso: string): Promise<number>;
  /** Earliest submission time among those, to know when the budget frees up. */
  oldestSubmittedSince(connectionId: string, sinceIso: string): Promise<string | undefined>;
  /** Row ids of the connection's feeds submitted to Amazon and not final yet (the feed-status safety net). */
  unfinishedFeeds(connectionId: string): Promise<readonly { readonly feedRowId: string; readonly fastLane: boolean }[]>;
  /** listingKey(marketplaceId, sku) of SKUs in feeds not final yet. */
  pendingFeedKeys(connectionId: string): Promise<ReadonlySet<string>>;
  /** Adds a block unless one with the same SKU, field and target exists (not released); returns it and whether it is new. */
  addBlock(
    block: Omit<ListingBlock, 'id' | 'state'>,
  ): Promise<{ readonly block: ListingBlock; readonly created: boolean }>;
  block(id: string): Promise<ListingBlock | undefined>;
  setBlockState(id: string, state: BlockState): Promise<void>;
  /** Blocks in state new/open (changes to hold back). */
  activeBlocks(connectionId: string): Promise<readonly ListingBlock[]>;
  /** Released price holds: approved prices. */
  approvedPrices(
    connectionId: string,
  ): Promise<readonly { readonly sku: string; readonly marketplaceId: string; readonly price: Money }[]>;
  addFlag(flag: {
    readonly connectionId: string;
    readonly marketplaceId: string;
    readonly sku: string;
    readonly kind: string;
    readonly feedId?: string;
    readonly detail: string;
  }): Promise<void>;
  flags(connectionId: string): Promise<
    readonly {
      readonly marketplaceId: string;
      readonly sku: string;
      readonly kind: string;
      readonly feedId?: string;
      readonly detail: string;
    }[]
  >;
}
