import type { JournalBatch } from '../model/journal.ts';
import type { StockLevel } from '../model/inventory.ts';

/** 32-bit FNV-1a of a text (UTF-16 code units), continuing from `seed`; fast, not cryptographic. */
export function fnv1a32(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A short fingerprint of what would be posted (references, dates, accounts, amounts, comments): FNV-1a plus a
 * second mixed hash and the length, so two different posting plans practically never share one. Stored with the
 * settlement: keep it stable.
 */
export function journalFingerprint(journals: readonly JournalBatch[]): string {
  const text = JSON.stringify(
    journals.map((j) => [
      j.reference,
      j.postDate,
      j.currency,
      j.lines.map((l) => [l.account, l.amount.minor, l.comment]),
    ]),
  );
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 0x5bd1e995) >>> 0;
    h2 ^= h2 >>> 15;
  }
  return `${fnv1a32(text).toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}:${text.length}`;
}

/** Digest of Sage available stock, order-independent (stored as a watermark: keep it stable). */
export function stockDigest(stock: readonly StockLevel[]): string {
  const rows = stock.map((s) => `${s.itemId}\u0000${s.warehouseId}\u0000${s.available}`).sort();
  return `${rows.length}:${fnv1a32(rows.join('')).toString(16)}`;
}
