import type { SageDb } from './db.ts';

/**
 * Removes whatever one of our sessions left: its failed staging rows for our TranNo and its log (facts §6.9:
 * never re-run old rows). The SessionKey is drawn from Sage's own counter (`tsmMigrateSession`, review §3 item
 * 6), so no other import holds it; the staging deletes also name our TranNo, so even a colliding key could not
 * remove another job's rows. Three statements, run in one transaction, lines first.
 */
export function deleteSessionRows(db: SageDb, sessionKey: number, tranNo: string) {
  return [
    db.deleteFrom('StgSOLine').where('SessionKey', '=', sessionKey).where('TranNo', '=', tranNo),
    db.deleteFrom('StgSalesOrder').where('SessionKey', '=', sessionKey).where('TranNo', '=', tranNo),
    db.deleteFrom('tdmMigrationLogWrk').where('SessionKey', '=', sessionKey),
  ] as const;
}
