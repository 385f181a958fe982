/**
 * Product type definitions the simulator serves (Product Type Definitions API 2020-09-01): one JSON Schema per
 * product type, shaped like Amazon's (attributes are arrays of objects carrying `value`, `language_tag` and
 * `marketplace_id`; Amazon's own vocabulary keywords such as `editable`, `hidden` and `maxUtf8ByteLength` beside the
 * standard ones), small enough to read. Only the attributes Sellbridge manages and a few common ones are defined;
 * Amazon's real schemas hold hundreds. The meta-schema is referenced by name, as Amazon's is (it cannot be
 * resolved on the web).
 */
export const PRODUCT_TYPE_META_SCHEMA =
  'https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1';

const marketplaceId = { type: 'string', editable: false, hidden: true };
const languageTag = { type: 'string', enum: ['en_US', 'en_CA', 'en_GB', 'de_DE', 'fr_FR', 'es_MX', 'ja_JP'] };

function text(title: string, maxLength: number, maxItems = 1) {
  return {
    title,
    type: 'array',
    minItems: 1,
    maxItems,
    items: {
      type: 'object',
      required: ['value'],
      additionalProperties: false,
      properties: {
        value: { type: 'string', minLength: 1, maxLength, maxUtf8ByteLength: maxLength * 4 },
        language_tag: languageTag,
        marketplace_id: marketplaceId,
      },
    },
  };
}

function productSchema(productType: string): Record<string, unknown> {
  return {
    $schema: PRODUCT_TYPE_META_SCHEMA,
    $id: `https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/${productType}`,
    $comment: `Amazon product type definition for ${productType} product type (simulated)`,
    type: 'object',
    required: ['item_name', 'brand'],
    properties: {
      item_name: text('Item Name', 200),
      brand: text('Brand Name', 100),
      product_description: text('Product Description', 2000),
      bullet_point: text('Bullet Point', 500, 10),
      color: text('Color', 50),
      externally_assigned_product_identifier: {
        title: 'External Product ID',
        type: 'array',
        maxItems: 1,
        items: {
          type: 'object',
          required: ['type', 'value'],
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['ean', 'gtin', 'isbn', 'upc'] },
            value: { type: 'string', pattern: '^[0-9]{8,14}$' },
            marketplace_id: marketplaceId,
          },
        },
      },
      item_weight: {
        title: 'Item Weight',
        type: 'array',
        maxItems: 1,
        items: {
          type: 'object',
          required: ['value', 'unit'],
          additionalProperties: false,
          properties: {
            value: { type: 'number', exclusiveMinimum: 0, maximum: 100000 },
            unit: { type: 'string', enum: ['grams', 'kilograms', 'ounces', 'pounds'] },
            marketplace_id: marketplaceId,
          },
        },
      },
      purchasable_offer: { title: 'Purchasable Offer', type: 'array' },
      fulfillment_availability: { title: 'Fulfillment Availability', type: 'array' },
    },
  };
}

/** The schema of a product type the simulator knows (every product type gets the same simulated attributes). */
export function productTypeSchema(productType: string): Record<string, unknown> {
  return productSchema(productType);
}
