import type { Kysely } from 'kysely';
import type { Clock } from '../../core/ports/clock.ts';
import type { SkuAliasSource } from '../../core/ports/sku-alias-source.ts';
import { normalizeSku } from '../../core/transform/sku-resolution.ts';
import { containsLiteral } from '../../runtime/store/like.ts';
import type { Store } from '../../runtime/store/store.ts';
import type { Database } from '../../runtime/store/tables.ts';

/**
 * Row type of `sku_aliases` (migration 0005): operator-set Amazon SKU -> Sage item. `sku_key` (0031) is the SellerSKU
 * as the alias lookup compares it (`skuKeyOf`), written with the row, so an order's aliases are read by its SKUs.
 */
export type SkuAliasTables = {
  sku_aliases: {
    connection_id: string;
    seller_sku: string;
    item_id: string;
    updated_at: string;
    sku_key: string | null;
  };
};
export type SkuAliasRow = Omit<SkuAliasTables['sku_aliases'], 'sku_key'>;

/**
 * The key an alias row is found by: its SellerSKU normalized as `itemIdFromSku` compares aliases (an exact key is
 * also equal normalized), so the rows whose key is one of an order's SKUs' keys are every alias its lines can match.
 */
export const skuKeyOf = normalizeSku;

const tables = (store: Store): Kysely<Database & SkuAliasTables> => store.db.withTables<SkuAliasTables>();

export function storeSkuAliases(store: Store, clock: Clock): SkuAliasSource {
  const db = tables(store);
  return {
    async aliasesFor(connectionId) {
      const rows = await db
        .selectFrom('sku_aliases')
        .select(['seller_sku', 'item_id'])
        .where('connection_id', '=', connectionId)
        .orderBy('seller_sku')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.seller_sku, r.item_id]));
    },
    async setAlias(connectionId, sellerSku, itemId) {
      await db
        .insertInto('sku_aliases')
        .values({
          connection_id: connectionId,
          seller_sku: sellerSku,
          item_id: itemId,
          updated_at: clock.now().toISOString(),
          sku_key: skuKeyOf(sellerSku),
        })
        .onConflict((oc) =>
          oc
            .columns(['connection_id', 'seller_sku'])
            .doUpdateSet({ item_id: itemId, updated_at: clock.now().toISOString() }),
        )
        .execute();
    },
  };
}

/** Aliases of every connection (or one), ordered, filtered by part of a SellerSKU or ItemID (the admin API's list). */
export async function listSkuAliases(
  store: Store,
  query: { readonly connectionId?: string; readonly q?: string; readonly limit: number },
): Promise<SkuAliasRow[]> {
  let q = tables(store)
    .selectFrom('sku_aliases')
    .select(['connection_id', 'seller_sku', 'item_id', 'updated_at'])
    .orderBy('connection_id')
    .orderBy('seller_sku')
    .limit(query.limit);
  if (query.connectionId) q = q.where('connection_id', '=', query.connectionId);
  const text = query.q;
  if (text) q = q.where((eb) => eb.or([containsLiteral('seller_sku', text), containsLiteral('item_id', text)]));
  return q.execute();
}

/** Removes one alias; false when there was none. */
export async function deleteSkuAlias(store: Store, connectionId: string, sellerSku: string): Promise<boolean> {
  const r = await tables(store)
    .deleteFrom('sku_aliases')
    .where('connection_id', '=', connectionId)
    .where('seller_sku', '=', sellerSku)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
