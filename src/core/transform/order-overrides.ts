import { SellbridgeError, type FieldIssue } from '../errors.ts';
import type { Address, Order } from '../model/order.ts';
import type { MappingRules } from '../rules/mapping-rules.ts';

/**
 * Corrections an operator makes to one order when replaying its dead letter (`sellbridge dlq replay --set
 * path=value`): keyed by the field paths the mapping names in its issues, so an issue's field is what one sets.
 * - `shipTo.name|companyName|city|district|stateOrRegion|postalCode|countryCode`, `shipTo.lines[0..4]`: the
 *   ship-to as Sage should get it (an empty value clears the field or line);
 * - `lines[i].sku`: the SKU (or Sage ItemID) line i of the Amazon order stands for, for this order only;
 * - `customerId`: the Sage customer of this order instead of its marketplace's.
 */
export type OrderOverrides = Readonly<Record<string, string>>;

const SHIP_TO_FIELDS = [
  'name',
  'companyName',
  'city',
  'district',
  'stateOrRegion',
  'postalCode',
  'countryCode',
] as const;
const PATH =
  /^(?:shipTo\.(?:name|companyName|city|district|stateOrRegion|postalCode|countryCode)|shipTo\.lines\[[0-4]\]|lines\[\d{1,3}\]\.sku|customerId)$/;

/**
 * Whether a `--set` path is meant as an order correction rather than a setting: it starts like one (`shipTo.`,
 * `lines[`, `customerId`); no setting does. A bad one among them is still reported by `overridesFromPairs`.
 */
export function isOverridePath(path: string): boolean {
  return /^(?:shipTo\.|lines\[|customerId$)/.test(path);
}

/** The paths `--set` accepts, for messages. */
export const OVERRIDE_PATHS = `shipTo.{${SHIP_TO_FIELDS.join('|')}}, shipTo.lines[0..4], lines[i].sku, customerId`;

/** `path=value` pairs -> overrides; every bad pair is listed in one SB_DLQ_PAYLOAD_INVALID. */
export function overridesFromPairs(pairs: readonly string[]): OrderOverrides {
  const issues: FieldIssue[] = [];
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const path = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (eq < 0) issues.push({ field: path, problem: 'expected path=value' });
    else if (!PATH.test(path)) issues.push({ field: path, problem: `not a path that can be set (${OVERRIDE_PATHS})` });
    else out[path] = pair.slice(eq + 1).trim();
  }
  checkOverrides(out, issues);
  return out;
}

/** Checks overrides read back from a job payload (anything not from `overridesFromPairs` is suspect). */
export function checkOverrides(overrides: unknown, issues: FieldIssue[] = []): OrderOverrides {
  const record =
    typeof overrides === 'object' && overrides !== null && !Array.isArray(overrides)
      ? (overrides as Record<string, unknown>)
      : undefined;
  if (!record) issues.push({ field: 'overrides', problem: 'must be an object of path -> value' });
  for (const [path, value] of Object.entries(record ?? {})) {
    if (!PATH.test(path)) issues.push({ field: path, problem: `not a path that can be set (${OVERRIDE_PATHS})` });
    else if (typeof value !== 'string') issues.push({ field: path, problem: 'value must be a string' });
    else if ((path === 'customerId' || path.endsWith('.sku')) && value === '')
      issues.push({ field: path, problem: 'must not be empty' });
  }
  if (issues.length > 0)
    throw new SellbridgeError(
      'SB_DLQ_PAYLOAD_INVALID',
      `order overrides: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`,
      { context: { fields: issues.map((i) => i.field) } },
    );
  return record as OrderOverrides;
}

/**
 * The order and rules with the overrides applied. Pure. A line index beyond the order's lines is an issue (the
 * operator names a line that does not exist), as is `customerId` on an order without a marketplace.
 */
export function applyOverrides(
  order: Order,
  rules: MappingRules,
  overrides: OrderOverrides,
): { readonly order: Order; readonly rules: MappingRules } {
  const issues: FieldIssue[] = [];
  let shipTo: Address | undefined = order.shipTo;
  let lines = order.lines;
  let customers = rules.customers;
  for (const [path, value] of Object.entries(overrides)) {
    const addressLine = /^shipTo\.lines\[(\d)\]$/.exec(path);
    const orderLine = /^lines\[(\d+)\]\.sku$/.exec(path);
    if (addressLine) {
      const next = [...(shipTo?.lines ?? [])];
      next[Number(addressLine[1])] = value;
      shipTo = {
        ...(shipTo ?? {}),
        // Empty positions stay until the end, so several line overrides keep their indexes.
        lines: Array.from(next, (l) => l ?? ''),
      };
    } else if (path.startsWith('shipTo.')) {
      const field = path.slice('shipTo.'.length) as (typeof SHIP_TO_FIELDS)[number];
      const { [field]: _old, ...rest } = shipTo ?? { lines: [] };
      shipTo = { ...rest, ...(value !== '' ? { [field]: value } : {}) } as Address;
    } else if (orderLine) {
      const i = Number(orderLine[1]);
      if (i >= lines.length) issues.push({ field: path, problem: `the order has ${lines.length} line(s)` });
      else lines = lines.map((l, j) => (j === i ? { ...l, sku: value } : l));
    } else if (path === 'customerId') {
      if (!order.marketplaceId) issues.push({ field: path, problem: 'the order names no marketplace' });
      else {
        const currency = order.currency ?? order.total?.currency ?? customers[order.marketplaceId]?.currency ?? '';
        customers = { ...customers, [order.marketplaceId]: { customerId: value, currency } };
      }
    }
  }
  if (issues.length > 0)
    throw new SellbridgeError(
      'SB_DLQ_PAYLOAD_INVALID',
      `order ${order.id} overrides: ${issues.map((i) => `${i.field}: ${i.problem}`).join('; ')}`,
      { context: { amazonOrderId: order.id } },
    );
  return {
    order: {
      ...order,
      lines,
      ...(shipTo ? { shipTo: { ...shipTo, lines: shipTo.lines.filter((l) => l !== '') } } : {}),
    },
    rules: { ...rules, customers },
  };
}
