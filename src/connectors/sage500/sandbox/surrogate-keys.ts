import { sql } from 'kysely';
import type { SageDb } from '../sql/db.ts';

/**
 * spGetNextSurrogateKey in the sandbox: one statement that takes the current NextKey and moves it on, so two
 * callers never get the same key (facts §1.3; an unknown name starts at 1, like the Go port in S5).
 */
export async function nextSurrogateKey(db: SageDb, tableName: string): Promise<number> {
  const { rows } = await sql<{ Key: number }>`INSERT INTO tciSurrogateKey (TableName, NextKey) VALUES (${tableName}, 2)
    ON CONFLICT (TableName) DO UPDATE SET NextKey = NextKey + 1 RETURNING NextKey - 1 AS "Key"`.execute(db);
  return Number(rows[0]!.Key);
}
