import {
  editPathOf,
  overlayMappingEdits,
  type MappingEditKind,
  type MappingEdits,
} from '../core/rules/mapping-edits.ts';
import type { MappingRules } from '../core/rules/mapping-rules.ts';
import { checkMapping, type MappingCheckGateway } from './check-mapping.ts';

/**
 * A mapping edit checked against the connection's Sage company before it is saved (issue 21, "Checked before it is
 * used"): the rules the connection would have with the edit are run through `connections check`
 * (src/flows/check-mapping.ts), and every error that comes from the edited rows is returned with the row's path
 * (`rows[2].currency`), the value and what Sage has. Errors of values the edit does not set (the configuration's)
 * do not block the edit; `sellbridge connections check` reports them. SKU aliases and carriers, which the check does
 * not cover, are looked up here: each ItemID must exist in Sage, each ShipMethID too.
 */
export interface EditProblem {
  /** Where in the edit: `rows[<0-based index>].<field>`. */
  readonly path: string;
  readonly value: string;
  /** The value's place in sellbridge.yaml terms (what `connections check` calls it), when it has one. */
  readonly configPath?: string;
  /** What is wrong, with what Sage has. */
  readonly problem: string;
}

export interface EditCheck {
  readonly problems: readonly EditProblem[];
  /** Not blocking (a customer on hold), shown with the saved edit. */
  readonly warnings: readonly EditProblem[];
}

export type EditCheckGateway = MappingCheckGateway;

/** One of the order mapping kinds (customers, warehouses, ship methods, charge items, policies). */
export async function checkMappingEdit(
  sage: EditCheckGateway,
  connectionId: string,
  base: MappingRules,
  stored: MappingEdits,
  kind: MappingEditKind,
  rows: readonly object[],
): Promise<EditCheck> {
  const candidate = overlayMappingEdits(base, { ...stored, [kind]: rows });
  const check = await checkMapping(sage, connectionId, candidate);
  const problems: EditProblem[] = [];
  const warnings: EditProblem[] = [];
  for (const p of check.problems) {
    const path = editPathOf(kind, rows, p.path);
    if (!path) continue;
    (p.severity === 'error' ? problems : warnings).push({
      path,
      value: p.value,
      configPath: p.path,
      problem: p.problem,
    });
  }
  return { problems, warnings };
}

/** SKU aliases: every ItemID exists in Sage by ItemID (an alias pointing nowhere would fail each order it meets). */
export async function checkAliasEdit(
  sage: Pick<EditCheckGateway, 'resolveItems'>,
  rows: ReadonlyArray<{ sellerSku: string; itemId: string }>,
): Promise<EditCheck> {
  const ids = [...new Set(rows.map((r) => r.itemId))];
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const r = await sage.resolveItems(ids.slice(i, i + 500));
    for (const item of r.items) if (item.matchedBy === 'item-id') found.add(item.itemId.trim().toUpperCase());
  }
  const problems = rows.flatMap((r, i) =>
    found.has(r.itemId.trim().toUpperCase())
      ? []
      : [{ path: `rows[${i}].itemId`, value: r.itemId, problem: `Sage has no item ${r.itemId} (timItem.ItemID)` }],
  );
  return { problems, warnings: [] };
}

/** Carriers: every ShipMethID exists in Sage (a row for a ship method Sage lacks would never be used). */
export async function checkCarrierEdit(
  sage: Pick<EditCheckGateway, 'resolveShipMethods'>,
  rows: ReadonlyArray<{ shipMethId: string }>,
): Promise<EditCheck> {
  const ids = [...new Set(rows.map((r) => r.shipMethId))];
  const found = new Set(
    ids.length ? (await sage.resolveShipMethods(ids)).map((s) => s.shipMethodId.trim().toUpperCase()) : [],
  );
  const problems = rows.flatMap((r, i) =>
    found.has(r.shipMethId.trim().toUpperCase())
      ? []
      : [
          {
            path: `rows[${i}].shipMethId`,
            value: r.shipMethId,
            problem: `Sage has no ship method ${r.shipMethId} (tciShipMethod.ShipMethID)`,
          },
        ],
  );
  return { problems, warnings: [] };
}
