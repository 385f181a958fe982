import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KyselyPlugin } from 'kysely';
import {
  effectiveRulesOf,
  effectiveRulesWithAliasesOf,
  readOrderMapping,
  replaceSkuAliases,
  storeConnectionMappings,
} from '../../../src/connectors/store/connection-mappings.ts';
import { storeMappingRules } from '../../../src/connectors/store/mapping-rules.ts';
import { storeSkuAliases } from '../../../src/connectors/store/sku-aliases.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import { openStore, type Store } from '../../../src/runtime/store/store.ts';
import { dropSchemas, freshStore, PG_URL, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

/** Statements `work` runs on `store` (a counting plugin on its Kysely instance). */
async function counted<T>(store: Store, work: (s: Store) => Promise<T>): Promise<{ value: T; statements: number }> {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      n++;
      return args.result;
    },
  };
  const value = await work({ ...store, db: store.db.withPlugin(plugin) });
  return { value, statements: n };
}

/** Mapping edits per connection (migration 0028-connection-mappings), on SQLite and PostgreSQL when available. */
const pg = await pgAvailable();
const KINDS: StoreKind[] = pg ? ['sqlite', 'postgres'] : ['sqlite'];
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});
const US = 'ATVPDKIKX0DER';

describe.each(KINDS)('connection_mappings on %s', (kind) => {
  it('keeps each kind per connection with a growing version; an empty list removes it; rulesFor lays it over', async () => {
    const store = await freshStore(kind, 'connection-mappings');
    stores.push(store);
    const edits = storeConnectionMappings(store, systemClock);
    expect(await edits.get('a', 'customers')).toEqual({ rows: [], version: 0, updatedAt: null, updatedBy: null });

    await edits.replace('a', 'customers', [{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }], 'user:ada');
    await edits.replace('a', 'customers', [{ marketplaceId: US, customerId: 'SHOP-2', currency: 'USD' }], 'user:bob');
    await edits.replace('b', 'ship-methods', [{ serviceLevel: '*', shipMethodId: 'FEDEX-2D' }], 'user:ada');
    expect(await edits.get('a', 'customers')).toMatchObject({
      rows: [{ marketplaceId: US, customerId: 'SHOP-2', currency: 'USD' }],
      version: 2,
      updatedBy: 'user:bob',
    });
    expect(Object.keys(await edits.edits('a'))).toEqual(['customers']);

    const configured = { ...DEFAULT_MAPPING_RULES, carriers: {} };
    await storeMappingRules(store, systemClock).replace(
      'a',
      'carrier',
      [{ shipMethId: 'X1', carrierCode: 'UPS' }],
      't',
    );
    const rulesFor = effectiveRulesOf(store, systemClock, () => configured);
    const a = await rulesFor('a');
    expect(a.customers).toEqual({ [US]: { customerId: 'SHOP-2', currency: 'USD' } });
    expect(a.carriers).toEqual({ X1: { carrierCode: 'UPS' } });
    expect(a.shipMethods).toEqual(configured.shipMethods);
    expect((await rulesFor('b')).shipMethods.fallback).toBe('FEDEX-2D');
    expect((await rulesFor('b')).customers).toBe(configured.customers);

    await edits.replace('a', 'customers', [], 'user:ada');
    expect((await edits.get('a', 'customers')).rows).toEqual([]);
    expect((await rulesFor('a')).customers).toBe(configured.customers);
  });

  it('replaces a connection’s whole SKU alias list, leaving other connections’', async () => {
    const store = await freshStore(kind, 'connection-mappings-aliases');
    stores.push(store);
    const aliases = storeSkuAliases(store, systemClock);
    await aliases.setAlias('a', 'OLD', 'WIDGET-RED');
    await aliases.setAlias('b', 'KEEP', 'WIDGET-RED');
    const many = Array.from({ length: 1200 }, (_, i) => ({ sellerSku: `SKU-${i}`, itemId: 'WIDGET-BLUE' }));
    await replaceSkuAliases(store, systemClock, 'a', many);
    const a = await aliases.aliasesFor('a');
    expect(Object.keys(a)).toHaveLength(1200);
    expect(a['OLD']).toBeUndefined();
    expect(await aliases.aliasesFor('b')).toEqual({ KEEP: 'WIDGET-RED' });
  });

  it('reads carriers, edits and the aliases an order’s SKUs can match in one statement (issue 15)', async () => {
    const store = await freshStore(kind, 'connection-mappings-one-read');
    stores.push(store);
    const aliases = storeSkuAliases(store, systemClock);
    await aliases.setAlias('a', 'SKU-A', 'WIDGET-RED');
    await aliases.setAlias('a', ' sku-b ', 'WIDGET-BLUE');
    await aliases.setAlias('a', 'OTHER', 'MUG-LOGO');
    await aliases.setAlias('b', 'SKU-A', 'CABLE-USB-C');
    await replaceSkuAliases(store, systemClock, 'c', [{ sellerSku: 'ｓｋｕ－ｃ', itemId: 'WIDGET-RED' }]);
    await storeMappingRules(store, systemClock).replace(
      'a',
      'carrier',
      [
        { shipMethId: 'X1', carrierCode: 'UPS' },
        { shipMethId: 'X2', carrierCode: 'Other', carrierName: 'Local' },
      ],
      't',
    );
    await storeConnectionMappings(store, systemClock).replace(
      'a',
      'customers',
      [{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }],
      't',
    );

    const { value, statements } = await counted(store, (s) => readOrderMapping(s, 'a', ['SKU-A', 'SKU-B', 'NONE']));
    expect(statements).toBe(1);
    // Exact and normalized keys of the SKUs asked for, this connection's only; OTHER is not read.
    expect(value.aliases).toEqual({ 'SKU-A': 'WIDGET-RED', ' sku-b ': 'WIDGET-BLUE' });
    expect(value.carriers).toEqual({ X1: { carrierCode: 'UPS' }, X2: { carrierCode: 'Other', carrierName: 'Local' } });
    expect(value.edits).toEqual({ customers: [{ marketplaceId: US, customerId: 'SHOP-US', currency: 'USD' }] });
    // NFKC as the alias lookup compares (full-width letters), through replaceSkuAliases' writes too.
    expect((await readOrderMapping(store, 'c', ['SKU-C'])).aliases).toEqual({ 'ｓｋｕ－ｃ': 'WIDGET-RED' });
    // No SKUs: rules only, still one statement; a connection with nothing stored reads nothing.
    const none = await counted(store, (s) => readOrderMapping(s, 'z'));
    expect(none).toEqual({ value: { carriers: {}, edits: {}, aliases: {} }, statements: 1 });

    const configured = { ...DEFAULT_MAPPING_RULES, carriers: {}, skuAliases: { 'SKU-A': 'CONFIG', KEPT: 'CONFIG' } };
    const rules = await effectiveRulesWithAliasesOf(store, () => configured)('a', ['SKU-A', 'sku-b']);
    expect(rules.skuAliases).toEqual({ 'SKU-A': 'WIDGET-RED', KEPT: 'CONFIG', ' sku-b ': 'WIDGET-BLUE' });
    expect(rules.customers).toEqual({ [US]: { customerId: 'SHOP-US', currency: 'USD' } });
    expect(rules.carriers).toEqual(value.carriers);
  });

  it('sees an alias another process saved at the next read (nothing cached)', async () => {
    const store = await freshStore(kind, 'connection-mappings-other-process');
    stores.push(store);
    const other =
      kind === 'sqlite' ? openStore({ url: store.url }) : openStore({ url: PG_URL, schema: store.schema, poolSize: 1 });
    stores.push(other);
    const rulesFor = effectiveRulesWithAliasesOf(store, () => DEFAULT_MAPPING_RULES);
    expect((await rulesFor('a', ['NEW'])).skuAliases).toEqual({});
    await storeSkuAliases(other, systemClock).setAlias('a', 'new', 'WIDGET-RED');
    expect((await rulesFor('a', ['NEW'])).skuAliases).toEqual({ new: 'WIDGET-RED' });
    await storeConnectionMappings(other, systemClock).replace(
      'a',
      'ship-methods',
      [{ serviceLevel: '*', shipMethodId: 'FEDEX-2D' }],
      't',
    );
    expect((await rulesFor('a', ['NEW'])).shipMethods.fallback).toBe('FEDEX-2D');
  });

  it('gives aliases saved before migration 0031 their key', async () => {
    const store =
      kind === 'sqlite'
        ? openStore({ url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'sellbridge-test-')), 'state.db')}` })
        : (await dropSchemas('t_sku_keys_0031'), openStore({ url: PG_URL, schema: 't_sku_keys_0031', poolSize: 2 }));
    stores.push(store);
    await store.migrate('0030-throughput-by-connection');
    await store.db
      .withTables<{ sku_aliases: { connection_id: string; seller_sku: string; item_id: string; updated_at: string } }>()
      .insertInto('sku_aliases')
      .values([
        { connection_id: 'a', seller_sku: 'Old-Sku ', item_id: 'WIDGET-RED', updated_at: '2026-01-01T00:00:00.000Z' },
        { connection_id: 'a', seller_sku: 'KEEP', item_id: 'MUG-LOGO', updated_at: '2026-01-01T00:00:00.000Z' },
      ])
      .execute();
    await store.migrate();
    expect((await readOrderMapping(store, 'a', ['OLD-SKU'])).aliases).toEqual({ 'Old-Sku ': 'WIDGET-RED' });
    expect(await storeSkuAliases(store, systemClock).aliasesFor('a')).toEqual({
      KEEP: 'MUG-LOGO',
      'Old-Sku ': 'WIDGET-RED',
    });
  });
});
