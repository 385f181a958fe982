import { MappingError, SellbridgeError } from '../../../core/errors.ts';
import type { CustomerReceivable, GlAccountCheck, JournalBatch, PostedJournal } from '../../../core/model/journal.ts';
import { money, moneyToDecimal } from '../../../core/model/money.ts';
import type { Sage500Gateway } from '../../../core/ports/sage500-gateway.ts';
import { sageDate, sageDateTime } from '../decimal.ts';
import { rowsFromJournal } from '../rows-from-journal.ts';
import type { SageDb } from '../sql/db.ts';
import { selectCustomerReceivables } from '../sql/customer-receivables.ts';
import {
  insertGlBatch,
  insertJournalHeader,
  insertJournalLines,
  insertJournalLink,
  insertJournalLog,
  selectGlAccounts,
  selectJournal,
  selectJournalLink,
  selectOpenFiscalPeriod,
  unmaskedGlAccount,
  updateBatchLogPostDate,
} from '../sql/gl-journal.ts';
import { JOURNAL_NUMBER_PROCEDURE } from '../sql/procedures.ts';
import type { GatewayContext } from './context.ts';

/** GL accounts and settlement journals. */
export function glJournalMethods(
  ctx: GatewayContext,
): Pick<Sage500Gateway, 'validateGlAccounts' | 'postJournal' | 'receivableAccountsOf'> {
  const { backend, co, options } = ctx;

  /** Each asked account (masked or unmasked) with its row, matched on the unmasked number (review §3 item 10). */
  async function accountRows(db: SageDb, accounts: readonly string[]) {
    const rows = await selectGlAccounts(db, co, accounts).execute();
    return new Map(accounts.map((a) => [a, rows.find((r) => unmaskedGlAccount(r.GLAcctNo) === unmaskedGlAccount(a))]));
  }

  async function validateGlAccounts(accounts: readonly string[]): Promise<GlAccountCheck[]> {
    const wanted = [...new Set(accounts)];
    if (wanted.length === 0) return [];
    const rows = await accountRows(backend.db, wanted);
    return wanted.map((account) => {
      const row = rows.get(account);
      if (!row) return { account, valid: false, problem: 'no such account in tglAccount' };
      if (row.Status !== 1) return { account, valid: false, problem: `status ${row.Status} is not active (1)` };
      if (row.PostingType !== 1 && row.PostingType !== 3)
        return { account, valid: false, problem: `posting type ${row.PostingType} is not financial (1 or 3)` };
      return { account, valid: true };
    });
  }

  /**
   * One unposted GL batch per reference. The batch, its key, the header key and the journal number are all
   * drawn inside the journal's transaction on one connection, so a failed insert leaves no orphan batch
   * behind (review §3 item 13) and the journal counter is held until the journal is in (item 9). Idempotency
   * rests on our own tglBatch_AMZ row, written in that transaction, never on the editable batch comment.
   */
  async function postJournal(batch: JournalBatch): Promise<PostedJournal> {
    const problems: string[] = [];
    if (batch.lines.length === 0) problems.push('no lines');
    if (batch.lines.some((l) => l.amount.currency !== batch.currency))
      problems.push(`a line is not in ${batch.currency}`);
    const total = batch.lines.reduce((sum, l) => sum + l.amount.minor, 0);
    if (total !== 0) problems.push(`lines net to ${moneyToDecimal(money(batch.currency, total))}, not 0`);
    if (batch.exchange) {
      const home = batch.exchange.homeCurrency;
      if (batch.lines.some((l) => !l.home || l.home.currency !== home))
        problems.push(`a line has no home-currency (${home}) amount`);
      const homeTotal = batch.lines.reduce((sum, l) => sum + (l.home?.minor ?? 0), 0);
      if (homeTotal !== 0)
        problems.push(`home-currency amounts net to ${moneyToDecimal(money(home, homeTotal))}, not 0`);
      if (!(Number(batch.exchange.rate) > 0)) problems.push(`exchange rate ${batch.exchange.rate} is not above 0`);
    }
    if (batch.reference.length === 0 || batch.reference.length > 50)
      problems.push('reference must be 1 to 50 characters (tglBatch_AMZ.Reference)');
    if (problems.length > 0) {
      throw new SellbridgeError('SB_SAGE_JOURNAL_UNBALANCED', `journal ${batch.reference}: ${problems.join('; ')}`, {
        context: { reference: batch.reference },
      });
    }
    const existing = await selectJournalLink(backend.db, co, batch.reference).executeTakeFirst();
    if (existing) return { outcome: 'existing', batchKey: String(existing.BatchKey), batchNo: existing.BatchNo };

    const checks = await validateGlAccounts(batch.lines.map((l) => l.account));
    const bad = checks.filter((c) => !c.valid);
    if (bad.length > 0) {
      throw new MappingError(
        'SB_SAGE_GL_ACCOUNT_INVALID',
        `journal ${batch.reference}`,
        bad.map((c) => ({ field: `account ${c.account}`, problem: c.problem ?? 'invalid' })),
        {
          context: { reference: batch.reference },
        },
      );
    }
    const postDate = sageDate(batch.postDate);
    if (!(await selectOpenFiscalPeriod(backend.db, co, postDate).executeTakeFirst())) {
      throw new SellbridgeError(
        'SB_SAGE_FISCAL_PERIOD_CLOSED',
        `journal ${batch.reference}: ${postDate.slice(0, 10)} is not in an open fiscal period of ${co}`,
        {
          context: { reference: batch.reference },
        },
      );
    }
    const journal = await selectJournal(backend.db, co, options.glJournalId).executeTakeFirst();
    if (!journal)
      throw new SellbridgeError(
        'SB_SAGE_SCHEMA_MISSING',
        `GL journal ${options.glJournalId} (sage500.glJournalId) does not exist in tglJournal for ${co}`,
      );
    const facts = await ctx.facts();
    if (!facts.journalNumberParameters || facts.journalNumberParameters.length < 5) {
      throw new SellbridgeError(
        'SB_SAGE_SCHEMA_MISSING',
        `journal ${batch.reference}: Sage's journal-number procedure ${JOURNAL_NUMBER_PROCEDURE} is missing or has another signature; Sellbridge does not number journals itself (run \`sellbridge sage500 verify\`)`,
        {
          context: { reference: batch.reference },
        },
      );
    }
    const now = sageDateTime(options.clock.now().toISOString());
    const created = await backend.journalTransaction(async (tx) => {
      // A concurrent post of the same reference committed first: its row is here now (the unique key is the last guard).
      const raced = await selectJournalLink(tx.db, co, batch.reference).executeTakeFirst();
      if (raced) return { outcome: 'existing' as const, batchKey: raced.BatchKey, batchNo: raced.BatchNo };
      const accountKeys = new Map(
        [
          ...(await accountRows(
            tx.db,
            batch.lines.map((l) => l.account),
          )),
        ].map(([a, r]) => [a, r!.GLAcctKey]),
      );
      const { batchKey, batchNo } = await tx.getNextBatch({
        userId: options.userId,
        comment: batch.reference,
        postDate,
      });
      const jrnlHdrKey = await tx.nextSurrogateKey('tglJournalHdr');
      const jrnlNo = await tx.nextJournalNo({
        jrnlKey: journal.JrnlKey,
        parameterNames: facts.journalNumberParameters!,
      });
      const rows = rowsFromJournal(batch, {
        companyId: co,
        userId: options.userId,
        batchKey,
        batchNo,
        jrnlHdrKey,
        jrnlKey: journal.JrnlKey,
        jrnlNo,
        postDate,
        now,
        sourceModuleText: facts.sourceModuleText,
        accountKeys,
      });
      await insertGlBatch(tx.db, rows.batchRow).execute();
      await updateBatchLogPostDate(tx.db, batchKey, postDate).execute();
      await insertJournalLog(tx.db, rows.logRow).execute();
      await insertJournalHeader(tx.db, rows.headerRow).execute();
      await insertJournalLines(tx.db, rows.lineRows).execute();
      await insertJournalLink(tx.db, rows.linkRow).execute();
      return { outcome: 'created' as const, batchKey, batchNo };
    });
    return { outcome: created.outcome, batchKey: String(created.batchKey), batchNo: created.batchNo };
  }

  async function receivableAccountsOf(customerIds: readonly string[]): Promise<CustomerReceivable[]> {
    const wanted = [...new Set(customerIds)];
    if (wanted.length === 0) return [];
    if (!(await ctx.facts()).customerClassReceivable)
      return wanted.map((customerId) => ({
        customerId,
        problem:
          "this database's catalog has no tarCustClass.ARAcctKey (Sellbridge's guess at the customer class's receivable account): compare the class's AR account in Sage by hand",
      }));
    const rows = await selectCustomerReceivables(backend.db, co, wanted).execute();
    return wanted.map((customerId) => {
      const r = rows.find((x) => x.CustID === customerId);
      if (!r) return { customerId, problem: `no customer ${customerId} in tarCustomer` };
      if (r.CustClassID === null) return { customerId, problem: `customer ${customerId} has no customer class` };
      if (r.GLAcctNo === null)
        return {
          customerId,
          customerClassId: r.CustClassID,
          problem: `customer class ${r.CustClassID} has no receivable account`,
        };
      return { customerId, customerClassId: r.CustClassID, account: r.GLAcctNo };
    });
  }

  return { validateGlAccounts, postJournal, receivableAccountsOf };
}
