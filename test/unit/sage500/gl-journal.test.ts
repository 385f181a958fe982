import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createSandboxGateway, type SandboxGateway } from '../../../src/connectors/sage500/sandbox-gateway.ts';
import { SAGE_TABLES } from '../../../src/connectors/sage500/tables.ts';
import { money } from '../../../src/core/model/money.ts';
import type { JournalBatch } from '../../../src/core/model/journal.ts';

const settlement = (reference: string): JournalBatch => ({
  reference,
  postDate: '2026-11-15T00:00:00Z',
  currency: 'USD',
  lines: [
    { account: '1010-00', amount: money('USD', 12_345), comment: 'Amazon clearing' },
    { account: '4000-00', amount: money('USD', -12_345), comment: 'Sales Amazon' },
  ],
});

let gw: SandboxGateway;
beforeEach(async () => {
  gw = await createSandboxGateway({ path: ':memory:', clock: { now: () => new Date('2026-11-20T16:00:00Z') } });
});
afterEach(async () => {
  await gw.close();
});

const count = async (table: string) =>
  Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(gw.db)).rows[0]!.n);

describe('a settlement journal as the sources show it (review §3 items 1, 9, 13)', () => {
  it('writes every column R6 writes, in the sandbox whose GL columns are NOT NULL without defaults', async () => {
    // The sandbox holds the shapes as declared: no default on any journal column, so an insert that left one
    // out would fail here as on SQL Server (error 515).
    const notNull = (table: string) =>
      sql<{
        name: string;
        notnull: number;
        dflt_value: string | null;
      }>`SELECT name, "notnull", dflt_value FROM pragma_table_info(${table})`.execute(gw.db);
    for (const table of ['tglBatch', 'tglJournalHdr', 'tglJournalDetl', 'tglJournalLog']) {
      const cols = (await notNull(table)).rows;
      expect(cols.map((c) => c.name).sort(), table).toEqual(
        Object.keys(SAGE_TABLES[table as 'tglBatch'].columns).sort(),
      );
      expect(
        cols.filter((c) => c.dflt_value !== null),
        table,
      ).toEqual([]);
    }
    await expect(sql`INSERT INTO tglJournalHdr (JrnlHdrKey, BatchKey) VALUES (1, 1)`.execute(gw.db)).rejects.toThrow(
      /NOT NULL/,
    );

    const posted = await gw.postJournal(settlement('settlement:77:USD'));
    expect(posted.outcome).toBe('created');
    const batchKey = Number(posted.batchKey);
    expect(
      await gw.db.selectFrom('tglBatch').selectAll().where('BatchKey', '=', batchKey).executeTakeFirstOrThrow(),
    ).toEqual({
      BatchKey: batchKey,
      BatchCmnt: 'settlement:77:USD',
      GeneralJrnlType: 1,
      Hold: 0,
      InterCompany: 0,
      InterCompUsage: 0,
      OrigUserID: 'sellbridge',
      PostDate: '2026-11-15T00:00:00',
      Private: 0,
      TranCtrl: 0,
      UpdateCounter: 0,
    });
    const header = await gw.db
      .selectFrom('tglJournalHdr')
      .selectAll()
      .where('BatchKey', '=', batchKey)
      .executeTakeFirstOrThrow();
    expect(header).toEqual({
      JrnlHdrKey: header.JrnlHdrKey,
      BatchKey: batchKey,
      CheckNo: 0,
      CompanyID: 'SOA',
      CreateType: 0,
      OffsetPost: 0,
      JrnlKey: 801,
      JrnlNo: 1,
      CurrID: 'USD',
      CurrExchRate: 1,
      Financial: 1,
      GLAcctKey: null,
      NextEntryNo: 3,
      OutOfBalance: 0,
      OutOfBalOverride: 0,
      ReqOffsetAmt: 0,
      ReverseJrnl: 0,
      SourceModule: 'GL',
      Status: 1,
      CreateDate: '2026-11-20T16:00:00',
      CreateUserID: 'sellbridge',
    });
    const lines = await gw.db
      .selectFrom('tglJournalDetl')
      .selectAll()
      .where('JrnlHdrKey', '=', header.JrnlHdrKey)
      .orderBy('EntryNo')
      .execute();
    expect(
      lines.map((l) => [
        l.EntryNo,
        l.SeqNo,
        l.GLAcctKey,
        l.PostAmt,
        l.PostAmtHC,
        l.PostQty,
        l.PostCmnt,
        l.RefNo,
        l.TargetCompanyID,
        l.TranDate,
      ]),
    ).toEqual([
      [1, 16384, 701, 123.45, 123.45, 0, 'Amazon clearing', '', 'SOA', '2026-11-15T00:00:00'],
      [2, 32768, 702, -123.45, -123.45, 0, 'Sales Amazon', '', 'SOA', '2026-11-15T00:00:00'],
    ]);
    expect(await gw.db.selectFrom('tglJournalLog').selectAll().execute()).toEqual([
      { CompanyID: 'SOA', JrnlKey: 801, JrnlNo: 1, PostDate: '2026-11-15T00:00:00', TranStatus: 2 },
    ]);
  });

  it('re-posting is a no-op that does not rest on the batch comment a Sage user can edit', async () => {
    const first = await gw.postJournal(settlement('settlement:78:USD'));
    const before = await Promise.all(
      ['tglBatch', 'tciBatchLog', 'tglJournalHdr', 'tglJournalDetl', 'tglJournalLog'].map(count),
    );
    // A Sage user rewrites the batch comment (the old idempotency key) in the GL batch screen.
    await gw.db
      .updateTable('tglBatch')
      .set({ BatchCmnt: 'Amazon payout Nov 15 (checked)' })
      .where('BatchKey', '=', Number(first.batchKey))
      .execute();
    const again = await gw.postJournal(settlement('settlement:78:USD'));
    expect(again).toEqual({ outcome: 'existing', batchKey: first.batchKey, batchNo: first.batchNo });
    expect(
      await Promise.all(['tglBatch', 'tciBatchLog', 'tglJournalHdr', 'tglJournalDetl', 'tglJournalLog'].map(count)),
    ).toEqual(before);
    // A second settlement still gets its own batch and the journal counter's next number.
    const next = await gw.postJournal(settlement('settlement:79:USD'));
    expect(next.outcome).toBe('created');
    expect(
      (await gw.db.selectFrom('tglJournalHdr').select('JrnlNo').orderBy('JrnlNo').execute()).map((r) => r.JrnlNo),
    ).toEqual([1, 2]);
  });

  it("leaves no orphan batch when an insert fails (the batch is drawn inside the journal's transaction)", async () => {
    const before = await Promise.all(['tciBatchLog', 'tglBatch', 'tglBatch_AMZ', 'tglJournalLog'].map(count));
    await sql`ALTER TABLE tglJournalDetl RENAME TO tglJournalDetl_away`.execute(gw.db);
    await expect(gw.postJournal(settlement('settlement:80:USD'))).rejects.toMatchObject({
      code: 'SB_SAGE_QUERY_FAILED',
    });
    expect(await Promise.all(['tciBatchLog', 'tglBatch', 'tglBatch_AMZ', 'tglJournalLog'].map(count))).toEqual(before);
    await sql`ALTER TABLE tglJournalDetl_away RENAME TO tglJournalDetl`.execute(gw.db);
    expect((await gw.postJournal(settlement('settlement:80:USD'))).outcome).toBe('created');
  });

  it('finds GL accounts stored unmasked when they are configured masked, and the reverse (review §3 item 10)', async () => {
    await gw.db
      .insertInto('tglAccount')
      .values({
        GLAcctKey: 790,
        CompanyID: 'SOA',
        GLAcctNo: '123400',
        Description: 'Unmasked as Sage stores it',
        Status: 1,
        PostingType: 1,
      })
      .execute();
    expect(await gw.validateGlAccounts(['1234-00', '123400', '101000', '5555-00'])).toEqual([
      { account: '1234-00', valid: true },
      { account: '123400', valid: true },
      { account: '101000', valid: true },
      { account: '5555-00', valid: false, problem: 'no such account in tglAccount' },
    ]);
  });
});
