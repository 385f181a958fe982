/**
 * Amounts in settlement flat files are written in the marketplace's local number format (sp-api-facts.md §9.4):
 * `1,234.56` / `1234.56` (US, UK, CA, JP) or `1.234,56` / `95,00` (continental Europe). A file uses one format;
 * it is told by the caller or detected from the values that can only be read one way.
 */
export type NumberFormat = 'us' | 'eu';

/** The format a value can only be written in, or undefined when it reads the same (or is ambiguous) in both. */
export function numberFormatOf(text: string): NumberFormat | undefined {
  const t = text.trim().replace(/^[+-]/, '');
  if (!/^[\d.,]+$/.test(t)) return undefined;
  const dot = t.lastIndexOf('.');
  const comma = t.lastIndexOf(',');
  if (dot >= 0 && comma >= 0) return dot > comma ? 'us' : 'eu';
  const sep = dot >= 0 ? '.' : comma >= 0 ? ',' : undefined;
  if (sep === undefined) return undefined;
  const parts = t.split(sep);
  // Repeated separator: thousands groups. One separator not followed by exactly three digits: the decimal mark.
  if (parts.length > 2) return sep === ',' ? 'us' : 'eu';
  if (parts[1]!.length !== 3) return sep === '.' ? 'us' : 'eu';
  return undefined; // "1,234" or "1.234": either a thousands group or three decimals
}

const US = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;
const EU = /^([+-]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$/;

/** `1.234,56` (eu) -> `1234.56`; undefined when the text is not an amount in that format. */
export function normalizeAmount(text: string, format: NumberFormat): string | undefined {
  const m = (format === 'us' ? US : EU).exec(text.trim());
  if (!m) return undefined;
  const [, sign = '', whole = '', frac] = m;
  return `${sign}${whole.replace(/[.,]/g, '')}${frac === undefined ? '' : `.${frac}`}`;
}

/** Example of each format for diagnostics. */
export const FORMAT_EXAMPLE: Readonly<Record<NumberFormat, string>> = { us: '1,234.56', eu: '1.234,56' };

/** Marketplaces whose settlement files write amounts the continental-European way (fallback when no value tells). */
const EU_MARKETPLACES = /^amazon\.(de|fr|it|es|nl|se|pl|com\.be|com\.tr|at)$/i;

export function numberFormatOfMarketplace(name: string): NumberFormat | undefined {
  if (!name) return undefined;
  return EU_MARKETPLACES.test(name.trim()) ? 'eu' : /^amazon\./i.test(name.trim()) ? 'us' : undefined;
}
