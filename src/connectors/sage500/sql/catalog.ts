/**
 * The catalog reads of `sellbridge sage500 verify` and `discover` on SQL Server, as T-SQL text with numbered
 * parameters (the names of the objects asked for). Read-only; sys.* views only.
 */
function nameList(count: number): string {
  return Array.from({ length: count }, (_, i) => `@${i + 1}`).join(', ');
}

/** Tables, views and procedures by name, with each table's or view's columns (type, length, NULL, default, identity). */
export function catalogColumnsSql(nameCount: number): string {
  return `SELECT o.name AS ObjectName, o.type AS ObjectType, c.name AS ColumnName, t.name AS TypeName, c.max_length AS MaxLength, c.precision AS NumPrecision, c.scale AS NumScale, c.is_nullable AS IsNullable, c.is_identity AS IsIdentity, c.default_object_id AS DefaultObjectId FROM sys.objects o LEFT JOIN sys.columns c ON c.object_id = o.object_id LEFT JOIN sys.types t ON t.user_type_id = c.user_type_id WHERE o.type IN ('U', 'V', 'P') AND o.name IN (${nameList(nameCount)}) ORDER BY o.name, c.column_id`;
}

/** Parameters of the named procedures, in declaration order. */
export function catalogParametersSql(nameCount: number): string {
  return `SELECT o.name AS ProcedureName, p.parameter_id AS Position, p.name AS ParameterName, t.name AS TypeName, p.max_length AS MaxLength, p.is_output AS IsOutput FROM sys.parameters p JOIN sys.objects o ON o.object_id = p.object_id JOIN sys.types t ON t.user_type_id = p.user_type_id WHERE o.name IN (${nameList(nameCount)}) ORDER BY o.name, p.parameter_id`;
}

/** Columns of every user table that has a ShipKey column and a column named like a tracking number. */
export const TRACKING_CANDIDATES_SQL =
  "SELECT o.name AS ObjectName, o.type AS ObjectType, c.name AS ColumnName, t.name AS TypeName, c.max_length AS MaxLength, c.precision AS NumPrecision, c.scale AS NumScale, c.is_nullable AS IsNullable, c.is_identity AS IsIdentity, c.default_object_id AS DefaultObjectId FROM sys.objects o JOIN sys.columns c ON c.object_id = o.object_id JOIN sys.types t ON t.user_type_id = c.user_type_id WHERE o.type = 'U' AND o.object_id IN (SELECT k.object_id FROM sys.columns k WHERE k.name = 'ShipKey') AND o.object_id IN (SELECT r.object_id FROM sys.columns r WHERE r.name LIKE '%Track%') ORDER BY o.name, c.column_id";

const CHAR_BYTES = new Set(['nvarchar', 'nchar']);

/** Rows of the two queries above as a Catalog. */
export function catalogFromRows(
  columnRows: readonly Record<string, unknown>[],
  parameterRows: readonly Record<string, unknown>[],
) {
  const kindOf = (t: unknown) =>
    (String(t).trim() === 'U' ? 'table' : String(t).trim() === 'V' ? 'view' : 'procedure') as
      'table' | 'view' | 'procedure';
  const objects = new Map<string, { name: string; kind: 'table' | 'view' | 'procedure' }>();
  const columns = [];
  for (const r of columnRows) {
    const name = String(r.ObjectName);
    objects.set(name, { name, kind: kindOf(r.ObjectType) });
    if (r.ColumnName === null || r.ColumnName === undefined) continue;
    const type = String(r.TypeName).toLowerCase();
    const bytes = Number(r.MaxLength);
    const isChar = /char/.test(type);
    columns.push({
      object: name,
      column: String(r.ColumnName),
      type,
      maxLength: isChar ? (bytes === -1 ? null : CHAR_BYTES.has(type) ? bytes / 2 : bytes) : null,
      precision: /decimal|numeric/.test(type) ? Number(r.NumPrecision) : null,
      scale: /decimal|numeric/.test(type) ? Number(r.NumScale) : null,
      nullable: Boolean(r.IsNullable),
      hasDefault: Number(r.DefaultObjectId ?? 0) !== 0,
      identity: Boolean(r.IsIdentity),
    });
  }
  const parameters = parameterRows.map((r) => {
    const type = String(r.TypeName).toLowerCase();
    const bytes = Number(r.MaxLength);
    return {
      procedure: String(r.ProcedureName),
      position: Number(r.Position),
      name: String(r.ParameterName).replace(/^@/, ''),
      type,
      maxLength: /char/.test(type) ? (bytes === -1 ? null : CHAR_BYTES.has(type) ? bytes / 2 : bytes) : null,
      output: Boolean(r.IsOutput),
    };
  });
  for (const p of parameters)
    if (!objects.has(p.procedure)) objects.set(p.procedure, { name: p.procedure, kind: 'procedure' });
  return { objects: [...objects.values()], columns, parameters };
}
