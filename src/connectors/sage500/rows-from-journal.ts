import type { Insertable } from 'kysely';
import type { JournalBatch } from '../../core/model/journal.ts';
import { money, moneyToDecimal } from '../../core/model/money.ts';
import type { SageDatabase } from './tables.ts';

/** Values R6 writes that the sources do not explain further (review §2.3); one place, named. */
const GENERAL_JRNL_TYPE_TRANSACTION = 1;
const JOURNAL_LOG_STATUS_UNPOSTED = 2;
/** tglJournalHdr.Status of a balanced journal (R6: JournalStatus.Balance). */
const JOURNAL_STATUS_BALANCED = 1;
/** SourceModule: R6 writes the module id "GL"; where the column is a smallint module number it is 3 (GL). */
export const SOURCE_MODULE_TEXT = 'GL';
export const SOURCE_MODULE_NUMBER = '3';

export interface JournalRowKeys {
  readonly companyId: string;
  readonly userId: string;
  readonly batchKey: number;
  readonly batchNo: number;
  readonly jrnlHdrKey: number;
  readonly jrnlKey: number;
  readonly jrnlNo: number;
  readonly postDate: string;
  readonly now: string;
  /** tglJournalHdr.SourceModule as the catalog types it: text ("GL") or a module number. */
  readonly sourceModuleText: boolean;
  readonly accountKeys: ReadonlyMap<string, number>;
}

/**
 * The rows of one settlement journal, with every column the sources show (R6, Net4Sage GeneralJournalsBatch;
 * review §3 item 1): tglBatch, tglJournalLog, tglJournalHdr, tglJournalDetl, and our idempotency row
 * tglBatch_AMZ. Pure; `sellbridge sage500 verify` compiles the inserts of these rows to learn which columns
 * our inserts write.
 */
export function rowsFromJournal(batch: JournalBatch, k: JournalRowKeys) {
  const amount = (minor: number) => moneyToDecimal(money(batch.currency, minor));
  const batchRow: Insertable<SageDatabase['tglBatch']> = {
    BatchKey: k.batchKey,
    BatchCmnt: batch.reference,
    GeneralJrnlType: GENERAL_JRNL_TYPE_TRANSACTION,
    Hold: 0,
    InterCompany: 0,
    InterCompUsage: 0,
    OrigUserID: k.userId,
    PostDate: k.postDate,
    Private: 0,
    TranCtrl: '0',
    UpdateCounter: 0,
  };
  const logRow: Insertable<SageDatabase['tglJournalLog']> = {
    CompanyID: k.companyId,
    JrnlKey: k.jrnlKey,
    JrnlNo: k.jrnlNo,
    PostDate: k.postDate,
    TranStatus: JOURNAL_LOG_STATUS_UNPOSTED,
  };
  const headerRow: Insertable<SageDatabase['tglJournalHdr']> = {
    JrnlHdrKey: k.jrnlHdrKey,
    BatchKey: k.batchKey,
    CheckNo: 0,
    CompanyID: k.companyId,
    CreateType: 0,
    OffsetPost: 0,
    JrnlKey: k.jrnlKey,
    JrnlNo: k.jrnlNo,
    CurrID: batch.currency,
    // Sage keeps the rate as a float (facts §1.4); amounts stay exact in PostAmt/PostAmtHC.
    CurrExchRate: batch.exchange ? Number(batch.exchange.rate) : 1,
    Financial: 1,
    GLAcctKey: null,
    NextEntryNo: batch.lines.length + 1,
    OutOfBalance: 0,
    OutOfBalOverride: 0,
    ReqOffsetAmt: '0',
    ReverseJrnl: 0,
    SourceModule: k.sourceModuleText ? SOURCE_MODULE_TEXT : SOURCE_MODULE_NUMBER,
    Status: JOURNAL_STATUS_BALANCED,
    CreateDate: k.now,
    CreateUserID: k.userId,
  };
  const lineRows: Insertable<SageDatabase['tglJournalDetl']>[] = batch.lines.map((l, i) => ({
    JrnlHdrKey: k.jrnlHdrKey,
    EntryNo: i + 1,
    SeqNo: 16384 * (i + 1),
    GLAcctKey: k.accountKeys.get(l.account)!,
    PostAmt: amount(l.amount.minor),
    PostAmtHC: l.home ? moneyToDecimal(l.home) : amount(l.amount.minor),
    PostQty: '0',
    PostCmnt: l.comment.slice(0, 50),
    RefNo: '',
    TargetCompanyID: k.companyId,
    TranDate: k.postDate,
  }));
  const linkRow: Insertable<SageDatabase['tglBatch_AMZ']> = {
    CompanyID: k.companyId,
    Reference: batch.reference,
    BatchKey: k.batchKey,
    BatchNo: k.batchNo,
    JrnlHdrKey: k.jrnlHdrKey,
    CreatedAt: k.now,
  };
  return { batchRow, logRow, headerRow, lineRows, linkRow };
}
