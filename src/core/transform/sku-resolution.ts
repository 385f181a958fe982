import type { ItemRef } from '../model/inventory.ts';
import type { SkuAliases } from '../rules/sku-aliases.ts';

/** A Sage item that suggestions may point at. */
export interface CatalogueItem {
  readonly itemId: string;
  readonly description?: string;
  readonly upc?: string;
}

export type SkuMatch = 'alias' | 'exact' | 'normalized' | 'sage';

export type SkuResolution =
  | { readonly kind: 'resolved'; readonly sku: string; readonly itemId: string; readonly matchedBy: SkuMatch }
  | { readonly kind: 'unknown'; readonly sku: string; readonly suggestions: readonly Suggestion[] };

export interface Suggestion {
  readonly itemId: string;
  /** 0..1, higher is closer; rounded to 3 decimals so results compare exactly. */
  readonly score: number;
  readonly by: 'item-id' | 'description' | 'upc';
}

export interface SkuLookup {
  readonly aliases: SkuAliases;
  /** Items the Sage gateway resolved (by ItemID, Sage alias or UPC), keyed by what was asked. */
  readonly sageItems?: readonly ItemRef[];
  /** Sage items for exact matching and for suggestions. */
  readonly catalogue: readonly CatalogueItem[];
}

/** Upper case, trimmed, inner whitespace collapsed: `" abc  1 "` -> `"ABC 1"`. */
export function normalizeSku(sku: string): string {
  return sku.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
}

/**
 * SellerSKU -> Sage ItemID (issue 5, step 2). Order of precedence: the connection's alias table (exact key),
 * an exact Sage ItemID, what the Sage gateway resolved (Sage alias or UPC), then the alias table and ItemIDs
 * compared case- and whitespace-insensitively. An unknown SKU comes back with up to three suggestions.
 * Pure and deterministic: same inputs, same answer, in the same order.
 */
export function itemIdFromSku(sku: string, lookup: SkuLookup, title?: string): SkuResolution {
  const alias = lookup.aliases[sku];
  if (alias !== undefined) return { kind: 'resolved', sku, itemId: alias, matchedBy: 'alias' };
  const exact = lookup.catalogue.find((c) => c.itemId === sku);
  if (exact) return { kind: 'resolved', sku, itemId: exact.itemId, matchedBy: 'exact' };
  const sage = lookup.sageItems?.find((i) => i.query === sku);
  if (sage)
    return { kind: 'resolved', sku, itemId: sage.itemId, matchedBy: sage.matchedBy === 'item-id' ? 'exact' : 'sage' };
  const key = normalizeSku(sku);
  const aliasKeys = Object.keys(lookup.aliases)
    .filter((k) => normalizeSku(k) === key)
    .sort();
  if (aliasKeys.length > 0)
    return { kind: 'resolved', sku, itemId: lookup.aliases[aliasKeys[0]!]!, matchedBy: 'normalized' };
  const norm = lookup.catalogue
    .filter((c) => normalizeSku(c.itemId) === key)
    .map((c) => c.itemId)
    .sort();
  if (norm.length > 0) return { kind: 'resolved', sku, itemId: norm[0]!, matchedBy: 'normalized' };
  return { kind: 'unknown', sku, suggestions: suggestItems(sku, lookup.catalogue, title) };
}

const MIN_SCORE = 0.3;

/**
 * Up to `limit` Sage items most similar to an unknown SKU: ItemID by edit distance and trigrams, description
 * against the Amazon title (or the SKU's words), UPC by its digits. Ties go to the smaller ItemID.
 */
export function suggestItems(
  sku: string,
  catalogue: readonly CatalogueItem[],
  title?: string,
  limit = 3,
): Suggestion[] {
  const skuKey = compact(sku);
  const digits = sku.replace(/\D/g, '').replace(/^0+/, '');
  const words = title && title.trim() !== '' ? title : sku;
  const scored: Suggestion[] = [];
  for (const item of catalogue) {
    const candidates: Suggestion[] = [];
    const idScore = Math.max(
      editSimilarity(skuKey, compact(item.itemId)),
      trigramSimilarity(skuKey, compact(item.itemId)),
    );
    candidates.push({ itemId: item.itemId, score: idScore, by: 'item-id' });
    if (item.description)
      candidates.push({
        itemId: item.itemId,
        score: 0.9 * trigramSimilarity(compact(words), compact(item.description)),
        by: 'description',
      });
    if (item.upc && digits.length >= 6) {
      const upc = item.upc.replace(/\D/g, '').replace(/^0+/, '');
      candidates.push({
        itemId: item.itemId,
        score: upc === digits ? 1 : 0.9 * editSimilarity(digits, upc),
        by: 'upc',
      });
    }
    const best = candidates.reduce((a, b) => (b.score > a.score ? b : a));
    const score = Math.round(best.score * 1000) / 1000;
    if (score >= MIN_SCORE) scored.push({ ...best, score });
  }
  scored.sort((a, b) => b.score - a.score || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  return scored.slice(0, limit);
}

/** Upper case letters and digits only: separators do not count against a match. */
function compact(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '');
}

/** 1 - Levenshtein distance / longer length; 1 for two empty strings. */
export function editSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return 1 - prev[b.length]! / longer;
}

/** Dice coefficient of the two strings' trigram sets (padded, so short strings still compare). */
export function trigramSimilarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  if (ta.size === 0 || tb.size === 0) return a === b ? 1 : 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return (2 * common) / (ta.size + tb.size);
}

function trigrams(text: string): Set<string> {
  const set = new Set<string>();
  if (text === '') return set;
  const padded = `  ${text} `;
  for (let i = 0; i + 3 <= padded.length; i++) set.add(padded.slice(i, i + 3));
  return set;
}
