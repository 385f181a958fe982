import { describe, expect, it } from 'vitest';
import { editSimilarity, itemIdFromSku, suggestItems } from '../../../src/core/transform/sku-resolution.ts';
import { DEMO_CATALOGUE } from './golden-case.ts';

describe('SKU resolution', () => {
  const lookup = { aliases: { 'AMZ-1': 'MUG-LOGO' }, catalogue: DEMO_CATALOGUE };

  it('prefers the alias table, then the exact ItemID, then normalised matches', () => {
    expect(itemIdFromSku('AMZ-1', lookup)).toEqual({
      kind: 'resolved',
      sku: 'AMZ-1',
      itemId: 'MUG-LOGO',
      matchedBy: 'alias',
    });
    expect(itemIdFromSku('WIDGET-RED', lookup)).toMatchObject({ itemId: 'WIDGET-RED', matchedBy: 'exact' });
    expect(itemIdFromSku(' amz-1 ', lookup)).toMatchObject({ itemId: 'MUG-LOGO', matchedBy: 'normalized' });
    expect(itemIdFromSku('widget  red', { aliases: {}, catalogue: [{ itemId: 'WIDGET RED' }] })).toMatchObject({
      itemId: 'WIDGET RED',
      matchedBy: 'normalized',
    });
  });

  it('suggests by UPC digits when the SKU carries a UPC without its leading zero', () => {
    expect(suggestItems('12345678905', DEMO_CATALOGUE)[0]).toEqual({ itemId: 'GADGET-PRO', score: 1, by: 'upc' });
  });

  it('suggests by description when the title names the item', () => {
    expect(suggestItems('X-99', DEMO_CATALOGUE, 'Mug with company logo')[0]).toMatchObject({
      itemId: 'MUG-LOGO',
      by: 'description',
    });
  });

  it('scores edit similarity as 1 - distance / longer length', () => {
    expect(editSimilarity('WIDGETRD', 'WIDGETRED')).toBeCloseTo(1 - 1 / 9);
    expect(editSimilarity('', '')).toBe(1);
    expect(editSimilarity('ABC', '')).toBe(0);
  });
});
