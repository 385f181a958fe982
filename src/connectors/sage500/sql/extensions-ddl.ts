import { parseColumnSpec, tableSpec, type SageTableName } from '../tables.ts';
import { SAGE_EXTENSION_TABLES } from '../sandbox/schema.ts';

/**
 * T-SQL that creates Sellbridge's extension tables when missing (suffix _AMZ, facts §1.2 and §5). Each
 * statement is idempotent, so `install-extensions` can run any number of times; `--print` hands the same text
 * to a DBA. Staging sessions draw their keys from Sage's own `tsmMigrateSession` counter, so nothing is seeded
 * in tciSurrogateKey (review §3 item 6).
 */
export function extensionDdl(): string[] {
  return (SAGE_EXTENSION_TABLES as readonly SageTableName[]).flatMap((name) => [
    createTable(name),
    ...(tableSpec(name).indexes ?? []).map(
      (cols, i) =>
        `IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = 'XIE${i + 1}${name}' AND object_id = OBJECT_ID('dbo.${name}')) CREATE INDEX XIE${i + 1}${name} ON dbo.${name} (${cols.join(', ')})`,
    ),
  ]);
}

function createTable(name: SageTableName): string {
  const spec = tableSpec(name);
  const cols = Object.entries(spec.columns).map(([col, type]) => {
    const { base, nullable } = parseColumnSpec(type);
    return `${col} ${base} ${nullable ? 'NULL' : 'NOT NULL'}`;
  });
  cols.push(`CONSTRAINT PK_${name} PRIMARY KEY (${spec.primaryKey!.join(', ')})`);
  (spec.unique ?? []).forEach((u, i) => cols.push(`CONSTRAINT XAK${i + 1}${name} UNIQUE (${u.join(', ')})`));
  return `IF OBJECT_ID('dbo.${name}', 'U') IS NULL CREATE TABLE dbo.${name} (${cols.join(', ')})`;
}
