import type { Command } from 'commander';
import type { Runtime } from '../../bootstrap/index.ts';
import { MappingError, SellbridgeError } from '../../core/errors.ts';
import type { CashReceiptResult } from '../../core/model/cash-receipt.ts';
import type { JournalBatch } from '../../core/model/journal.ts';
import { money, moneyToDecimal, type Money } from '../../core/model/money.ts';
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
  sellbridge settlements reconcile --three-way 12345678901 --bank bank.csv   charged / Sage / paid / bank, causes
  sellbridge settlements check                                   the accounting model against Sage (receivable accounts)
  sellbridge settlements provisional                             the open settlement so far (Finances API, never posted)
  sellbridge settlements rebuild 12345678901 --from 2026-08-01T00:00:00Z --to 2026-08-15T00:00:00Z --deposit-date 2026-08-17 --deposit 1234.56
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
          // Only asked for a deposit's converted total (settlements.exchangeRate.source = deposit).
          clientFor: () => rt.amazon.connection.client,
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
            ctx.stdout(
              `settlement ${outcome.settlementId} is already posted (revision ${outcome.revision}, batch ${outcome.journals.map((j) => j.batchNo).join(', ')}); nothing posted`,
            );
            return cashText(outcome);
          case 'posted':
            ctx.stdout(
              `settlement ${outcome.settlementId} posted as unposted GL batch ${outcome.journals.map((j) => `${j.batchNo} (${j.reference})`).join(', ')}`,
            );
            for (const j of outcome.journals) ctx.stdout(`\n${journalText(j)}`);
            return cashText(outcome);
          case 'corrected':
            ctx.stdout(
              `settlement ${outcome.settlementId} corrected (revision ${outcome.revision}): reversed ${outcome.reversed.map((j) => `${j.batchNo} (${j.reference})`).join(', ')}; posted ${outcome.journals.map((j) => `${j.batchNo} (${j.reference})`).join(', ')}`,
            );
            for (const j of outcome.journals) ctx.stdout(`\n${journalText(j)}`);
            return cashText(outcome);
        }
        function cashText(o: { cashReceipts?: readonly CashReceiptResult[]; cashReceiptError?: string }) {
          for (const r of o.cashReceipts ?? []) ctx.stdout(`\n${cashReceiptText(r)}`);
          if (o.cashReceiptError) ctx.stderr(`cash receipt not entered: ${o.cashReceiptError}`);
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
        const { cashReceiptsOf } = await import('../../connectors/store/settlement-cash.ts');
        const receipts = await cashReceiptsOf(rt.store, connectionId, settlementId);
        if (opts.json)
          return ctx.stdout(
            JSON.stringify({ settlement: record, reconciliation: rec, cashReceipts: receipts }, null, 2),
          );
        ctx.stdout(
          [
            `settlement ${record.settlementId} (${record.source}): ${record.state}, revision ${record.revision}`,
            `period ${record.periodStart} .. ${record.periodEnd}; deposit ${record.depositDate}; total ${moneyToDecimal(record.total)} ${record.currency}; ${record.rows} rows`,
            accountingModelText(rt.config.settlements, record.currency),
            ...(record.lastError ? [`last error: ${record.lastError}`] : []),
          ].join('\n'),
        );
        for (const j of record.journals) ctx.stdout(`\nSage batch ${j.batchNo} (key ${j.batchKey})\n${journalText(j)}`);
        ctx.stdout(
          receipts.length > 0
            ? receipts.map((r) => `\n${cashReceiptText(r)}`).join('\n')
            : `\ncash in Sage: ${rt.config.settlements.cashApplication.enabled ? 'no receipt entered yet' : 'not applied by Sellbridge (settlements.cashApplication.enabled is false)'}`,
        );
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
    .command('reconcile [settlementId]')
    .description(
      'Sellbridge orders no settlement names yet (with ageing) and settlement rows for orders Sellbridge never saw; with --three-way: per settlement and order, Amazon charged / Sage / Amazon paid / bank deposit, each difference with its likely cause',
    )
    .option('--three-way', 'charged, Sage, paid and deposit per order and settlement (the newest 10 without an id)')
    .option('--bank <file>', 'with --three-way: a bank statement CSV with date,amount[,currency] columns')
    .option('--csv', 'with --three-way: print the per-order lines as CSV')
    .option('--json', 'print JSON')
    .action(
      async (
        settlementId: string | undefined,
        opts: { json?: boolean; threeWay?: boolean; bank?: string; csv?: boolean },
        cmd: Command,
      ) =>
        withRuntime(cmd, async (rt, connectionId) => {
          const store = await import('../../connectors/store/settlement-ledger.ts');
          if (opts.threeWay) return threeWayCommand(ctx, rt, connectionId, settlementId, opts);
          if (settlementId) throw new SellbridgeError('SB_CLI_USAGE', 'a settlement id goes with --three-way');
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
    .command('check')
    .description(
      "the accounting model against Sage: under invoiced-orders, each marketplace customer's receivable account (its customer class's) is the one the settlement clears, and the accounts exist",
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const { checkAccountingModel } = await import('../../core/rules/settlement-accounts.ts');
        const cfg = rt.config.settlements;
        const rules = await rt.orders.deps.rulesFor(rt.orders.connectionId);
        const customers = Object.values(rules.customers);
        const ids = [...new Set(customers.map((c) => c.customerId))];
        const invoiced = cfg.accountingModel === 'invoiced-orders';
        const accounts = invoiced
          ? [
              cfg.receivableAccount,
              ...Object.values(cfg.receivableAccountByCurrency),
              cfg.bankClearingAccount,
              // Cash applied in Sage: the order money goes to the receipts clearing account instead.
              ...(cfg.cashApplication.enabled ? [cfg.cashApplication.clearingAccount] : []),
            ]
          : [cfg.bankClearingAccount];
        const findings = checkAccountingModel(
          cfg.accountingModel,
          { account: cfg.receivableAccount, byCurrency: cfg.receivableAccountByCurrency },
          customers,
          invoiced ? await rt.sage.receivableAccountsOf(ids) : [],
          await rt.sage.validateGlAccounts([...new Set(accounts)]),
        );
        if (opts.json)
          return ctx.stdout(JSON.stringify({ connectionId, model: cfg.accountingModel, findings }, null, 2));
        ctx.stdout(accountingModelText(cfg, customers[0]?.currency ?? 'USD'));
        for (const f of findings) ctx.stdout(`  ${f.level.padEnd(5)} ${f.subject}: ${f.message}`);
        if (findings.some((f) => f.level === 'error')) process.exitCode = 2;
      }),
    );

  settlements
    .command('provisional')
    .description(
      "the settlement that has not closed yet, from Amazon's Finances transactions: where its money would go so far (never posted)",
    )
    .option(
      '--since <time>',
      'transactions posted since (UTC ISO-8601; default: the newest settlement period end, else 14 days ago)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { since?: string; json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt, connectionId) => {
        const { openSettlementRows } = await import('../../connectors/amazon/settlement/finances-transactions.ts');
        const { settlementSettingsFromConfig } = await import('../../bootstrap/settlements.ts');
        const { provisionalSettlement } = await import('../../flows/provisional-settlement.ts');
        const store = await import('../../connectors/store/settlement-ledger.ts');
        const now = rt.clock.now();
        const newest = (await store.listSettlements(rt.store, connectionId, 1))[0];
        const since = opts.since ?? newest?.periodEnd ?? new Date(now.getTime() - 14 * 86_400_000).toISOString();
        if (Number.isNaN(Date.parse(since)))
          throw new SellbridgeError('SB_CLI_USAGE', `--since ${since} is not an ISO-8601 time`);
        // Amazon answers for transactions posted more than two minutes ago.
        const before = new Date(now.getTime() - 180_000).toISOString();
        const open = await openSettlementRows(rt.amazon.connection.client, {
          postedAfter: since,
          postedBefore: before,
        });
        const view = provisionalSettlement(
          open.rows,
          settlementSettingsFromConfig(rt.config.settlements, rt.orders.rules.customers),
          before,
        );
        if (opts.json) return ctx.stdout(JSON.stringify({ since, before, ...view, issues: open.issues }, null, 2));
        ctx.stdout(
          `open settlement, provisional (never posted): ${open.transactions} transaction(s), ${view.rows} row(s) posted ${since} .. ${before}; so far ${view.totals.map((t) => `${moneyToDecimal(t)} ${t.currency}`).join(', ') || 'nothing'}`,
        );
        for (const j of view.journals) ctx.stdout(`\n${journalText(j)}`);
        for (const i of [...view.unmapped, ...open.issues]) ctx.stdout(`  ${i.field}: ${i.problem}`);
      }),
    );

  settlements
    .command('rebuild <settlementId>')
    .description(
      "a settlement past the report's retention, rebuilt from Amazon's Finances transactions and posted like a report (once: the same settlement from a report is the same journal)",
    )
    .requiredOption('--from <time>', 'settlement period start (UTC ISO-8601)')
    .requiredOption('--to <time>', 'settlement period end (UTC ISO-8601)')
    .requiredOption('--deposit-date <date>', 'the deposit date (the journal date)')
    .option('--deposit <amount>', 'the deposit from the bank statement (decimal); the rows must add up to it')
    .option('--currency <code>', 'currency of --deposit', 'USD')
    .option('--dry-run', 'print the journal that would be posted; write nothing')
    .option('--json', 'print JSON')
    .action(
      async (
        settlementId: string,
        opts: {
          from: string;
          to: string;
          depositDate: string;
          deposit?: string;
          currency: string;
          dryRun?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) =>
        withRuntime(cmd, async (rt, connectionId) => {
          const { settlementFileFromFinances } =
            await import('../../connectors/amazon/settlement/finances-transactions.ts');
          const { createSettlementDeps } = await import('../../bootstrap/settlements.ts');
          const { importSettlement } = await import('../../flows/post-settlement.ts');
          const { moneyFromDecimal } = await import('../../core/model/money.ts');
          const iso = (name: string, v: string) => {
            const t = Date.parse(v);
            if (Number.isNaN(t)) throw new SellbridgeError('SB_CLI_USAGE', `${name} ${v} is not an ISO-8601 time`);
            return new Date(t).toISOString();
          };
          const file = settlementFileFromFinances(rt.amazon.connection.client, {
            settlementId,
            periodStart: iso('--from', opts.from),
            periodEnd: iso('--to', opts.to),
            depositDate: iso('--deposit-date', opts.depositDate),
            ...(opts.deposit ? { depositAmount: moneyFromDecimal(opts.deposit, opts.currency.toUpperCase()) } : {}),
          });
          const deps = createSettlementDeps({
            store: rt.store,
            sage: rt.sage,
            clock: rt.clock,
            queue: rt.queue,
            config: rt.config.settlements,
            clientFor: () => rt.amazon.connection.client,
          });
          const outcome = await importSettlement(connectionId, file, deps, { dryRun: opts.dryRun === true });
          if (opts.json) return ctx.stdout(JSON.stringify(outcome, null, 2));
          ctx.stdout(
            `settlement ${outcome.settlementId} rebuilt from Finances transactions: ${outcome.kind === 'dry-run' ? `dry run, would be ${outcome.wouldBe}` : outcome.kind}`,
          );
          for (const j of outcome.journals) ctx.stdout(`\n${journalText(j)}`);
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
  const x = j.exchange;
  // A foreign-currency journal also shows each line in the home currency (Sage's PostAmtHC).
  const home = (minor: number | undefined) =>
    x && minor !== undefined ? moneyToDecimal(money(x.homeCurrency, minor)) : '';
  const table = formatTable(
    [
      ...j.lines.map((l) => ({
        account: l.account,
        debit: dec(Math.max(0, l.amount.minor)),
        credit: dec(Math.max(0, -l.amount.minor)),
        ...(x ? { [x.homeCurrency]: home(l.home?.minor) } : {}),
        comment: l.comment,
      })),
      {
        account: 'total',
        debit: moneyToDecimal(money(j.currency, debit)),
        credit: moneyToDecimal(money(j.currency, credit)),
        ...(x ? { [x.homeCurrency]: home(j.lines.reduce((s, l) => s + (l.home?.minor ?? 0), 0)) } : {}),
        comment: debit === credit ? 'balanced' : 'NOT BALANCED',
      },
    ],
    ['account', 'debit', 'credit', ...(x ? [x.homeCurrency] : []), 'comment'],
  );
  const rate = x
    ? `\nexchange rate ${j.currency} -> ${x.homeCurrency}: ${x.rate} (CurrExchRate; source ${x.source}: ${x.detail})`
    : '';
  return `journal ${j.reference}  date ${j.postDate}  ${j.currency}${rate}\n${table}`;
}

/** A settlement's cash receipt in Sage, its applications and the unapplied money (`settlements show`). */
export function cashReceiptText(r: CashReceiptResult): string {
  const dec = (m: Money) => `${moneyToDecimal(m)} ${m.currency}`;
  const lines = [
    `cash receipt ${r.receiptId || r.receiptKey} (${r.reference}, Sage batch ${r.batchNo}, key ${r.batchKey}): ${dec(r.amount)}, unapplied ${dec(r.unappliedTotal)}`,
  ];
  if (r.applied.length > 0)
    lines.push(
      formatTable(
        r.applied.map((a) => ({ order: a.amazonOrderId, invoice: a.invoice, applied: dec(a.amount) })),
        ['order', 'invoice', 'applied'],
      ),
    );
  if (r.unapplied.length > 0)
    lines.push(
      'unapplied cash (left on the receipt):',
      formatTable(
        r.unapplied.map((u) => ({ order: u.amazonOrderId, amount: dec(u.amount), reason: u.reason })),
        ['order', 'amount', 'reason'],
      ),
    );
  return lines.join('\n');
}

/** `settlements reconcile --three-way [id] [--bank file] [--csv|--json]`. */
async function threeWayCommand(
  ctx: CliContext,
  rt: Runtime,
  connectionId: string,
  settlementId: string | undefined,
  opts: { json?: boolean; bank?: string; csv?: boolean },
): Promise<void> {
  const { createThreeWayDeps } = await import('../../bootstrap/settlements.ts');
  const { threeWayReconciliation } = await import('../../flows/three-way.ts');
  const { matchBankDeposit, threeWayCsv } = await import('../../core/transform/three-way-reconciliation.ts');
  const store = await import('../../connectors/store/settlement-ledger.ts');
  const ids = settlementId
    ? [settlementId]
    : (await store.listSettlements(rt.store, connectionId, 10)).map((s) => s.settlementId);
  if (ids.length === 0) return ctx.stdout('no settlements on record');
  const bankLines = opts.bank ? await readBankFile(opts.bank) : undefined;
  const results = [];
  for (const id of ids) {
    const record = await store.getSettlement(rt.store, connectionId, id);
    if (!record)
      throw new SellbridgeError(
        'SB_CLI_USAGE',
        `no settlement ${id} on record for connection ${connectionId} (see 'sellbridge settlements list')`,
      );
    const bank = bankLines ? matchBankDeposit(bankLines, record) : undefined;
    const deps = createThreeWayDeps({
      store: rt.store,
      clock: rt.clock,
      sage: rt.sage,
      readInvoices: rt.config.settlements.accountingModel === 'invoiced-orders',
      ...(bank ? { bankDeposit: () => bank.amount } : {}),
    });
    const r = await threeWayReconciliation(connectionId, id, deps);
    if (r) results.push({ result: r, bankFound: bankLines ? bank !== undefined : undefined });
  }
  if (opts.json) return ctx.stdout(JSON.stringify(results, null, 2));
  if (opts.csv) {
    for (const [i, { result }] of results.entries()) {
      const csv = threeWayCsv(result, (m) => moneyToDecimal(money(result.currency, m)));
      ctx.stdout((i === 0 ? csv : csv.slice(csv.indexOf('\r\n') + 2)).trimEnd());
    }
    return;
  }
  for (const { result: r, bankFound } of results) {
    const d = (m: number) => `${moneyToDecimal(money(r.currency, m))} ${r.currency}`;
    ctx.stdout(
      [
        `settlement ${r.settlementId}: charged ${d(r.charged)}, Sage ${d(r.invoiced)}, paid for orders ${d(r.paidForOrders)}, account-level ${d(r.accountLevel)}, deposit ${d(r.deposit)}, bank ${r.bank === undefined ? (bankFound === false ? 'not found in the bank file' : 'not given') : d(r.bank)}`,
        `unreconciled: ${d(r.unreconciled)}${r.differences.length ? `; ${r.differences.map((x) => `${x.between} ${d(x.minor)} ${x.cause}`).join('; ')}` : ''}`,
      ].join('\n'),
    );
    const open = r.orders.filter((o) => o.differences.some((x) => x.cause !== 'fee'));
    if (open.length > 0)
      ctx.stdout(
        formatTable(
          open.map((o) => ({
            order: o.amazonOrderId,
            tranNo: o.tranNo ?? '',
            charged: moneyToDecimal(money(r.currency, o.charged)),
            sage: o.invoiced === undefined ? '' : moneyToDecimal(money(r.currency, o.invoiced)),
            paid: moneyToDecimal(money(r.currency, o.paid)),
            differences: o.differences
              .filter((x) => x.cause !== 'fee')
              .map((x) => `${moneyToDecimal(money(r.currency, x.minor))} ${x.cause}`)
              .join('; '),
          })),
          ['order', 'tranNo', 'charged', 'sage', 'paid', 'differences'],
          100,
        ),
      );
    ctx.stdout('');
  }
}

/** A bank statement CSV: a header naming `date` and `amount` (and optionally `currency`; default USD). */
async function readBankFile(path: string) {
  const { readFile } = await import('node:fs/promises');
  const { moneyFromDecimal } = await import('../../core/model/money.ts');
  const text = await readFile(path, 'utf8');
  const [head, ...rows] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = (head ?? '').split(',').map((c) => c.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  if (at('date') < 0 || at('amount') < 0)
    throw new SellbridgeError('SB_CLI_USAGE', `${path}: the first line must name the columns date and amount`);
  return rows.map((line, i) => {
    const f = line.split(',').map((c) => c.trim());
    const currency = at('currency') >= 0 ? (f[at('currency')] ?? 'USD').toUpperCase() : 'USD';
    try {
      return { date: f[at('date')] ?? '', amount: moneyFromDecimal(f[at('amount')] ?? '', currency) };
    } catch (err) {
      throw new SellbridgeError('SB_CLI_USAGE', `${path} line ${i + 2}: amount: ${(err as Error).message}`);
    }
  });
}

/** The connection's accounting model in one line (`settlements show`, `settlements check`). */
export function accountingModelText(config: Runtime['config']['settlements'], currency: string): string {
  if (config.accountingModel === 'settlement-revenue')
    return 'accounting model (configured): settlement-revenue (Sage orders are not invoiced; the settlement books sales, shipping and tax)';
  const receivable = config.receivableAccountByCurrency[currency.toUpperCase()] ?? config.receivableAccount;
  if (config.cashApplication.enabled)
    return `accounting model (configured): invoiced-orders with cash applied in Sage (order principal, shipping, tax and promotions to the receipts clearing account ${config.cashApplication.clearingAccount}; a pending AR cash receipt of the marketplace customer, cash account ${config.cashApplication.cashAccount}, applied to the orders' invoices clears the receivable when Sage posts it)`;
  return `accounting model (configured): invoiced-orders (Sage invoices the orders; order principal, shipping, tax and promotions clear the marketplace customer's receivable ${receivable})`;
}
