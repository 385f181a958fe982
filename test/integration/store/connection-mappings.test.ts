import { afterAll, describe, expect, it } from 'vitest';
import {
  effectiveRulesOf,
  replaceSkuAliases,
  storeConnectionMappings,
} from '../../../src/connectors/store/connection-mappings.ts';
import { storeMappingRules } from '../../../src/connectors/store/mapping-rules.ts';
import { storeSkuAliases } from '../../../src/connectors/store/sku-aliases.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { systemClock } from '../../../src/runtime/clock.ts';
import type { Store } from '../../../src/runtime/store/store.ts';
import { freshStore, pgAvailable, type StoreKind } from '../../helpers/queue-env.ts';

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
});
