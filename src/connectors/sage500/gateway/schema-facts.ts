import type { Catalog, CatalogColumn } from '../catalog.ts';
import { typeFamily } from '../catalog.ts';
import type { ItemColumns } from '../sql/db.ts';
import { JOURNAL_NUMBER_PROCEDURE, STAGE_TABLE_FLAG_NAMES, type StageTableFlagName } from '../sql/procedures.ts';
import type { PackageTableSetting } from '../verify.ts';

/**
 * What the customer's catalog settles that the public sources cannot (review §3): read once per gateway, then
 * every query uses only what is there.
 */
export interface SchemaFacts {
  readonly items: ItemColumns;
  /** timItemAlias exists (item 5). */
  readonly itemAliasTable: boolean;
  /** tsoShipment.DlvryShipMethKey exists (item 14). */
  readonly shipmentShipMethod: boolean;
  /** tarCustClass.ARAcctKey exists (no public source shows it): the customer class's receivable account. */
  readonly customerClassReceivable: boolean;
  /** tglJournalHdr.SourceModule is a char column ("GL") rather than a module number (item 1). */
  readonly sourceModuleText: boolean;
  /** The name spSOapiSalesOrdIns gives its stage-table flag (item 7); undefined = neither. */
  readonly stageTableFlag: StageTableFlagName | undefined;
  /** spglGiveNextJrnlNo's parameter names by position (item 9); undefined = procedure missing. */
  readonly journalNumberParameters: readonly string[] | undefined;
  /** The package/tracking table in use (item 4): configured, or the catalog's only candidate. */
  readonly packageTable: PackageTableSetting | undefined;
  readonly packageTableFrom: 'configured' | 'discovered' | 'sandbox' | undefined;
}

const hasColumn = (catalog: Catalog, object: string, column: string) =>
  catalog.columns.some(
    (c) => c.object.toLowerCase() === object.toLowerCase() && c.column.toLowerCase() === column.toLowerCase(),
  );

/**
 * Package/tracking tables the catalog suggests: tables keyed by ShipKey with a column named like a tracking
 * number (R9: tracking numbers are kept per package; R5 calls the field ShipTrackNo). For each, the tracking
 * column and the column that numbers the package (a name with Pack/Pkg and No/ID/Key, else the table's own key).
 */
export function proposePackageTables(candidates: Catalog): PackageTableSetting[] {
  const byTable = new Map<string, CatalogColumn[]>();
  for (const c of candidates.columns) byTable.set(c.object, [...(byTable.get(c.object) ?? []), c]);
  const out: PackageTableSetting[] = [];
  for (const [table, cols] of byTable) {
    if (!cols.some((c) => c.column === 'ShipKey')) continue;
    const tracking = cols.find((c) => /track/i.test(c.column) && typeFamily(c.type) === 'char');
    if (!tracking) continue;
    const packageNo =
      cols.find((c) => /(pack|pkg).*(no|id|num)/i.test(c.column)) ??
      cols.find((c) => /(pack|pkg).*key/i.test(c.column)) ??
      cols.find((c) => /key$/i.test(c.column) && c.column !== 'ShipKey');
    out.push({ name: table, packageNo: (packageNo ?? tracking).column, tracking: tracking.column });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function schemaFactsFrom(
  catalog: Catalog,
  configured: PackageTableSetting | undefined,
  configuredFrom: 'configured' | 'sandbox' | undefined,
  candidates: Catalog | undefined,
): SchemaFacts {
  const params = (proc: string) =>
    catalog.parameters
      .filter((p) => p.procedure.toLowerCase() === proc.toLowerCase())
      .sort((a, b) => a.position - b.position);
  const soParams = params('spSOapiSalesOrdIns').map((p) => p.name.toLowerCase());
  const sourceModule = catalog.columns.find((c) => c.object === 'tglJournalHdr' && c.column === 'SourceModule');
  const journalProc = catalog.objects.some((o) => o.name.toLowerCase() === JOURNAL_NUMBER_PROCEDURE.toLowerCase());
  const proposals = candidates ? proposePackageTables(candidates) : [];
  const discovered = configured ?? (proposals.length === 1 ? proposals[0] : undefined);
  return {
    items: {
      descriptionLanguage: hasColumn(catalog, 'timItemDescription', 'LanguageID'),
      shipWeight: hasColumn(catalog, 'timItem', 'ShipWeight'),
      userFields: ['UserFld1', 'UserFld2', 'UserFld3', 'UserFld4'].every((c) => hasColumn(catalog, 'timItem', c)),
    },
    itemAliasTable: catalog.objects.some((o) => o.name.toLowerCase() === 'timitemalias'),
    shipmentShipMethod: hasColumn(catalog, 'tsoShipment', 'DlvryShipMethKey'),
    customerClassReceivable: hasColumn(catalog, 'tarCustClass', 'ARAcctKey'),
    // R6 writes "GL"; without a catalog answer keep R6's form.
    sourceModuleText:
      sourceModule === undefined || sourceModule.type === '' || typeFamily(sourceModule.type) === 'char',
    stageTableFlag: STAGE_TABLE_FLAG_NAMES.find((n) => soParams.includes(n.toLowerCase())),
    journalNumberParameters: journalProc ? params(JOURNAL_NUMBER_PROCEDURE).map((p) => p.name) : undefined,
    packageTable: discovered,
    packageTableFrom: configured ? configuredFrom : discovered ? 'discovered' : undefined,
  };
}
