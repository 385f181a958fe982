import { SESSION_KEY_NAME } from '../gateway-core.ts';
import { tableSpec, type SageTableName } from '../tables.ts';

const EXTENSION_TABLES: readonly SageTableName[] = ['tsoSalesOrder_AMZ', 'tsoSOLine_AMZ', 'tsoShipment_AMZ'];

function mssqlType(spec: string): string {
  const base = spec.replace(/\?$/, '');
  return base === 'datetime' ? 'datetime' : base;
}

/**
 * T-SQL that creates Sellbridge's extension tables when missing (suffix _AMZ, facts §1.2 and §5) and seeds
 * the surrogate-key name for staging sessions. Each statement is idempotent, so `install-extensions` can run
 * any number of times; `--print` hands the same text to a DBA.
 */
export function extensionDdl(): string[] {
  const tables = EXTENSION_TABLES.map((name) => {
    const spec = tableSpec(name);
    const cols = Object.entries(spec.columns).map(([col, type]) => `${col} ${mssqlType(type)} ${type.endsWith('?') ? 'NULL' : 'NOT NULL'}`);
    cols.push(`CONSTRAINT PK_${name} PRIMARY KEY (${spec.primaryKey!.join(', ')})`);
    (spec.unique ?? []).forEach((u, i) => cols.push(`CONSTRAINT XAK${i + 1}${name} UNIQUE (${u.join(', ')})`));
    return `IF OBJECT_ID('dbo.${name}', 'U') IS NULL CREATE TABLE dbo.${name} (${cols.join(', ')})`;
  });
  return [
    ...tables,
    `IF NOT EXISTS (SELECT 1 FROM tciSurrogateKey WHERE TableName = '${SESSION_KEY_NAME}') INSERT INTO tciSurrogateKey (TableName, NextKey) VALUES ('${SESSION_KEY_NAME}', 1)`,
  ];
}
