import { sql, type Insertable } from 'kysely';
import { FISCAL_PERIOD_OPEN, type SageDatabase } from '../tables.ts';
import type { SageDb } from './db.ts';

/**
 * Sage stores GL account numbers unmasked (tglAccount.GLAcctNo, R2); people and our demo write them masked
 * ("2300-00"). The unmasked form of either is the account number without its mask separators, which is also
 * what Sage's own import does with a staged GLAcctNo (spDMMASGLMaskStrip, R1; review §3 item 10).
 */
export function unmaskedGlAccount(account: string): string {
  return account.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * Accounts of one company whose number is one of `accounts` masked or unmasked; validity is decided in code
 * (Status 1, PostingType 1 or 3). The column side is unmasked with REPLACE of the usual separators, so a
 * database that keeps masked numbers (the sandbox) answers the same way.
 */
export function selectGlAccounts(db: SageDb, companyId: string, accounts: readonly string[]) {
  const wanted = [...new Set(accounts.map(unmaskedGlAccount))];
  return db
    .selectFrom('tglAccount')
    .select(['GLAcctKey', 'GLAcctNo', 'Status', 'PostingType'])
    .where('CompanyID', '=', companyId)
    .where(sql<string>`REPLACE(REPLACE(REPLACE(${sql.ref('GLAcctNo')}, '-', ''), '.', ''), ' ', '')`, 'in', wanted);
}

/** The open fiscal period containing the date (facts §7d guard; Status 1 = open). */
export function selectOpenFiscalPeriod(db: SageDb, companyId: string, date: string) {
  return db
    .selectFrom('tglFiscalPeriod')
    .select(['FiscYear', 'FiscPer', 'Status'])
    .where('CompanyID', '=', companyId)
    .where('StartDate', '<=', date)
    .where('EndDate', '>=', date)
    .where('Status', '=', FISCAL_PERIOD_OPEN);
}

export function selectJournal(db: SageDb, companyId: string, journalId: string) {
  return db
    .selectFrom('tglJournal')
    .select(['JrnlKey'])
    .where('CompanyID', '=', companyId)
    .where('JrnlID', '=', journalId);
}

/**
 * An earlier journal for the same reference: the idempotency check. It reads our own extension row, written in
 * the journal's transaction, never tglBatch.BatchCmnt, which a Sage user can edit (review §3 item 13).
 */
export function selectJournalLink(db: SageDb, companyId: string, reference: string) {
  return db
    .selectFrom('tglBatch_AMZ')
    .select(['BatchKey', 'BatchNo', 'JrnlHdrKey'])
    .where('CompanyID', '=', companyId)
    .where('Reference', '=', reference);
}

export function insertJournalLink(db: SageDb, row: Insertable<SageDatabase['tglBatch_AMZ']>) {
  return db.insertInto('tglBatch_AMZ').values(row);
}

export function insertGlBatch(db: SageDb, row: Insertable<SageDatabase['tglBatch']>) {
  return db.insertInto('tglBatch').values(row);
}

/** R6 sets the batch log's PostDate after spGetNextBatch ("fix error in GL batches"). */
export function updateBatchLogPostDate(db: SageDb, batchKey: number, postDate: string) {
  return db.updateTable('tciBatchLog').set({ PostDate: postDate }).where('BatchKey', '=', batchKey);
}

export function insertJournalLog(db: SageDb, row: Insertable<SageDatabase['tglJournalLog']>) {
  return db.insertInto('tglJournalLog').values(row);
}

export function insertJournalHeader(db: SageDb, row: Insertable<SageDatabase['tglJournalHdr']>) {
  return db.insertInto('tglJournalHdr').values(row);
}

export function insertJournalLines(db: SageDb, rows: readonly Insertable<SageDatabase['tglJournalDetl']>[]) {
  return db.insertInto('tglJournalDetl').values([...rows]);
}
