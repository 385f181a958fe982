import type {
  ItemPrice,
  ItemRef,
  OrderContext,
  OrderContextQuery,
  PriceQuery,
  StockLevel,
  WarehouseRef,
  CustomerRef,
  ShipMethodRef,
} from '../../../core/model/inventory.ts';
import type { ItemListFilter, Sage500Gateway, StockChanges } from '../../../core/ports/sage500-gateway.ts';
import { selectChangedStockItems, STOCK_TRACKED_TABLES } from '../sql/change-tracking.ts';
import { trackingStart } from './change-tracking.ts';
import type { CatalogueItem } from '../../../core/transform/sku-resolution.ts';
import { decimalText, isoFromSage, moneyFromSageDecimal, sageDateTime } from '../decimal.ts';
import { PRICE_COLUMNS, selectPrices } from '../sql/get-prices.ts';
import { selectStock } from '../sql/get-stock.ts';
import { selectItemList } from '../sql/list-items.ts';
import { selectCustomer, selectShipMethod } from '../sql/order-context.ts';
import { selectItemAliases } from '../sql/resolve-item-aliases.ts';
import { selectItems } from '../sql/resolve-items.ts';
import { selectItemFields } from '../sql/item-fields.ts';
import type { ItemFields } from '../../../core/model/listing.ts';
import { selectWarehouses } from '../sql/resolve-warehouses.ts';
import { selectCustomers, selectShipMethods } from '../sql/resolve-customers.ts';
import { inChunks } from './backend.ts';
import type { GatewayContext } from './context.ts';

/** listItems: default and largest number of items returned (the catalogue unknown-SKU suggestions compare with). */
const DEFAULT_ITEM_LIST = 1000;
const MAX_ITEM_LIST = 10_000;
/** tarCustomer.Status codes (facts §3, [L]). */
const CUSTOMER_STATUS: Readonly<Record<number, CustomerRef['status']>> = {
  1: 'active',
  2: 'inactive',
  3: 'temporary',
  4: 'deleted',
};

/** Items, warehouses, stock, prices and the order context: read-only methods over the item catalogue. */
export function catalogueMethods(
  ctx: GatewayContext,
): Pick<
  Sage500Gateway,
  | 'resolveItems'
  | 'listItems'
  | 'resolveWarehouses'
  | 'resolveCustomers'
  | 'resolveShipMethods'
  | 'getStock'
  | 'stockChangesSince'
  | 'getPrices'
  | 'loadOrderContext'
  | 'readItemFields'
> {
  const { backend, co } = ctx;

  async function readItemFields(itemIds: readonly string[]): Promise<readonly ItemFields[]> {
    const wanted = [...new Set(itemIds)];
    if (wanted.length === 0) return [];
    const facts = await ctx.facts();
    const rows = await inChunks(wanted, (c) => selectItemFields(backend.db, co, c, facts.items).execute());
    const textOf = (v: string | null | undefined) => (v === null || v === undefined ? undefined : v.trim());
    return rows.map((r) => {
      const userFields = [r.UserFld1, r.UserFld2, r.UserFld3, r.UserFld4].map(textOf);
      return {
        itemId: r.ItemID,
        ...(textOf(r.ShortDesc) ? { shortDesc: textOf(r.ShortDesc)! } : {}),
        ...(textOf(r.LongDesc) ? { longDesc: textOf(r.LongDesc)! } : {}),
        ...(textOf(r.UPC) ? { upc: textOf(r.UPC)! } : {}),
        ...(r.ShipWeight === null || r.ShipWeight === undefined
          ? {}
          : { weight: Number(decimalText(r.ShipWeight as string | number)) }),
        ...(userFields.some((v) => v) ? { userFields } : {}),
      };
    });
  }

  async function resolveItems(queries: readonly string[]) {
    const wanted = [...new Set(queries)];
    if (wanted.length === 0) return { items: [], unknown: [] };
    const facts = await ctx.facts();
    const found = new Map<string, ItemRef>();
    const toRef = (
      query: string,
      matchedBy: ItemRef['matchedBy'],
      r: {
        ItemID: string;
        ShortDesc: string | null;
        UnitMeasID: string | null;
        ShipWeight: unknown;
        UPC: string | null;
      },
    ): ItemRef => ({
      query,
      itemId: r.ItemID,
      matchedBy,
      description: r.ShortDesc ?? '',
      stockUnit: r.UnitMeasID ?? '',
      ...(r.ShipWeight === null || r.ShipWeight === undefined ? {} : { weight: Number(decimalText(r.ShipWeight)) }),
      ...(r.UPC ? { upc: r.UPC } : {}),
    });
    const byItemId = (ids: readonly string[]) =>
      inChunks(ids, (c) => selectItems(backend.db, co, 'item-id', c, facts.items).execute());
    for (const r of await byItemId(wanted)) found.set(r.ItemID, toRef(r.ItemID, 'item-id', r));
    let rest = wanted.filter((q) => !found.has(q));
    // Aliases only where the catalog has an alias table (review §3 item 5): without one, the SKU stays unknown.
    if (rest.length > 0 && facts.itemAliasTable) {
      const aliases = await inChunks(rest, (c) => selectItemAliases(backend.db, co, c).execute());
      if (aliases.length > 0) {
        const items = await byItemId([...new Set(aliases.map((a) => a.ItemID))]);
        for (const a of aliases) {
          const item = items.find((i) => i.ItemID === a.ItemID);
          if (item) found.set(a.ItemAliasID, toRef(a.ItemAliasID, 'alias', item));
        }
      }
      rest = rest.filter((q) => !found.has(q));
    }
    if (rest.length > 0) {
      for (const r of await inChunks(rest, (c) => selectItems(backend.db, co, 'upc', c, facts.items).execute()))
        if (r.UPC && !found.has(r.UPC)) found.set(r.UPC, toRef(r.UPC, 'upc', r));
    }
    return { items: wanted.flatMap((q) => found.get(q) ?? []), unknown: wanted.filter((q) => !found.has(q)) };
  }

  async function listItems(filter: ItemListFilter = {}): Promise<CatalogueItem[]> {
    const limit = Math.min(MAX_ITEM_LIST, Math.max(1, Math.floor(filter.limit ?? DEFAULT_ITEM_LIST)));
    const facts = await ctx.facts();
    const out: CatalogueItem[] = [];
    const text = filter.text?.trim() ?? '';
    const needle = text.toLowerCase();
    // The query's LIKE treats %, _ and [ as any character: keep what contains the text literally.
    const contains = (v: string | null) => v !== null && v.toLowerCase().includes(needle);
    let last: string | undefined;
    for (const r of await selectItemList(backend.db, co, text, facts.items).execute()) {
      if (r.ItemID === last) continue; // one row per item, even if a description or UPC row is doubled
      if (needle !== '' && !contains(r.ItemID) && !contains(r.ShortDesc) && !contains(r.UPC)) continue;
      last = r.ItemID;
      out.push({
        itemId: r.ItemID,
        ...(r.ShortDesc ? { description: r.ShortDesc } : {}),
        ...(r.UPC ? { upc: r.UPC } : {}),
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  async function resolveWarehouses(ids: readonly string[]): Promise<WarehouseRef[]> {
    if (ids.length === 0) return [];
    const rows = await selectWarehouses(backend.db, co, ids).execute();
    return rows.map((r) => ({ warehouseId: r.WhseID, description: r.Description }));
  }

  async function resolveCustomers(ids: readonly string[]): Promise<CustomerRef[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const rows = await inChunks(wanted, (c) => selectCustomers(backend.db, co, c).execute());
    return rows.map((r) => {
      const currency = r.CurrID?.trim().toUpperCase();
      return {
        customerId: r.CustID,
        name: r.CustName,
        status: CUSTOMER_STATUS[Number(r.Status)] ?? 'unknown',
        onHold: Number(r.Hold) !== 0,
        ...(currency ? { currency } : {}),
      };
    });
  }

  async function resolveShipMethods(ids: readonly string[]): Promise<ShipMethodRef[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0) return [];
    const rows = await inChunks(wanted, (c) => selectShipMethods(backend.db, co, c).execute());
    return rows.map((r) => ({ shipMethodId: r.ShipMethID, description: r.ShipMethDesc }));
  }

  async function getStock(itemIds: readonly string[], warehouseIds: readonly string[]): Promise<StockLevel[]> {
    if (itemIds.length === 0 || warehouseIds.length === 0) return [];
    const rows = await inChunks([...new Set(itemIds)], (c) => selectStock(backend.db, co, c, warehouseIds).execute());
    // Amazon takes whole units: a fraction on hand cannot be sold, so round down.
    const units = (v: unknown) => Math.floor(Number(decimalText(v)));
    return rows.map((r) => ({
      itemId: r.ItemID,
      warehouseId: r.WhseID,
      onHand: units(r.QtyOnHand),
      available: units(r.QtyAvailable),
    }));
  }

  async function getPrices(q: PriceQuery): Promise<ItemPrice[]> {
    if (q.itemIds.length === 0) return [];
    const asOf = sageDateTime(q.asOf ?? ctx.options.clock.now().toISOString());
    const rows = await inChunks([...new Set(q.itemIds)], (c) =>
      selectPrices(backend.db, co, {
        itemIds: c,
        warehouseId: q.warehouseId,
        currency: q.currency,
        asOf,
        column: PRICE_COLUMNS[q.priceSheet],
      }).execute(),
    );
    return rows.map((r) => ({
      itemId: r.ItemID,
      warehouseId: r.WhseID,
      priceSheet: q.priceSheet,
      price: moneyFromSageDecimal(r.Price, q.currency),
      effectiveDate: isoFromSage(r.EffectiveDate),
    }));
  }

  async function loadOrderContext(q: OrderContextQuery): Promise<OrderContext> {
    const { items, unknown } = await resolveItems(q.skus);
    const stock = await getStock([...new Set(items.map((i) => i.itemId))], q.warehouseIds);
    const customer = await selectCustomer(backend.db, co, q.customerId).executeTakeFirst();
    const shipMethod = q.shipMethodId
      ? await selectShipMethod(backend.db, co, q.shipMethodId).executeTakeFirst()
      : undefined;
    return {
      items,
      unknownItems: unknown,
      stock,
      ...(customer
        ? {
            customer: {
              customerId: customer.CustID,
              name: customer.CustName,
              onHold: customer.Hold !== 0,
              customFields: [customer.UserFld1, customer.UserFld2, customer.UserFld3, customer.UserFld4].map(
                (f) => f ?? '',
              ),
            },
          }
        : {}),
      ...(shipMethod
        ? { shipMethod: { shipMethodId: shipMethod.ShipMethID, description: shipMethod.ShipMethDesc } }
        : {}),
    };
  }

  async function stockChangesSince(since: string | undefined): Promise<StockChanges> {
    const start = await trackingStart(ctx, STOCK_TRACKED_TABLES, since);
    if (start.tracking !== 'since') return start;
    const rows = await selectChangedStockItems(backend.db, co, start.from, backend.changeTracking.source).execute();
    return { tracking: 'changes', version: start.version, itemIds: rows.map((r) => r.ItemID) };
  }

  return {
    resolveItems,
    listItems,
    resolveWarehouses,
    resolveCustomers,
    resolveShipMethods,
    getStock,
    stockChangesSince,
    getPrices,
    loadOrderContext,
    readItemFields,
  };
}
