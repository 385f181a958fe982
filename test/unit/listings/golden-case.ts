import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FieldIssue } from '../../../src/core/errors.ts';
import type { ItemPrice, StockLevel } from '../../../src/core/model/inventory.ts';
import {
  DEFAULT_LISTING_SYNC_RULES,
  type ItemFields,
  type ListingLink,
  type ListingSyncRules,
  type SentListingState,
} from '../../../src/core/model/listing.ts';
import type { CustomFieldMap } from '../../../src/core/rules/custom-field-map.ts';
import { attributeResultFromCustomFields } from '../../../src/core/transform/custom-field-attributes.ts';
import {
  feedMessagesFromDeltas,
  type FeedOptions,
  type ListingsFeedBatch,
} from '../../../src/core/transform/feed-messages-from-deltas.ts';
import { listingDeltaFromSage, type ListingDelta } from '../../../src/core/transform/listing-delta.ts';

export const GOLDEN_DIR = fileURLToPath(new URL('../../fixtures/golden-listings/', import.meta.url));
export const SELLER_ID = 'A1SELLER';

export interface GoldenInput {
  readonly why: string;
  readonly links: readonly (ListingLink & { readonly attributesFrom?: string })[];
  readonly items?: readonly ItemFields[];
  readonly map?: CustomFieldMap;
  readonly stock: readonly StockLevel[];
  readonly prices: readonly ItemPrice[];
  readonly lastSent: readonly SentListingState[];
  readonly rules: Partial<Omit<ListingSyncRules, 'price'>> & { readonly price?: Partial<ListingSyncRules['price']> };
  readonly feedOptions?: Omit<FeedOptions, 'sellerId'>;
}

export function goldenCases(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function readCase(name: string): { input: GoldenInput; expected: unknown } {
  const read = (file: string): unknown => JSON.parse(readFileSync(`${GOLDEN_DIR}${name}/${file}`, 'utf8'));
  return { input: read('input.json') as GoldenInput, expected: read('expected.json') };
}

export function rulesOf(input: GoldenInput): ListingSyncRules {
  return {
    ...DEFAULT_LISTING_SYNC_RULES,
    ...input.rules,
    price: { ...DEFAULT_LISTING_SYNC_RULES.price, ...input.rules.price },
  };
}

/** Runs the pure pipeline: item fields -> attributes, Sage -> delta, delta -> feeds. */
export function runCase(input: GoldenInput): {
  delta: ListingDelta;
  batches: ListingsFeedBatch[];
  attributeIssues: Record<string, readonly FieldIssue[]>;
} {
  const attributeIssues: Record<string, readonly FieldIssue[]> = {};
  const links = input.links.map(({ attributesFrom, ...link }): ListingLink => {
    if (!attributesFrom) return link;
    const item = input.items?.find((i) => i.itemId === attributesFrom);
    if (!item) throw new Error(`golden case: no item ${attributesFrom}`);
    const result = attributeResultFromCustomFields(item, input.map ?? [], {
      marketplaceId: link.marketplaceId,
      languageTag: 'en_US',
    });
    if (result.issues.length) {
      attributeIssues[item.itemId] = result.issues;
      return link;
    }
    return { ...link, attributes: result.attributes };
  });
  const delta = listingDeltaFromSage({
    links,
    stock: input.stock,
    prices: input.prices,
    lastSent: input.lastSent,
    rules: rulesOf(input),
  });
  const batches = feedMessagesFromDeltas(delta.changes, { sellerId: SELLER_ID, ...input.feedOptions });
  return { delta, batches, attributeIssues };
}

/** The compact form the expected.json files are written in. */
export function summarize(run: ReturnType<typeof runCase>): Record<string, unknown> {
  const changes = run.delta.changes.map((c) => {
    const out: Record<string, unknown> = { sku: c.sku, marketplaceId: c.marketplaceId, toZero: c.toZero };
    for (const f of c.changes) {
      if (f.kind === 'quantity') out['quantity'] = [f.from ?? null, f.to];
      else if (f.kind === 'price') out['price'] = [f.from?.minor ?? null, f.to.minor, f.to.currency];
      else out['attributes'] = [...((out['attributes'] as string[] | undefined) ?? []), f.name];
    }
    return out;
  });
  return {
    changes,
    held: run.delta.held.map((h) => ({ sku: h.sku, marketplaceId: h.marketplaceId, reason: h.reason })),
    ...(Object.keys(run.attributeIssues).length ? { attributeIssues: run.attributeIssues } : {}),
    feeds: run.batches.map((b) => ({ marketplaceId: b.marketplaceId, messages: b.document.messages })),
  };
}
