import type { DatabaseSync } from 'node:sqlite';
import { parseDeclaredType, type Catalog, type CatalogColumn, type CatalogParameter } from '../catalog.ts';
import { adapterProcedures, JOURNAL_NUMBER_PROCEDURE, type SqlType } from '../sql/procedures.ts';

/** The sandbox's stand-in for sys.parameters: the interfaces of the procedures it emulates. */
const PARAMETER_TABLE = 'sandbox_sys_parameters';

/** spglGiveNextJrnlNo's names in the sandbox (no public source has them; the adapter uses the catalog's names). */
const SANDBOX_JOURNAL_NUMBER_NAMES = ['iCompanyID', 'iJrnlKey', 'iNoOfJrnlNos', 'oJrnlNo', 'oRetVal'];

const declared = (t: SqlType) =>
  t.type === 'VarChar'
    ? `varchar(${t.length})`
    : t.type === 'Int'
      ? 'int'
      : t.type === 'SmallInt'
        ? 'smallint'
        : 'datetime';

/**
 * DDL and rows of the sandbox's parameter catalog: the procedures it emulates (spSOapiSalesOrdIns with R1's
 * `@UseStageTable`, spGetNextSurrogateKey, spGetNextBatch, spglGiveNextJrnlNo), so `verify` reads the sandbox
 * the way it reads sys.parameters. Missing rows are added on every open (older sandbox files get them); a test
 * renames a row to see verify report it.
 */
export function SANDBOX_PROCEDURE_CATALOG_DDL(): string[] {
  const rows = adapterProcedures().flatMap((proc) =>
    proc.params.map((p, i) => {
      const name = proc.procedure === JOURNAL_NUMBER_PROCEDURE ? SANDBOX_JOURNAL_NUMBER_NAMES[i]! : p.names[0]!;
      const length = p.sqlType.type === 'VarChar' ? p.sqlType.length : 'NULL';
      return `('${proc.procedure}', ${i + 1}, '${name}', '${declared(p.sqlType).replace(/\(.*$/, '')}', ${length}, ${p.output ? 1 : 0})`;
    }),
  );
  return [
    `CREATE TABLE IF NOT EXISTS ${PARAMETER_TABLE} (ProcedureName TEXT NOT NULL, Position INTEGER NOT NULL, ParameterName TEXT NOT NULL, TypeName TEXT NOT NULL, MaxLength INTEGER, IsOutput INTEGER NOT NULL, PRIMARY KEY (ProcedureName, Position))`,
    `INSERT OR IGNORE INTO ${PARAMETER_TABLE} (ProcedureName, Position, ParameterName, TypeName, MaxLength, IsOutput) VALUES ${rows.join(', ')}`,
  ];
}

function columnsOf(raw: DatabaseSync, object: string): CatalogColumn[] {
  const rows = raw
    .prepare(`SELECT name, type, "notnull" AS nn, dflt_value AS dflt, pk FROM pragma_table_info(?)`)
    .all(object) as { name: string; type: string; nn: number; dflt: string | null; pk: number }[];
  const autoincrement = /AUTOINCREMENT/i.test(
    String(
      (raw.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).get(object) as { sql?: string } | undefined)?.sql ??
        '',
    ),
  );
  return rows.map((r) => {
    const t = parseDeclaredType(r.type);
    return {
      object,
      column: r.name,
      type: r.type === '' ? '' : t.type,
      maxLength: t.maxLength,
      precision: t.precision,
      scale: t.scale,
      nullable: r.nn === 0 && r.pk === 0,
      hasDefault: r.dflt !== null,
      identity: autoincrement && r.pk === 1,
    };
  });
}

/** The sandbox's answer to verify's catalog read: SQLite's catalog for tables and views, the parameter table for procedures. */
export function readSandboxCatalog(raw: DatabaseSync, names: readonly string[]): Catalog {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const objects = (
    raw.prepare(`SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')`).all() as {
      name: string;
      type: string;
    }[]
  )
    .filter((o) => wanted.has(o.name.toLowerCase()))
    .map((o) => ({ name: o.name, kind: o.type === 'view' ? ('view' as const) : ('table' as const) }));
  const parameters = (
    raw
      .prepare(
        `SELECT ProcedureName, Position, ParameterName, TypeName, MaxLength, IsOutput FROM ${PARAMETER_TABLE} ORDER BY ProcedureName, Position`,
      )
      .all() as Record<string, unknown>[]
  )
    .filter((p) => wanted.has(String(p.ProcedureName).toLowerCase()))
    .map((p): CatalogParameter => ({
      procedure: String(p.ProcedureName),
      position: Number(p.Position),
      name: String(p.ParameterName),
      type: String(p.TypeName),
      maxLength: p.MaxLength === null ? null : Number(p.MaxLength),
      output: Number(p.IsOutput) === 1,
    }));
  const procedures = [...new Set(parameters.map((p) => p.procedure))].map((name) => ({
    name,
    kind: 'procedure' as const,
  }));
  return { objects: [...objects, ...procedures], columns: objects.flatMap((o) => columnsOf(raw, o.name)), parameters };
}

/** Tables with a ShipKey column and a column named like a tracking number, with all their columns. */
export function readSandboxTrackingCandidates(raw: DatabaseSync): Catalog {
  const tables = (
    raw.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as {
      name: string;
    }[]
  ).map((t) => t.name);
  const candidates = tables.filter((t) => {
    const cols = columnsOf(raw, t).map((c) => c.column);
    return cols.includes('ShipKey') && cols.some((c) => /track/i.test(c));
  });
  return {
    objects: candidates.map((name) => ({ name, kind: 'table' as const })),
    columns: candidates.flatMap((t) => columnsOf(raw, t)),
    parameters: [],
  };
}
