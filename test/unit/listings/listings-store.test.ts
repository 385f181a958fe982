import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, type StoreKind } from '../../helpers/queue-env.ts';

// Migration 0004-listings on both store engines: last-sent state per connection/marketplace/SKU, feeds and
// their per-message results.
describe.each<StoreKind>(['sqlite', 'postgres'])('listings tables on %s', (kind) => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore(kind, 'listings-store:0004');
  });
  afterAll(async () => {
    await store?.close();
  });

  it('keeps one last-sent row per connection, marketplace and SKU, quantity never negative, price in minor units', async () => {
    const db = store.db;
    await sql`INSERT INTO listing_sent (connection_id, marketplace_id, sku, item_id, quantity, price_minor, currency, attributes, feed_id, sent_at)
              VALUES ('c1', 'ATVPDKIKX0DER', 'SKU-1', 'ITEM-1', 7, ${9_007_199_254}, 'USD', ${JSON.stringify({ brand: [{ value: 'Acme' }] })}, 'F1', '2026-11-27T20:00:00.000Z')`.execute(
      db,
    );
    await sql`INSERT INTO listing_sent (connection_id, marketplace_id, sku, item_id, quantity, sent_at) VALUES ('c1', 'A2EUQ1WTGCTBG2', 'SKU-1', 'ITEM-1', NULL, '2026-11-27T20:00:00.000Z')`.execute(
      db,
    );
    const rows = await sql<{
      quantity: number | null;
      price_minor: number | string | null;
    }>`SELECT quantity, price_minor FROM listing_sent WHERE connection_id = 'c1' ORDER BY marketplace_id`.execute(db);
    expect(rows.rows.map((r) => [r.quantity, r.price_minor === null ? null : Number(r.price_minor)])).toEqual([
      [null, null],
      [7, 9_007_199_254],
    ]);
    await expect(
      sql`INSERT INTO listing_sent (connection_id, marketplace_id, sku, item_id, quantity, sent_at) VALUES ('c1', 'ATVPDKIKX0DER', 'SKU-1', 'ITEM-1', 1, 'x')`.execute(
        db,
      ),
    ).rejects.toThrow();
    await expect(
      sql`INSERT INTO listing_sent (connection_id, marketplace_id, sku, item_id, quantity, sent_at) VALUES ('c1', 'ATVPDKIKX0DER', 'SKU-2', 'ITEM-1', -1, 'x')`.execute(
        db,
      ),
    ).rejects.toThrow();
  });

  it('records a feed and one result per message, found again by SKU', async () => {
    const db = store.db;
    await sql`INSERT INTO listing_feed (id, connection_id, marketplace_id, status, message_count, bytes, created_at) VALUES ('lf1', 'c1', 'ATVPDKIKX0DER', 'built', 2, 512, '2026-11-27T20:00:00.000Z')`.execute(
      db,
    );
    await sql`INSERT INTO listing_feed_message (feed_row_id, message_id, sku, change, outcome) VALUES ('lf1', 1, 'SKU-1', '{}', 'pending'), ('lf1', 2, 'SKU-2', '{}', 'pending')`.execute(
      db,
    );
    await sql`UPDATE listing_feed_message SET outcome = 'rejected', next = 'dead-letter', issues = ${JSON.stringify(['90220: x is required'])} WHERE feed_row_id = 'lf1' AND message_id = 2`.execute(
      db,
    );
    await sql`UPDATE listing_feed SET feed_id = '5001', status = 'DONE', accepted = 1, rejected = 1 WHERE id = 'lf1'`.execute(
      db,
    );
    const bySku = await sql<{
      outcome: string;
      next: string | null;
      feed_id: string;
    }>`SELECT m.outcome, m.next, f.feed_id FROM listing_feed_message m JOIN listing_feed f ON f.id = m.feed_row_id WHERE m.sku = 'SKU-2'`.execute(
      db,
    );
    expect(bySku.rows).toEqual([{ outcome: 'rejected', next: 'dead-letter', feed_id: '5001' }]);
    await expect(
      sql`INSERT INTO listing_feed_message (feed_row_id, message_id, sku, change, outcome) VALUES ('lf1', 1, 'SKU-9', '{}', 'pending')`.execute(
        db,
      ),
    ).rejects.toThrow();
  });
});
