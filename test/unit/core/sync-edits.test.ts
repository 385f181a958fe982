import { describe, expect, it } from 'vitest';
import { DEFAULT_LISTING_SYNC_RULES } from '../../../src/core/model/listing.ts';
import { overlayInventoryEdit, overlayPriceSheets, overlaySettlementGl } from '../../../src/core/rules/sync-edits.ts';
import { validateSyncEditRows } from '../../../src/connectors/store/connection-sync-edits.ts';

describe('sync edits laid over the configured settings', () => {
  it('inventory: the fields the row sets replace the configured ones, the others stay', () => {
    const base = { ...DEFAULT_LISTING_SYNC_RULES, safetyStock: 3, maxQuantity: 50 };
    const r = overlayInventoryEdit(base, { warehouseIds: ['MAIN', 'EAST'], exposePercent: 80 });
    expect(r).toMatchObject({ warehouseIds: ['MAIN', 'EAST'], exposePercent: 80, safetyStock: 3, maxQuantity: 50 });
    expect(overlayInventoryEdit(base, undefined)).toBe(base);
    expect(overlayInventoryEdit(base, { maxQuantity: 0, safetyStock: 0 })).toMatchObject({
      maxQuantity: 0,
      safetyStock: 0,
    });
  });

  it('price sheets replace the configured table whole (an unlisted marketplace gets list/USD/MAIN)', () => {
    const configured = () => ({ priceSheet: 'sheet2' as const, currency: 'CAD', warehouseId: 'EAST' });
    const priceFor = overlayPriceSheets(configured, [
      { marketplaceId: 'ATVPDKIKX0DER', priceSheet: 'sheet1', currency: 'USD', warehouseId: 'EAST' },
    ]);
    expect(priceFor('ATVPDKIKX0DER')).toEqual({ priceSheet: 'sheet1', currency: 'USD', warehouseId: 'EAST' });
    expect(priceFor('A2EUQ1WTGCTBG2')).toEqual({ priceSheet: 'list', currency: 'USD', warehouseId: 'MAIN' });
    expect(overlayPriceSheets(configured, [])).toBe(configured);
  });

  it('settlement-gl: * is the bank account, the other rows the per-currency table as a whole', () => {
    const base = { bankAccount: '1050-00', bankAccountByCurrency: { CAD: '1053-00' }, rules: [] };
    expect(overlaySettlementGl(base, [{ currency: 'EUR', bankAccount: '1052-00' }])).toEqual({
      bankAccount: '1050-00',
      bankAccountByCurrency: { EUR: '1052-00' },
      rules: [],
    });
    expect(overlaySettlementGl(base, [{ currency: '*', bankAccount: '1051-00' }])).toEqual({
      bankAccount: '1051-00',
      bankAccountByCurrency: {},
      rules: [],
    });
    expect(overlaySettlementGl(base, undefined)).toBe(base);
  });
});

describe('sync edit rows: shapes', () => {
  it('reads CSV text (numbers, | lists) and names each bad field', () => {
    expect(validateSyncEditRows('inventory', [{ warehouseIds: 'MAIN| EAST', maxQuantity: '25' }])).toEqual({
      ok: true,
      rows: [{ warehouseIds: ['MAIN', 'EAST'], maxQuantity: 25 }],
    });
    const bad = validateSyncEditRows('price-sheets', [
      { marketplaceId: 'ATVPDKIKX0DER', priceSheet: 'sheet9', currency: 'usd', warehouseId: 'MAIN' },
      { marketplaceId: 'ATVPDKIKX0DER', priceSheet: 'list', currency: 'USD', warehouseId: 'MAIN' },
    ]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => `${i.row}.${i.field}`).sort()).toEqual(['1.currency', '1.priceSheet']);
    const dup = validateSyncEditRows('settlement-gl', [
      { currency: 'EUR', bankAccount: '1052-00' },
      { currency: 'EUR', bankAccount: '1053-00' },
    ]);
    expect(dup).toEqual({ ok: false, issues: [{ row: 2, field: 'currency', problem: 'duplicate of row 1' }] });
  });
});
