/**
 * Sage item fields -> Amazon listing attributes, as data (issue 7 "custom fields to listing attributes").
 * Each row reads one Sage field and writes one top-level Amazon attribute (only top-level attributes can be
 * patched, sp-api-facts §7.5). The value shape follows Amazon's product-type schemas:
 *  - `text`:   `[{ value: "…", language_tag, marketplace_id }]`   (item_name, bullet_point, brand …)
 *  - `number`: `[{ value: 12, marketplace_id }]`
 *  - `weight`: `[{ value: 1.5, unit: "pounds", marketplace_id }]`   (item_weight, item_package_weight)
 *  - `upc`:    `[{ type: "upc", value: "036000291452", marketplace_id }]` (externally_assigned_product_identifier),
 *              12 digits with a valid check digit
 *  - `enum`:   like text, but the value must be one of `allowed`
 */

/** Which Sage field a row reads: timItemDescription.ShortDesc/LongDesc, UPC, weight, or UserFld1..n. */
export type SageItemField = 'ShortDesc' | 'LongDesc' | 'UPC' | 'Weight' | `UserFld${number}`;

export interface CustomFieldMapping {
  readonly source: SageItemField;
  /** Amazon attribute name (top level), e.g. `item_name`, `brand`, `item_weight`. */
  readonly attribute: string;
  readonly kind: 'text' | 'number' | 'weight' | 'upc' | 'enum';
  /** A missing value is a field issue when true; otherwise the attribute is simply not sent. */
  readonly required?: boolean;
  /** For text and enum. */
  readonly maxLength?: number;
  /** For enum. */
  readonly allowed?: readonly string[];
  /** For weight: Amazon's unit name (`pounds`, `kilograms`, `ounces`, `grams`). */
  readonly unit?: string;
  /** For number and weight: bounds (inclusive). */
  readonly min?: number;
  readonly max?: number;
}

export type CustomFieldMap = readonly CustomFieldMapping[];

/** The demo mapping: the item's short description is the title, UserFld1 the brand, UPC and weight as such. */
export const DEFAULT_CUSTOM_FIELD_MAP: CustomFieldMap = [
  { source: 'ShortDesc', attribute: 'item_name', kind: 'text', required: true, maxLength: 200 },
  { source: 'UserFld1', attribute: 'brand', kind: 'text', maxLength: 100 },
  { source: 'UPC', attribute: 'externally_assigned_product_identifier', kind: 'upc' },
  { source: 'Weight', attribute: 'item_weight', kind: 'weight', unit: 'pounds', min: 0, max: 10_000 },
];
