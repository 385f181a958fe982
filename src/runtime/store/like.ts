import { sql, type Expression, type SqlBool } from 'kysely';

/**
 * `column LIKE '%text%'` where `text` matches literally: `%`, `_` and `\` in it are escaped and the statement
 * says `ESCAPE '\'` (SQLite has no default escape character; PostgreSQL's is the backslash). Unescaped, `q=%`
 * matched every row.
 */
export function containsLiteral(column: string, text: string): Expression<SqlBool> {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`${sql.ref(column)} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}
