import type { SageDb } from './db.ts';

/**
 * Removes whatever a session left: failed staging rows and its log (facts §6.9: never re-run old rows).
 * Three statements, run in one transaction, lines first.
 */
export function deleteSessionRows(db: SageDb, sessionKey: number) {
  return [
    db.deleteFrom('StgSOLine').where('SessionKey', '=', sessionKey),
    db.deleteFrom('StgSalesOrder').where('SessionKey', '=', sessionKey),
    db.deleteFrom('tdmMigrationLogWrk').where('SessionKey', '=', sessionKey),
  ] as const;
}
