import type { Kysely } from 'kysely';
import { normalizeSku } from '../../../core/transform/sku-resolution.ts';
import type { StoreDialect } from './types.ts';

type AliasTable = { sku_aliases: { connection_id: string; seller_sku: string; sku_key: string | null } };

/**
 * Issue 15: order.sync reads only the aliases of the order's SellerSKUs, not the connection's whole list. An alias
 * also matches a SKU case- and whitespace-insensitively (sku-resolution.ts `normalizeSku`, NFKC included, which SQL
 * cannot compute alike on SQLite and PostgreSQL), so each row keeps its SellerSKU so normalized in `sku_key`,
 * written with the row and indexed with the connection: the aliases of a few SKUs are one indexed read. Rows made
 * before this migration get their key here.
 */
export async function up(db: Kysely<unknown>, _dialect: StoreDialect): Promise<void> {
  await db.schema.alterTable('sku_aliases').addColumn('sku_key', 'text').execute();
  const t = db as unknown as Kysely<AliasTable>;
  const rows = await t.selectFrom('sku_aliases').select(['connection_id', 'seller_sku']).execute();
  for (const r of rows)
    await t
      .updateTable('sku_aliases')
      .set({ sku_key: normalizeSku(r.seller_sku) })
      .where('connection_id', '=', r.connection_id)
      .where('seller_sku', '=', r.seller_sku)
      .execute();
  await db.schema.createIndex('sku_aliases_key').on('sku_aliases').columns(['connection_id', 'sku_key']).execute();
}
