import type { SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';

/** Adds `count` stocked items to the sandbox's demo company: ItemID `<prefix>NNNNN`, qty in MAIN bin A-01, one list price. */
export async function addSandboxItems(
  sage: SandboxGateway,
  count: number,
  options: { prefix?: string; qty?: (i: number) => number; priceCents?: (i: number) => number; firstKey?: number } = {},
): Promise<string[]> {
  const prefix = options.prefix ?? 'SB-';
  const first = options.firstKey ?? 20_000;
  const ids: string[] = [];
  const CHUNK = 500;
  for (let start = 0; start < count; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, count - start) }, (_, k) => start + k);
    const item = (i: number) => ({ key: first + i, id: `${prefix}${String(i).padStart(5, '0')}` });
    await sage.db
      .insertInto('timItem')
      .values(
        rows.map((i) => ({
          ItemKey: item(i).key,
          CompanyID: 'SOA',
          ItemID: item(i).id,
          ItemType: 5,
          Status: 1,
          StdPrice: '10.00',
          StockUnitMeasKey: 1,
          SalesUnitMeasKey: 1,
          ShipWeight: '1',
          UpdateDate: '2026-01-01T00:00:00',
        })),
      )
      .execute();
    await sage.db
      .insertInto('timItemDescription')
      .values(rows.map((i) => ({ ItemKey: item(i).key, LanguageID: 1033, ShortDesc: `Item ${i}`, LongDesc: null })))
      .execute();
    await sage.db
      .insertInto('timWhseBinInvt')
      .values(
        rows.map((i) => ({
          WhseBinKey: 301,
          ItemKey: item(i).key,
          QtyOnHand: String(options.qty?.(i) ?? 10),
          PendQtyIncrease: '0',
          PendQtyDecrease: '0',
        })),
      )
      .execute();
    await sage.db
      .insertInto('timInventory')
      .values(
        rows.map((i) => ({
          ItemKey: item(i).key,
          WhseKey: 201,
          QtyOnSO: '0',
          QtyOnPO: '0',
          QtyOnHold: '0',
          MinStockQty: '0',
          MaxStockQty: '0',
        })),
      )
      .execute();
    await sage.db
      .insertInto('timPriceSheet')
      .values(
        rows.map((i) => {
          const p = ((options.priceCents?.(i) ?? 1000) / 100).toFixed(2);
          return {
            WhseKey: 201,
            ItemKey: item(i).key,
            EffectiveDate: '2026-01-01T00:00:00',
            CurrID: 'USD',
            ListPrice: p,
            Sheet1Price: p,
            Sheet2Price: p,
            Sheet3Price: p,
            Sheet4Price: p,
          };
        }),
      )
      .execute();
    ids.push(...rows.map((i) => item(i).id));
  }
  return ids;
}

/** Sets the on-hand quantity of sandbox items in MAIN bin A-01. */
export async function setSandboxQty(sage: SandboxGateway, itemIds: readonly string[], qty: number): Promise<void> {
  for (const id of itemIds) {
    const item = await sage.db
      .selectFrom('timItem')
      .select('ItemKey')
      .where('ItemID', '=', id)
      .executeTakeFirstOrThrow();
    await sage.db
      .updateTable('timWhseBinInvt')
      .set({ QtyOnHand: String(qty) })
      .where('WhseBinKey', '=', 301)
      .where('ItemKey', '=', item.ItemKey)
      .execute();
  }
}

/** Sets the list price of sandbox items (the current 2026-01-01 row, MAIN). */
export async function setSandboxPrice(sage: SandboxGateway, itemId: string, cents: number): Promise<void> {
  const item = await sage.db
    .selectFrom('timItem')
    .select('ItemKey')
    .where('ItemID', '=', itemId)
    .executeTakeFirstOrThrow();
  await sage.db
    .updateTable('timPriceSheet')
    .set({ ListPrice: (cents / 100).toFixed(2) })
    .where('ItemKey', '=', item.ItemKey)
    .where('WhseKey', '=', 201)
    .execute();
}
