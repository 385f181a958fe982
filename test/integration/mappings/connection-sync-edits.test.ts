import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createInventoryDeps,
  inventorySettingsFromConfig,
  registerInventory,
  storedInventorySettings,
} from '../../../src/bootstrap/inventory.ts';
import { registerSettlements } from '../../../src/bootstrap/settlements.ts';
import { settlementFileFromPath } from '../../../src/connectors/amazon/settlement/settlement-files.ts';
import { storeListingState } from '../../../src/connectors/store/listing-state.ts';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { PriceQuery } from '../../../src/core/model/inventory.ts';
import type { ListingsChannel } from '../../../src/core/ports/listings-channel.ts';
import { DEFAULT_MAPPING_RULES } from '../../../src/core/rules/mapping-rules.ts';
import { planListingSync, type InventoryFlowDeps } from '../../../src/flows/inventory.ts';
import { importSettlement } from '../../../src/flows/post-settlement.ts';
import { adminEnv, type AdminEnv } from '../server/admin-env.ts';
import { addSettlementAccounts } from '../settlement/sandbox-accounts.ts';

/**
 * Issue 21, the sync side: a connection's inventory rules, price sheets, settlement bank accounts, GL rules and
 * custom fields edited through `/api/v1/connections/:id/mappings/:kind` (JSON and CSV), checked against the Sage
 * sandbox company before they are stored (each problem named with its row path, nothing stored), audited, and used by
 * the next inventory sync / price sync / settlement import without a restart (the deps are built once, before the
 * edits). The sandbox's WIDGET-RED has 120 available in MAIN and 30 in EAST; its GL chart has 9999-00 closed.
 */
const US = 'ATVPDKIKX0DER';
const CONN = 'default';
const clock = { now: () => new Date('2026-11-20T12:00:00Z') };
const config = loadConfig({ env: {} });

let env: AdminEnv;
let sage: SandboxGateway;
const priceQueries: PriceQuery[] = [];

beforeAll(async () => {
  sage = await createSandboxGateway({
    path: join(mkdtempSync(join(tmpdir(), 'sb-sync-edits-')), 'sage.db'),
    clock,
    warehouseSimulator: { enabled: false },
  });
  await addSettlementAccounts(sage, ['1051-00', '1052-00', '6100-55']);
  env = await adminEnv({
    defaultConnectionId: CONN,
    // The process's engine of the connection: its Sage company and configuration (what the routes check against).
    connections: {
      engine: (id: string) => (id === CONN ? { sage, orders: { rules: DEFAULT_MAPPING_RULES }, config } : undefined),
    } as never,
  });
  await storeListingState(env.store, clock).upsertLinks(CONN, [
    { sku: 'AMZ-RED', marketplaceId: US, itemId: 'WIDGET-RED', productType: 'PRODUCT', fulfillment: 'MFN' },
  ]);
}, 60_000);

afterAll(async () => {
  await env?.close();
  await sage?.close();
});

const put = (kind: string, payload: unknown, csv = false) =>
  env.app.inject({
    method: 'PUT',
    url: `/api/v1/connections/${CONN}/mappings/${kind}`,
    headers: { ...env.as.operator, 'content-type': csv ? 'text/csv' : 'application/json' },
    payload: csv ? String(payload) : JSON.stringify(payload),
  });
const get = (kind: string, accept = 'application/json') =>
  env.app.inject({ url: `/api/v1/connections/${CONN}/mappings/${kind}`, headers: { ...env.as.viewer, accept } });
const audit = async () =>
  (
    (await env.app.inject({ url: '/api/v1/audit', headers: env.as.admin })).json() as {
      entries: Array<{ action: string; target: string; detail: Record<string, unknown> }>;
    }
  ).entries;

// What `sellbridge run` gives the flow registrations of an engine (its queue and scheduler are not used here).
const wiring = {
  store: undefined as never,
  clock,
  queue: { register: () => undefined, enqueue: async () => ({ id: '1', deduplicated: false }) } as never,
  scheduler: { add: () => undefined } as never,
  logger: { warn: () => undefined },
  amazonConnector: (): never => {
    throw new Error('planning does not call Amazon');
  },
};

/** The engine's inventory deps as `sellbridge run` registers them (bootstrap/inventory.ts registerInventory). */
const engineInventoryDeps = () => registerInventory({ ...wiring, store: env.store, config, sage: sage as never }).deps;

/** The inventory deps with a recording price reader: configured settings, stored edits read when a run is planned. */
function inventoryDeps(): InventoryFlowDeps {
  const settings = inventorySettingsFromConfig(config);
  const channel = {} as ListingsChannel; // planning reads Sage and the store only
  return createInventoryDeps({
    store: env.store,
    sage: {
      getStock: (items, warehouses) => sage.getStock(items, warehouses),
      getPrices: (q) => {
        priceQueries.push(q);
        return sage.getPrices(q);
      },
    },
    channel,
    clock,
    queue: { enqueue: async () => ({ id: '1', deduplicated: false }) },
    settingsFor: () => settings,
    currentSettings: storedInventorySettings(env.store, clock, settings, CONN),
  });
}

const quantityOf = async (deps: InventoryFlowDeps) =>
  (await planListingSync(CONN, 'quantity', deps)).delta.targets.find((t) => t.sku === 'AMZ-RED')?.quantity;

describe('inventory rules and price sheets per connection', () => {
  it('refuses warehouses the Sage company does not have, naming each; nothing stored', async () => {
    const inv = await put('inventory', { rows: [{ warehouseIds: ['MAIN', 'NOWH'], maxQuantity: 5 }] });
    expect(inv.statusCode, inv.body).toBe(422);
    expect(inv.json()).toMatchObject({ code: 'SB_MAP_EDIT_INVALID' });
    expect(inv.json().problems).toEqual([
      {
        path: 'rows[0].warehouseIds',
        value: 'NOWH',
        problem: 'Sage has no warehouse NOWH in this company (timWarehouse.WhseID)',
      },
    ]);
    const sheets = await put(
      'price-sheets',
      'marketplaceId,priceSheet,currency,warehouseId\n' + `${US},list,USD,WEST\n`,
      true,
    );
    expect(sheets.statusCode, sheets.body).toBe(422);
    expect(sheets.json().problems).toEqual([expect.objectContaining({ path: 'rows[0].warehouseId', value: 'WEST' })]);
    expect((await get('inventory')).json()).toMatchObject({ source: 'config', stored: { rows: [], version: 0 } });
    expect((await get('price-sheets')).json().stored.rows).toEqual([]);
  });

  it('refuses bad shapes with 400 naming the row and field', async () => {
    const res = await put('inventory', { rows: [{ safetyStockPercent: 120, maxQuantity: -1 }] });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .issues.map((i: { field: string }) => i.field)
        .sort(),
    ).toEqual(['maxQuantity', 'safetyStockPercent']);
    const two = await put('inventory', { rows: [{ safetyStock: 1 }, { safetyStock: 2 }] });
    expect(two.statusCode).toBe(400);
  });

  it('saves checked rules (CSV), audits them, and the next sync lists from the new warehouses with the new cap', async () => {
    const deps = engineInventoryDeps();
    expect(await quantityOf(deps)).toBe(120); // MAIN only, no cap (sellbridge.yaml defaults)

    const saved = await put('inventory', 'warehouseIds,maxQuantity\nMAIN|EAST,140\n', true);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ kind: 'inventory', saved: 1 });

    const view = (await get('inventory')).json();
    expect(view).toMatchObject({
      source: 'store',
      stored: { version: 1, rows: [{ warehouseIds: ['MAIN', 'EAST'], maxQuantity: 140 }] },
    });
    expect(view.rows).toEqual([
      {
        warehouseIds: ['MAIN', 'EAST'],
        safetyStock: 0,
        safetyStockPercent: 0,
        exposePercent: 100,
        maxQuantity: 140,
        zeroBelow: 0,
      },
    ]);
    expect((await get('inventory', 'text/csv')).body).toBe(
      'warehouseIds,safetyStock,safetyStockPercent,exposePercent,maxQuantity,zeroBelow\r\nMAIN|EAST,0,0,100,140,0\r\n',
    );
    expect(await audit()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'connection.mapping.inventory.replace',
          target: `connection:${CONN}:mappings:inventory`,
          detail: expect.objectContaining({
            via: 'csv',
            saved: [{ warehouseIds: ['MAIN', 'EAST'], maxQuantity: 140 }],
          }),
        }),
      ]),
    );

    // Same deps object: 150 in MAIN + EAST, capped at 140.
    expect(await quantityOf(deps)).toBe(140);

    expect((await put('inventory', { rows: [{ safetyStock: 15 }] })).statusCode).toBe(200);
    expect(await quantityOf(deps)).toBe(105); // back to MAIN (the configured warehouses), 120 - 15
    expect((await put('inventory', { rows: [] })).statusCode).toBe(200);
    expect(await quantityOf(deps)).toBe(120);
  });

  it('the next price sync reads the stored price sheet (column, currency and warehouse)', async () => {
    const deps = inventoryDeps();
    const saved = await put('price-sheets', {
      rows: [{ marketplaceId: US, priceSheet: 'sheet1', currency: 'USD', warehouseId: 'EAST' }],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    priceQueries.length = 0;
    await planListingSync(CONN, 'price', deps);
    expect(priceQueries).toEqual([
      expect.objectContaining({ priceSheet: 'sheet1', currency: 'USD', warehouseId: 'EAST' }),
    ]);
    expect((await get('price-sheets')).json().rows).toEqual([
      { marketplaceId: US, priceSheet: 'sheet1', currency: 'USD', warehouseId: 'EAST' },
    ]);
  });
});

describe('settlement accounts and GL rules per connection', () => {
  const file = decodeURIComponent(
    new URL('../../fixtures/golden-settlement/01-us-orders-fees/input.tsv', import.meta.url).pathname,
  );
  // The engine's settlement deps as `sellbridge run` registers them (the stored edits of orders.connectionId).
  const settlementDeps = () => registerSettlements({ ...wiring, store: env.store, config, sage: sage as never }).deps;
  const accountsOf = async (deps: ReturnType<typeof settlementDeps>) => {
    const out = await importSettlement(CONN, settlementFileFromPath(file), deps, { dryRun: true });
    if (out.kind !== 'dry-run') throw new Error(`expected a dry run, got ${out.kind}`);
    return out.journals.flatMap((j) => j.lines.map((l) => l.account));
  };

  it('refuses accounts that are missing or not active in the company GL, naming each; nothing stored', async () => {
    const res = await put('settlement-gl', {
      rows: [
        { currency: '*', bankAccount: '7777-77' },
        { currency: 'EUR', bankAccount: '9999-00' },
      ],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().problems).toEqual([
      {
        path: 'rows[0].bankAccount',
        value: '7777-77',
        problem: 'Sage GL account 7777-77: no such account in tglAccount',
      },
      { path: 'rows[1].bankAccount', value: '9999-00', problem: 'Sage GL account 9999-00: status 2 is not active (1)' },
    ]);
    const rules = await put(
      'gl-rules',
      'transactionType,amountType,amountDescription,account,label\n*,ItemFees,Commission,9999-00,Commission\n',
      true,
    );
    expect(rules.statusCode).toBe(422);
    expect(rules.json().problems).toEqual([expect.objectContaining({ path: 'rows[0].account', value: '9999-00' })]);
    expect((await get('settlement-gl')).json()).toMatchObject({
      source: 'config',
      stored: { rows: [] },
      rows: [{ currency: '*', bankAccount: '1050-00' }],
    });
    expect((await get('gl-rules')).json().stored.rows).toEqual([]);
  });

  it('saves checked accounts, audits them, and the next settlement import posts the deposit to the new account', async () => {
    const deps = settlementDeps();
    const before = await accountsOf(deps);
    expect(before).toContain('1050-00');

    const saved = await put('settlement-gl', {
      rows: [
        { currency: '*', bankAccount: '1051-00' },
        { currency: 'EUR', bankAccount: '1052-00' },
      ],
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const gl = await put('gl-rules', {
      rows: [
        {
          transactionType: '*',
          amountType: 'ItemFees',
          amountDescription: 'Commission',
          account: '6100-55',
          label: 'Commission',
        },
      ],
    });
    expect(gl.statusCode, gl.body).toBe(200);
    expect((await audit()).map((e) => e.action)).toEqual(
      expect.arrayContaining(['connection.mapping.settlement-gl.replace', 'connection.mapping.gl-rules.replace']),
    );

    const after = await accountsOf(deps);
    expect(after).toContain('1051-00');
    expect(after).not.toContain('1050-00');
    expect(after).toContain('6100-55');
    // The older global route shows the same GL rules (one store, the served connection).
    const global = await env.app.inject({ url: '/api/v1/mappings/gl-rules', headers: env.as.viewer });
    expect(global.json().stored.rows).toEqual([expect.objectContaining({ account: '6100-55' })]);

    expect((await put('settlement-gl', { rows: [] })).statusCode).toBe(200);
    expect((await put('gl-rules', { rows: [] })).statusCode).toBe(200);
    expect(await accountsOf(deps)).toEqual(before);
  });

  it('custom fields per connection replace the configured map (no Sage lookup needed)', async () => {
    const res = await put('custom-fields', 'source,attribute,kind,maxLength\nUserFld1,brand,text,100\n', true);
    expect(res.statusCode, res.body).toBe(200);
    expect((await get('custom-fields')).json()).toMatchObject({
      source: 'store',
      rows: [{ source: 'UserFld1', attribute: 'brand', kind: 'text', maxLength: 100 }],
    });
    const bad = await put('custom-fields', { rows: [{ source: 'Colour', attribute: 'colour', kind: 'text' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0]).toMatchObject({ row: 1, field: 'source' });
  });
});
