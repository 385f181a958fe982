import type { Command } from 'commander';
import type { Runtime } from '../../bootstrap/index.ts';
import { MappingError, SellbridgeError } from '../../core/errors.ts';
import type { JournalBatch } from '../../core/model/journal.ts';
import { money, moneyToDecimal } from '../../core/model/money.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../format.ts';

/** `sellbridge settlements ...`: import a saved settlement file (or dry-run it), list, show, reconcile, discover. */
export function registerSettlementsCommands(program: Command, ctx: CliContext): void {
  const settlements = program
    .command('settlements')
    .description(
      'Amazon settlement reports -> Sage 500 GL journals: import, list, show, reconcile with Sellbridge orders',
    )
    .addHelpText(
      'after',
      `
Each settlement becomes one unposted GL batch per currency (accounting reviews and posts it in Sage): the deposit on
the bank clearing account, one line per account (or per account and order), balanced to the cent. A settlement is
posted once: importing it again does nothing; a corrected file reverses the posted batch and posts the new one.
A malformed file, unmapped categories or rows that do not add up to total-amount are quarantined with every
problem listed (row, column, expected, found) and nothing is posted.

Examples:
  sellbridge settlements import ./settlement-123.tsv --dry-run   print the journal that would be posted
  sellbridge settlements import ./settlement-123.tsv.gz          post it (gzip or plain)
  sellbridge settlements list                                    posted settlements, newest deposit first
  sellbridge settlements list --quarantined                      files refused, with the reason
  sellbridge settlements show 12345678901                        journals, Sage batches, order matching
  sellbridge settlements reconcile                               orders not settled yet (ageing), orders never seen
  sellbridge settlements discover                                look for new settlement reports at Amazon now`,
    );

  const withRuntime = async (cmd: Command, work: (rt: Runtime, connectionId: string) => Promise<void>) => {
    const { withClientRuntime } = await import('../runtime.ts');
    const { settlementConnectionId } = await import('../../bootstrap/settlements.ts');
    const config = ctx.config(cmd);
    await withClientRuntime(config, (runtime) => work(runtime, settlementConnectionId(config)));
  };

  settlements
    .command('import <file>')
    .description('read a settlement flat file (V2, tab-separated; plain or gzip) and post its journal to Sage once')
    .option('--dry-run', 'check the file and print the journal that would be posted; write nothing')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { dryRun?: boolean; json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const { createSettlementDeps } = await import('../../bootstrap/settlements.ts');
        const { settlementFileFromPath } = await import('../../connectors/amazon/settlement/settlement-files.ts');
        const { importSettlement } = await import('../../flows/post-settlement.ts');
        const { existsSync } = await import('node:fs');
        if (!existsSync(file)) throw new SellbridgeError('SB_CLI_USAGE', `no such file: ${file}`);
        const deps = createSettlementDeps({
          store: rt.store,
          sage: rt.sage,
          clock: rt.clock,
          queue: rt.queue,
          config: rt.config.settlements,
        });
        let outcome;
        try {
          outcome = await importSettlement(
            connectionId,
            settlementFileFromPath(file, { numberFormat: rt.config.settlements.numberFormat }),
            deps,
            { dryRun: opts.dryRun === true },
          );
        } catch (err) {
          if (err instanceof MappingError && err.code.startsWith('SB_SETTLE_')) {
            ctx.stderr(
              `error ${err.code}: ${file} ${opts.dryRun ? 'would be quarantined' : 'quarantined'}; nothing was posted`,
            );
            for (const i of err.issues.slice(0, 50)) ctx.stderr(`  ${i.field}: ${i.problem}`);
            if (err.issues.length > 50)
              ctx.stderr(`  and ${err.issues.length - 50} more (sellbridge settlements list --quarantined --json)`);
            process.exitCode = 2;
            return;
          }
          throw err;
        }
        if (opts.json) return ctx.stdout(JSON.stringify(outcome, null, 2));
        if (outcome.extraColumns.length > 0)
          ctx.stdout(`note: columns Amazon does not document, kept but not used: ${outcome.extraColumns.join(', ')}`);
        switch (outcome.kind) {
          case 'dry-run':
            ctx.stdout(
              `dry run: settlement ${outcome.settlementId} would be ${outcome.wouldBe}${outcome.existing ? ` (on record: ${outcome.existing.state}, revision ${outcome.existing.revision})` : ''}; nothing written`,
            );
            for (const j of outcome.journals) ctx.stdout(`\n${journalText(j)}`);
            return;
          case 'unchanged':
            return ctx.stdout(
              `settlement ${outcome.settlementId} is already posted (revision ${outcome.revision}, batch ${outcome.journals.map((j) => j.batchNo).join(', ')}); nothing posted`,
            );
          case 'posted':
            ctx.stdout(
              `settlement ${outcome.settlementId} posted as unposted GL batch ${outcome.journals.map((j) => `${j.batchNo} (${j.reference})`).join(', ')}`,
            );
            for (const j of outcome.journals) ctx.stdout(`\n${journalText(j)}`);
            return;
          case 'corrected':
            ctx.stdout(
              `settlement ${outcome.settlementId} corrected (revision ${outcome.revision}): reversed ${outcome.reversed.map((j) => `${j.batchNo} (${j.reference})`).join(', ')}; posted ${outcome.journals.map((j) => `${j.batchNo} (${j.reference})`).join(', ')}`,
            );
            for (const j of outcome.journals) ctx.stdout(`\n${journalText(j)}`);
            return;
        }
      }),
    );

  settlements
    .command('list')
    .description('settlements on record, newest deposit first (or the quarantined files)')
    .option('--quarantined', 'list the files refused as a whole, with the reason')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (opts: { quarantined?: boolean; limit: string; json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const store = await import('../../connectors/store/settlement-ledger.ts');
        if (opts.quarantined) {
          const files = await store.listQuarantine(rt.store, connectionId, Number(opts.limit));
          if (opts.json) return ctx.stdout(JSON.stringify(files, null, 2));
          if (files.length === 0) return ctx.stdout('no quarantined settlement files');
          return ctx.stdout(
            formatTable(
              files.map((f) => ({
                id: f.id,
                at: f.createdAt,
                source: f.source,
                settlement: f.settlementId ?? '',
                code: f.code,
                problems: f.issues.length,
                first: f.issues[0] ? `${f.issues[0].field}: ${f.issues[0].problem}` : '',
              })),
              ['id', 'at', 'source', 'settlement', 'code', 'problems', 'first'],
              90,
            ),
          );
        }
        const rows = await store.listSettlements(rt.store, connectionId, Number(opts.limit));
        if (opts.json) return ctx.stdout(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return ctx.stdout('no settlements on record');
        ctx.stdout(
          formatTable(
            rows.map((r) => ({
              settlement: r.settlementId,
              deposit: r.depositDate.slice(0, 10),
              period: `${r.periodStart.slice(0, 10)}..${r.periodEnd.slice(0, 10)}`,
              total: `${moneyToDecimal(r.total)} ${r.currency}`,
              rows: r.rows,
              state: r.state,
              revision: r.revision,
              batches: r.journals.map((j) => j.batchNo).join(','),
              error: r.lastError ?? '',
            })),
            ['settlement', 'deposit', 'period', 'total', 'rows', 'state', 'revision', 'batches', 'error'],
          ),
        );
      }),
    );

  settlements
    .command('show <settlementId>')
    .description(
      'one settlement: summary, the journals posted (Sage batch numbers, lines) and its orders matched to Sellbridge orders',
    )
    .option('--json', 'print JSON')
    .action(async (settlementId: string, opts: { json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const store = await import('../../connectors/store/settlement-ledger.ts');
        const record = await store.getSettlement(rt.store, connectionId, settlementId);
        if (!record)
          throw new SellbridgeError(
            'SB_CLI_USAGE',
            `no settlement ${settlementId} on record for connection ${connectionId} (see 'sellbridge settlements list')`,
          );
        const rec = await store.reconcileSettlements(rt.store, connectionId, rt.clock.now(), settlementId);
        if (opts.json) return ctx.stdout(JSON.stringify({ settlement: record, reconciliation: rec }, null, 2));
        ctx.stdout(
          [
            `settlement ${record.settlementId} (${record.source}): ${record.state}, revision ${record.revision}`,
            `period ${record.periodStart} .. ${record.periodEnd}; deposit ${record.depositDate}; total ${moneyToDecimal(record.total)} ${record.currency}; ${record.rows} rows`,
            ...(record.lastError ? [`last error: ${record.lastError}`] : []),
          ].join('\n'),
        );
        for (const j of record.journals) ctx.stdout(`\nSage batch ${j.batchNo} (key ${j.batchKey})\n${journalText(j)}`);
        ctx.stdout(
          `\norders: ${rec.matched.length} matched to Sellbridge orders, ${rec.neverSeen.length} never seen by Sellbridge`,
        );
        if (rec.neverSeen.length > 0)
          ctx.stdout(
            formatTable(
              rec.neverSeen.map((o) => ({
                order: o.amazonOrderId,
                amount: `${moneyToDecimal(money(o.currency, o.minor))} ${o.currency}`,
                rows: o.rows,
              })),
              ['order', 'amount', 'rows'],
            ),
          );
      }),
    );

  settlements
    .command('reconcile')
    .description(
      'Sellbridge orders no settlement names yet (with ageing) and settlement rows for orders Sellbridge never saw',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const store = await import('../../connectors/store/settlement-ledger.ts');
        const rec = await store.reconcileSettlements(rt.store, connectionId, rt.clock.now());
        if (opts.json) return ctx.stdout(JSON.stringify(rec, null, 2));
        ctx.stdout(`matched: ${rec.matched.length} settlement order(s) to Sellbridge orders`);
        ctx.stdout(
          `\nnot settled yet: ${rec.unsettled.length} (ageing in days: ${Object.entries(rec.ageing)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')})`,
        );
        if (rec.unsettled.length > 0)
          ctx.stdout(
            formatTable(
              rec.unsettled.map((u) => ({
                order: u.amazonOrderId,
                tranNo: u.tranNo ?? '',
                state: u.state,
                created: u.createdAt,
                days: u.ageDays,
              })),
              ['order', 'tranNo', 'state', 'created', 'days'],
            ),
          );
        ctx.stdout(`\nnever seen by Sellbridge: ${rec.neverSeen.length}`);
        if (rec.neverSeen.length > 0) {
          ctx.stdout(
            formatTable(
              rec.neverSeen.map((o) => ({
                order: o.amazonOrderId,
                settlement: o.settlementId,
                amount: `${moneyToDecimal(money(o.currency, o.minor))} ${o.currency}`,
                rows: o.rows,
              })),
              ['order', 'settlement', 'amount', 'rows'],
            ),
          );
        }
      }),
    );

  settlements
    .command('discover')
    .description('queue a settlement.discover job now (a running worker asks Amazon for new settlement reports)')
    .action(async (_opts: unknown, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const { SETTLEMENT_DISCOVER_QUEUE, settlementDiscoverKey } = await import('../../flows/settlement.ts');
        const job = await rt.queue.enqueue(
          SETTLEMENT_DISCOVER_QUEUE,
          { connectionId },
          { key: settlementDiscoverKey(connectionId), dedupe: true },
        );
        ctx.stdout(
          job.deduplicated
            ? `a settlement.discover job for ${connectionId} is already pending (${job.id})`
            : `queued settlement.discover for ${connectionId} (job ${job.id})`,
        );
      }),
    );
}

/** A journal as text: header, then account / debit / credit / comment, then the totals. */
export function journalText(j: JournalBatch): string {
  const debit = j.lines.reduce((s, l) => s + Math.max(0, l.amount.minor), 0);
  const credit = j.lines.reduce((s, l) => s + Math.max(0, -l.amount.minor), 0);
  const dec = (minor: number) => (minor === 0 ? '' : moneyToDecimal(money(j.currency, minor)));
  const table = formatTable(
    [
      ...j.lines.map((l) => ({
        account: l.account,
        debit: dec(Math.max(0, l.amount.minor)),
        credit: dec(Math.max(0, -l.amount.minor)),
        comment: l.comment,
      })),
      {
        account: 'total',
        debit: moneyToDecimal(money(j.currency, debit)),
        credit: moneyToDecimal(money(j.currency, credit)),
        comment: debit === credit ? 'balanced' : 'NOT BALANCED',
      },
    ],
    ['account', 'debit', 'credit', 'comment'],
  );
  return `journal ${j.reference}  date ${j.postDate}  ${j.currency}\n${table}`;
}
