/**
 * What the database's own catalog says about the objects the adapter uses (sys.objects, sys.columns,
 * sys.parameters, sys.types, default constraints on SQL Server; SQLite's catalog and the sandbox's emulated
 * parameter table in the sandbox). `sellbridge sage500 verify` compares it with the adapter's SQL, and the
 * gateway asks it before relying on anything the public sources do not confirm.
 */
export interface CatalogObject {
  readonly name: string;
  readonly kind: 'table' | 'view' | 'procedure';
}

export interface CatalogColumn {
  readonly object: string;
  readonly column: string;
  /** Lower-case type name (`varchar`, `smallint`, `decimal` ...); empty when the catalog does not say (a view's computed column in the sandbox). */
  readonly type: string;
  /** Characters for char types; null otherwise. */
  readonly maxLength: number | null;
  readonly precision: number | null;
  readonly scale: number | null;
  readonly nullable: boolean;
  readonly hasDefault: boolean;
  readonly identity: boolean;
}

export interface CatalogParameter {
  readonly procedure: string;
  /** 1-based, as sys.parameters.parameter_id. */
  readonly position: number;
  /** Without the leading @. */
  readonly name: string;
  readonly type: string;
  readonly maxLength: number | null;
  readonly output: boolean;
}

export interface Catalog {
  readonly objects: readonly CatalogObject[];
  readonly columns: readonly CatalogColumn[];
  readonly parameters: readonly CatalogParameter[];
}

export interface CatalogReader {
  /** Objects (tables, views, procedures) with these names, their columns and parameters. Read-only. */
  readCatalog(objectNames: readonly string[]): Promise<Catalog>;
  /**
   * Every user table that has a ShipKey column and a column named like a tracking number, with all its
   * columns: the candidates `sage500 discover` proposes for the package/tracking table. Read-only.
   */
  readTrackingCandidates(): Promise<Catalog>;
}

export type TypeFamily = 'char' | 'int' | 'decimal' | 'float' | 'datetime' | 'other';

export function typeFamily(type: string): TypeFamily {
  const t = type.toLowerCase();
  if (/char|text/.test(t)) return 'char';
  if (/^(int|integer|smallint|tinyint|bigint|bit)$/.test(t)) return 'int';
  if (/^(decimal|numeric|money|smallmoney)$/.test(t)) return 'decimal';
  if (/^(float|real)$/.test(t)) return 'float';
  if (/date|time/.test(t)) return 'datetime';
  return 'other';
}

/** A declared type such as `VARCHAR(30)`, `DECIMAL(15,3)`, `smallint` taken apart. */
export function parseDeclaredType(declared: string): {
  type: string;
  maxLength: number | null;
  precision: number | null;
  scale: number | null;
} {
  const m = /^\s*([A-Za-z ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/.exec(declared);
  if (!m) return { type: declared.toLowerCase(), maxLength: null, precision: null, scale: null };
  const type = m[1]!.toLowerCase() === 'integer' ? 'int' : m[1]!.toLowerCase();
  const a = m[2] === undefined ? null : Number(m[2]);
  const b = m[3] === undefined ? null : Number(m[3]);
  if (typeFamily(type) === 'char') return { type, maxLength: a, precision: null, scale: null };
  if (typeFamily(type) === 'decimal') return { type, maxLength: null, precision: a, scale: b ?? 0 };
  return { type, maxLength: null, precision: null, scale: null };
}
