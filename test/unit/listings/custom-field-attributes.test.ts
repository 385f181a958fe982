import { describe, expect, it } from 'vitest';
import { MappingError } from '../../../src/core/errors.ts';
import { DEFAULT_CUSTOM_FIELD_MAP, type CustomFieldMap } from '../../../src/core/rules/custom-field-map.ts';
import {
  attributeResultFromCustomFields,
  attributesFromCustomFields,
  isValidUpc,
} from '../../../src/core/transform/custom-field-attributes.ts';

const US = { marketplaceId: 'ATVPDKIKX0DER', languageTag: 'en_US' };

describe('attributesFromCustomFields', () => {
  it('maps the default table: title, brand from UserFld1, UPC and weight in Amazon attribute shapes', () => {
    const attrs = attributesFromCustomFields(
      { itemId: 'W1', shortDesc: '  Steel widget ', userFields: ['Acme'], upc: '036000291452', weight: 0.25 },
      DEFAULT_CUSTOM_FIELD_MAP,
      US,
    );
    expect(attrs).toEqual({
      item_name: [{ value: 'Steel widget', language_tag: 'en_US', marketplace_id: 'ATVPDKIKX0DER' }],
      brand: [{ value: 'Acme', language_tag: 'en_US', marketplace_id: 'ATVPDKIKX0DER' }],
      externally_assigned_product_identifier: [{ type: 'upc', value: '036000291452', marketplace_id: 'ATVPDKIKX0DER' }],
      item_weight: [{ value: 0.25, unit: 'pounds', marketplace_id: 'ATVPDKIKX0DER' }],
    });
  });

  it('leaves out optional fields that are empty', () => {
    expect(
      Object.keys(
        attributesFromCustomFields(
          { itemId: 'W2', shortDesc: 'x', userFields: ['', undefined] },
          DEFAULT_CUSTOM_FIELD_MAP,
          US,
        ),
      ),
    ).toEqual(['item_name']);
  });

  it('collects every bad field into one MappingError naming the item and each Sage field -> attribute', () => {
    const map: CustomFieldMap = [
      ...DEFAULT_CUSTOM_FIELD_MAP,
      { source: 'UserFld2', attribute: 'number_of_items', kind: 'number', min: 1, max: 100 },
      { source: 'UserFld3', attribute: 'color', kind: 'enum', allowed: ['Red', 'Blue'] },
      { source: 'UserFld4', attribute: 'brand', kind: 'text' },
    ];
    let error: unknown;
    try {
      attributesFromCustomFields(
        { itemId: 'BAD-1', userFields: ['B'.repeat(101), '12a', 'Green', 'X'], upc: '12345', weight: 0 },
        map,
        US,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingError);
    const m = error as MappingError;
    expect(m.code).toBe('SB_LIST_ATTRIBUTE_INVALID');
    expect(m.context).toEqual({ itemId: 'BAD-1', marketplaceId: 'ATVPDKIKX0DER' });
    expect(m.issues.map((i) => i.field)).toEqual([
      'ShortDesc -> item_name',
      'UserFld1 -> brand',
      'UPC -> externally_assigned_product_identifier',
      'Weight -> item_weight',
      'UserFld2 -> number_of_items',
      'UserFld3 -> color',
      'UserFld4 -> brand',
    ]);
    expect(m.issues.map((i) => i.problem)).toEqual([
      'item BAD-1 has no ShortDesc, which item_name requires',
      '101 characters, above the 100 allowed',
      '"12345" is not a 12-digit UPC with a valid check digit',
      'weight 0 must be above 0',
      '"12a" is not a number',
      '"Green" is not one of Red, Blue',
      'attribute brand is mapped twice; only the first row is used',
    ]);
    expect(m.message.startsWith('Sage item BAD-1: ')).toBe(true);
  });

  it('the non-throwing form returns the good attributes beside the issues', () => {
    const r = attributeResultFromCustomFields(
      { itemId: 'P', shortDesc: 'ok', upc: '036000291453' },
      DEFAULT_CUSTOM_FIELD_MAP,
      US,
    );
    expect(Object.keys(r.attributes)).toEqual(['item_name']);
    expect(r.issues).toHaveLength(1);
  });

  it('UPC check digits', () => {
    expect(isValidUpc('036000291452')).toBe(true);
    expect(isValidUpc('012345678905')).toBe(true);
    expect(isValidUpc('012345678906')).toBe(false);
    expect(isValidUpc('03600029145')).toBe(false);
  });
});
