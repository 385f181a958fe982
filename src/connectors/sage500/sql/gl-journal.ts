import { FISCAL_PERIOD_OPEN } from '../tables.ts';
import type { SageDb } from './db.ts';
import type { Insertable } from 'kysely';
import type { SageDatabase } from '../tables.ts';

/** Accounts by GLAcctNo (unmasked) in one company; validity is decided in code (Status 1, PostingType 1 or 3). */
export function selectGlAccounts(db: SageDb, companyId: string, accounts: readonly string[]) {
  return db.selectFrom('tglAccount').select(['GLAcctKey', 'GLAcctNo', 'Status', 'PostingType']).where('CompanyID', '=', companyId).where('GLAcctNo', 'in', accounts);
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
  return db.selectFrom('tglJournal').select(['JrnlKey']).where('CompanyID', '=', companyId).where('JrnlID', '=', journalId);
}

/** An earlier batch for the same reference: the idempotency check (reference kept in tglBatch.BatchCmnt). */
export function selectBatchByComment(db: SageDb, companyId: string, comment: string) {
  return db
    .selectFrom('tglBatch as b')
    .innerJoin('tciBatchLog as bl', 'bl.BatchKey', 'b.BatchKey')
    .select(['b.BatchKey', 'bl.BatchNo'])
    .where('bl.SourceCompanyID', '=', companyId)
    .where('b.BatchCmnt', '=', comment);
}

/**
 * Next journal number. Sage's routine for it is not public (facts §8.9, probably spglGiveNextJrnlNo); until it
 * is confirmed we take the next number after tglJournalLog's highest for the journal, inside the batch's
 * transaction. [I]
 */
export function selectLastJournalNo(db: SageDb, companyId: string, jrnlKey: number) {
  return db.selectFrom('tglJournalLog').select((eb) => eb.fn.max('JrnlNo').as('LastNo')).where('CompanyID', '=', companyId).where('JrnlKey', '=', jrnlKey);
}

export function insertGlBatch(db: SageDb, row: Insertable<SageDatabase['tglBatch']>) {
  return db.insertInto('tglBatch').values(row);
}

/** S9 sets the batch log's PostDate after spGetNextBatch ("fix error in GL batches"). */
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
