import type { CustomerRef } from '../core/model/inventory.ts';
import { tranNoPrefixProblem } from '../core/rules/order-policies.ts';
import type { Sage500Gateway } from '../core/ports/sage500-gateway.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import { CHARGE_LINES } from '../core/rules/mapping-edits.ts';

/**
 * `sellbridge connections check` (issue 21): the connection's order mapping compared with its Sage company through the
 * gateway, before it is used. Every value the order flow stages is looked up: the customer of each marketplace (it
 * exists, is active, and bills in the configured currency), the warehouses (merchant-fulfilled, per marketplace, and
 * the FBA warehouse when FBA orders are booked), the ship methods, the charge items (exist, active) and their GL
 * accounts (exist, active, financial). Each problem is named by its configuration path, the configured value and
 * what Sage has. Read-only.
 *
 * Not checked: the carrier table (Sage ShipMethID -> Amazon carrier) is a lookup whose extra rows are harmless, and
 * Sage has no active flag on warehouses or ship methods (facts §2.3, §2.8): existence is all there is to check.
 */
export type MappingCheckGateway = Pick<
  Sage500Gateway,
  'resolveCustomers' | 'resolveWarehouses' | 'resolveShipMethods' | 'resolveItems' | 'listItems' | 'validateGlAccounts'
>;

export interface MappingProblem {
  /** Configuration path of the value, e.g. `orders.customers.ATVPDKIKX0DER.customerId`. */
  readonly path: string;
  readonly value: string;
  /** `error`: an order would fail in Sage; `warning`: it would be created but wait (a customer on hold). */
  readonly severity: 'error' | 'warning';
  /** What is wrong, with what Sage has. */
  readonly problem: string;
}

export interface MappingCheck {
  readonly connectionId: string;
  readonly ok: boolean;
  readonly problems: readonly MappingProblem[];
  /** How many distinct values of each kind were looked up in Sage. */
  readonly checked: {
    readonly customers: number;
    readonly warehouses: number;
    readonly shipMethods: number;
    readonly items: number;
    readonly glAccounts: number;
  };
}

interface Ref {
  readonly path: string;
  readonly value: string;
}

const same = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

export async function checkMapping(
  sage: MappingCheckGateway,
  connectionId: string,
  rules: MappingRules,
): Promise<MappingCheck> {
  const problems: MappingProblem[] = [];
  const error = (ref: Ref, problem: string) => problems.push({ ...ref, severity: 'error', problem });

  // Customers and their currencies.
  const customers = Object.entries(rules.customers).map(([mp, c]) => ({ mp, ...c }));
  const foundCustomers = await sage.resolveCustomers([...new Set(customers.map((c) => c.customerId))]);
  const customerById = new Map<string, CustomerRef>(foundCustomers.map((c) => [c.customerId.trim().toUpperCase(), c]));
  for (const c of customers) {
    const ref = { path: `orders.customers.${c.mp}.customerId`, value: c.customerId };
    const found = customerById.get(c.customerId.trim().toUpperCase());
    if (!found) {
      error(ref, `Sage has no customer ${c.customerId} (tarCustomer.CustID)`);
      continue;
    }
    if (found.status !== 'active') error(ref, `Sage has customer ${c.customerId} ${found.status}, not active`);
    if (found.onHold)
      problems.push({
        ...ref,
        severity: 'warning',
        problem: `Sage has customer ${c.customerId} on hold: its orders are created on hold`,
      });
    const currencyRef = { path: `orders.customers.${c.mp}.currency`, value: c.currency };
    if (!found.currency)
      error(
        currencyRef,
        `Sage has no currency for customer ${c.customerId} (its bill-to address has no tarCustAddr row)`,
      );
    else if (!same(found.currency, c.currency))
      error(currencyRef, `Sage has customer ${c.customerId} in ${found.currency}, not ${c.currency}`);
  }

  // Warehouses: the connection's, each marketplace's, and the FBA warehouse when FBA orders are booked.
  const warehouses: Ref[] = [
    { path: 'orders.warehouseId', value: rules.warehouseId },
    ...Object.entries(rules.warehouseByMarketplace ?? {}).map(([mp, w]) => ({
      path: `orders.customers.${mp}.warehouseId`,
      value: w,
    })),
    ...(rules.status.fba.mode === 'record-shipped'
      ? [{ path: 'orders.fba.warehouseId', value: rules.status.fba.warehouseId }]
      : []),
  ];
  const warehouseIds = [...new Set(warehouses.map((w) => w.value))];
  const foundWarehouses = new Set(
    (await sage.resolveWarehouses(warehouseIds)).map((w) => w.warehouseId.trim().toUpperCase()),
  );
  for (const w of warehouses)
    if (!foundWarehouses.has(w.value.trim().toUpperCase()))
      error(w, `Sage has no warehouse ${w.value} (timWarehouse.WhseID)`);

  // The TranNo prefix (an order-policies edit may set it): prefix and sequence must fit Sage's TranNo.
  const prefix = rules.tranNoPrefix;
  const prefixProblem = prefix === undefined ? undefined : tranNoPrefixProblem(prefix);
  if (prefix !== undefined && prefixProblem) error({ path: 'sage500.tranNoPrefix', value: prefix }, prefixProblem);

  // Ship methods of the service levels and the fallback.
  const shipMethods: Ref[] = [
    ...Object.entries(rules.shipMethods.byServiceLevel).map(([level, id]) => ({
      path: `orders.shipMethods.byServiceLevel.${level}`,
      value: id,
    })),
    ...(rules.shipMethods.fallback ? [{ path: 'orders.shipMethods.fallback', value: rules.shipMethods.fallback }] : []),
  ];
  const shipMethodIds = [...new Set(shipMethods.map((s) => s.value))];
  const foundShipMethods = new Set(
    (await sage.resolveShipMethods(shipMethodIds)).map((s) => s.shipMethodId.trim().toUpperCase()),
  );
  for (const s of shipMethods)
    if (!foundShipMethods.has(s.value.trim().toUpperCase()))
      error(s, `Sage has no ship method ${s.value} (tciShipMethod.ShipMethID)`);

  // Charge items (exist by ItemID, active) and their GL accounts.
  const lines = CHARGE_LINES.flatMap((kind) => {
    const line = rules.pricing.lines[kind];
    return line ? [{ kind, line }] : [];
  });
  const itemIds = [...new Set(lines.map((l) => l.line.itemId))];
  const resolved = itemIds.length ? await sage.resolveItems(itemIds) : { items: [], unknown: [] };
  const byItemId = new Set(
    resolved.items.filter((i) => i.matchedBy === 'item-id').map((i) => i.itemId.trim().toUpperCase()),
  );
  // listItems answers active items only: an item found by ItemID but not listed is not active.
  const active = new Set<string>();
  for (const id of itemIds.filter((i) => byItemId.has(i.trim().toUpperCase()))) {
    const listed = await sage.listItems({ text: id, limit: 10_000 });
    if (listed.some((i) => same(i.itemId, id))) active.add(id.trim().toUpperCase());
  }
  for (const { kind, line } of lines) {
    const ref = { path: `orders.chargeLines.${kind}.itemId`, value: line.itemId };
    const key = line.itemId.trim().toUpperCase();
    if (!byItemId.has(key)) error(ref, `Sage has no item ${line.itemId} (timItem.ItemID)`);
    else if (!active.has(key)) error(ref, `Sage has item ${line.itemId} but it is not active`);
  }
  const accounts = lines.flatMap(({ kind, line }) =>
    line.glAccountNo ? [{ path: `orders.chargeLines.${kind}.glAccountNo`, value: line.glAccountNo }] : [],
  );
  const accountChecks = accounts.length
    ? await sage.validateGlAccounts([...new Set(accounts.map((a) => a.value))])
    : [];
  const checkOf = new Map(accountChecks.map((a) => [a.account, a]));
  for (const a of accounts) {
    const check = checkOf.get(a.value);
    if (check && !check.valid) error(a, `Sage GL account ${a.value}: ${check.problem ?? 'not usable'}`);
  }

  return {
    connectionId,
    ok: !problems.some((p) => p.severity === 'error'),
    problems,
    checked: {
      customers: new Set(customers.map((c) => c.customerId)).size,
      warehouses: warehouseIds.length,
      shipMethods: shipMethodIds.length,
      items: itemIds.length,
      glAccounts: new Set(accounts.map((a) => a.value)).size,
    },
  };
}

/** One line per problem, as the CLI prints them and the start-up refusal lists them. */
export function formatMappingProblems(check: MappingCheck): string[] {
  return check.problems.map(
    (p) => `${p.severity === 'error' ? 'ERROR' : 'warning'} ${p.path} = ${p.value}: ${p.problem}`,
  );
}

export function mappingCheckSummary(check: MappingCheck, where: string): string {
  const errors = check.problems.filter((p) => p.severity === 'error').length;
  const warnings = check.problems.length - errors;
  const c = check.checked;
  return `connections check ${check.connectionId} (${where}): ${c.customers} customers, ${c.warehouses} warehouses, ${c.shipMethods} ship methods, ${c.items} charge items, ${c.glAccounts} GL accounts looked up; ${errors} errors, ${warnings} warnings${errors > 0 ? ': orders would fail in Sage with this mapping' : ''}`;
}
