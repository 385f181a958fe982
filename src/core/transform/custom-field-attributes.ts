import { MappingError, type FieldIssue } from '../errors.ts';
import type { AttributeValue, ItemFields, ListingAttributes } from '../model/listing.ts';
import type { CustomFieldMap, CustomFieldMapping, SageItemField } from '../rules/custom-field-map.ts';

/**
 * Sage item fields -> Amazon listing attributes through the custom-field map (rules/custom-field-map.ts).
 * Every bad or missing value becomes a field issue naming the Sage field and the Amazon attribute; the
 * throwing form lists all of them in one MappingError (SB_LIST_ATTRIBUTE_INVALID).
 */

export interface AttributeContext {
  readonly marketplaceId: string;
  /** BCP-47 with underscore, as Amazon writes it: en_US, fr_CA … */
  readonly languageTag: string;
}

export interface AttributeResult {
  readonly attributes: ListingAttributes;
  readonly issues: readonly FieldIssue[];
}

function readField(item: ItemFields, source: SageItemField): string | number | undefined {
  if (source === 'ShortDesc') return item.shortDesc;
  if (source === 'LongDesc') return item.longDesc;
  if (source === 'UPC') return item.upc;
  if (source === 'Weight') return item.weight;
  const n = Number(source.slice('UserFld'.length));
  return Number.isInteger(n) && n >= 1 ? item.userFields?.[n - 1] : undefined;
}

/** UPC-A: 12 digits, the last a mod-10 check digit (odd positions × 3). */
export function isValidUpc(value: string): boolean {
  if (!/^\d{12}$/.test(value)) return false;
  const digits = [...value].map(Number);
  const sum = digits.slice(0, 11).reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10 === digits[11];
}

function valueOf(
  row: CustomFieldMapping,
  raw: string | number,
  ctx: AttributeContext,
): { value?: AttributeValue; problem?: string } {
  const where = { marketplace_id: ctx.marketplaceId };
  if (row.kind === 'number' || row.kind === 'weight') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (typeof raw === 'string' && !/^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return { problem: `"${raw}" is not a number` };
    if (!Number.isFinite(n)) return { problem: `${String(raw)} is not a number` };
    if (row.min !== undefined && n < row.min) return { problem: `${n} is below ${row.min}` };
    if (row.max !== undefined && n > row.max) return { problem: `${n} is above ${row.max}` };
    if (row.kind === 'weight') {
      if (!(n > 0)) return { problem: `weight ${n} must be above 0` };
      return { value: { value: n, unit: row.unit ?? 'pounds', ...where } };
    }
    return { value: { value: n, ...where } };
  }
  const text = String(raw).trim();
  if (row.kind === 'upc') {
    if (!isValidUpc(text)) return { problem: `"${text}" is not a 12-digit UPC with a valid check digit` };
    return { value: { type: 'upc', value: text, ...where } };
  }
  if (row.maxLength !== undefined && text.length > row.maxLength)
    return { problem: `${text.length} characters, above the ${row.maxLength} allowed` };
  if (row.kind === 'enum' && !(row.allowed ?? []).includes(text))
    return { problem: `"${text}" is not one of ${(row.allowed ?? []).join(', ') || '(no allowed values configured)'}` };
  return { value: { value: text, language_tag: ctx.languageTag, ...where } };
}

/** Collects attributes and issues; never throws (for batch use: one bad item must not stop the others). */
export function attributeResultFromCustomFields(
  item: ItemFields,
  map: CustomFieldMap,
  ctx: AttributeContext,
): AttributeResult {
  const attributes: Record<string, AttributeValue[]> = {};
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const row of map) {
    const field = `${row.source} -> ${row.attribute}`;
    if (seen.has(row.attribute)) {
      issues.push({ field, problem: `attribute ${row.attribute} is mapped twice; only the first row is used` });
      continue;
    }
    seen.add(row.attribute);
    const raw = readField(item, row.source);
    if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
      if (row.required)
        issues.push({ field, problem: `item ${item.itemId} has no ${row.source}, which ${row.attribute} requires` });
      continue;
    }
    const { value, problem } = valueOf(row, raw, ctx);
    if (problem) issues.push({ field, problem });
    else if (value) attributes[row.attribute] = [value];
  }
  return { attributes, issues };
}

/**
 * @throws MappingError SB_LIST_ATTRIBUTE_INVALID listing every bad field of the item (context: itemId, marketplaceId).
 */
export function attributesFromCustomFields(
  item: ItemFields,
  map: CustomFieldMap,
  ctx: AttributeContext,
): ListingAttributes {
  const { attributes, issues } = attributeResultFromCustomFields(item, map, ctx);
  if (issues.length)
    throw new MappingError('SB_LIST_ATTRIBUTE_INVALID', `Sage item ${item.itemId}`, issues, {
      context: { itemId: item.itemId, marketplaceId: ctx.marketplaceId },
    });
  return attributes;
}
