import type { SageDb } from './db.ts';

/** Whether the header is still staged (ProcessStatus 2 = failed); success deletes it (facts §4.3). */
export function selectStagedStatus(db: SageDb, sessionKey: number) {
  return db.selectFrom('StgSalesOrder').select(['TranNo', 'ProcessStatus']).where('SessionKey', '=', sessionKey);
}

/** Messages the import wrote for the session (Status 1 failure, 2 warning). */
export function selectMigrationLog(db: SageDb, sessionKey: number) {
  return db
    .selectFrom('tdmMigrationLogWrk')
    .select(['EntityID', 'ColumnID', 'ColumnValue', 'Status', 'Comment'])
    .where('SessionKey', '=', sessionKey)
    .orderBy('EntityID');
}
