import type { Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import { moneyToDecimal } from '../../core/model/money.ts';
import type { CliContext } from '../context.ts';

// Heavy modules (mssql, kysely, the sandbox) load only when a command runs, so `sellbridge --help` stays quick.
const gateways = () => import('../../connectors/sage500/create-gateway.ts');

/** `sellbridge sage500 ...`: extension tables, catalog verification and discovery, the sandbox, and a read-only order view. */
export function registerSage500Commands(program: Command, ctx: CliContext): void {
  const sage = program
    .command('sage500')
    .description('Sage 500: extension tables, verify, discovery, sandbox, order lookup');

  sage
    .command('install-extensions')
    .description(
      "create Sellbridge's extension tables (tsoSalesOrder_AMZ, tsoSOLine_AMZ, tsoShipment_AMZ, tglBatch_AMZ, tarCustPmt_AMZ) when missing and, with sage500.changeTracking.enabled, turn on SQL Server change tracking (database, timWhseBinInvt, timInventory, tsoShipment, tsoShipmentLog); idempotent",
    )
    .option('--print', 'print the T-SQL for a DBA instead of running it')
    .action(async (opts: { print?: boolean }, cmd: Command) => {
      if (opts.print) {
        const { extensionDdl } = await import('../../connectors/sage500/sql/extensions-ddl.ts');
        const { changeTrackingDdl } = await import('../../connectors/sage500/sql/change-tracking.ts');
        const ct = ctx.config(cmd).sage500.changeTracking;
        const statements = [...extensionDdl(), ...(ct.enabled ? changeTrackingDdl(ct.retentionDays) : [])];
        ctx.stdout(
          `-- Sellbridge extension objects for Sage 500; every statement is idempotent.\n${statements.join('\nGO\n')}\nGO`,
        );
        return;
      }
      const settings = ctx.config(cmd).sage500;
      const gateway = await (await gateways()).openSage500Gateway(settings);
      try {
        const statements = await gateway.installExtensions();
        ctx.stdout(`extension objects present (${statements.length} idempotent statements run on ${settings.kind})`);
      } finally {
        await gateway.close();
      }
    });

  sage
    .command('verify')
    .description(
      "compare the Sage 500 database's catalog with every table, view, column, procedure and parameter the adapter uses; exit code 1 when anything would fail (`sellbridge run` runs it at start)",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const settings = ctx.config(cmd).sage500;
      const { verifySage500 } = await import('../../connectors/sage500/verify-at-start.ts');
      const report = await verifySage500(settings);
      ctx.stdout(report.lines.join('\n'));
      ctx.stdout(report.summary);
      process.exitCode = report.errors > 0 ? 1 : 0;
    });

  sage
    .command('discover')
    .description(
      'propose the package/tracking table from the catalog (tables keyed by ShipKey with a tracking-number column) and write it into the configuration after confirmation; on SQL Server also print the read-only catalog queries (API procedures, parameters, staging tables, enum texts)',
    )
    .option('--print', 'print the catalog queries instead of running anything')
    .option('--table <name>', 'the proposed table to take when the catalog shows several')
    .option('--yes', 'write the proposal into the configuration file without asking (for scripts)')
    .option('--no-write', 'only print the proposal')
    .action(async (opts: { print?: boolean; table?: string; yes?: boolean; write: boolean }, cmd: Command) => {
      const { DISCOVERY_QUERIES } = await import('../../connectors/sage500/sql/discover.ts');
      if (opts.print) {
        ctx.stdout(DISCOVERY_QUERIES.map((q) => `-- ${q.title}\n${q.sql};`).join('\n\n'));
        return;
      }
      const settings = ctx.config(cmd).sage500;
      const gateway = await (
        await gateways()
      ).openSage500Gateway({ ...settings, warehouseSimulator: { ...settings.warehouseSimulator, enabled: false } });
      let proposals;
      try {
        proposals = await gateway.proposePackageTables();
      } finally {
        await gateway.close();
      }
      ctx.stdout('== Package / tracking-number tables (keyed by ShipKey, with a tracking column)');
      ctx.stdout(
        proposals.length === 0
          ? '(nothing found: shipments would be confirmed without tracking numbers)'
          : proposals.map((p) => `  ${p.name}: package ${p.packageNo}, tracking ${p.tracking}`).join('\n'),
      );
      if (settings.kind === 'sqlserver' && settings.url)
        await printCatalogQueries(settings, DISCOVERY_QUERIES, ctx.stdout);
      const chosen = opts.table
        ? proposals.find((p) => p.name.toLowerCase() === opts.table!.toLowerCase())
        : proposals.length === 1
          ? proposals[0]
          : undefined;
      if (opts.table && !chosen)
        throw new SellbridgeError(
          'SB_CLI_USAGE',
          `--table ${opts.table} is not one of the proposed tables (${proposals.map((p) => p.name).join(', ') || 'none'})`,
        );
      if (!chosen) {
        if (proposals.length > 1) ctx.stdout('several candidates: choose one with --table <name>');
        return;
      }
      const file = cmd.optsWithGlobals<{ config?: string }>().config ?? 'sellbridge.yaml';
      const values = {
        packageTable: chosen.name,
        packageNoColumn: chosen.packageNo,
        packageTrackingColumn: chosen.tracking,
      };
      if (!opts.write) return;
      if (
        !opts.yes &&
        !(await confirm(
          `write sage500.packageTable=${chosen.name}, packageNoColumn=${chosen.packageNo}, packageTrackingColumn=${chosen.tracking} into ${file}? [y/N] `,
        ))
      ) {
        ctx.stdout(`not written (run again with --yes, or set them in ${file})`);
        return;
      }
      await writeSage500Settings(file, values);
      ctx.stdout(
        `written to ${file}: sage500.packageTable ${chosen.name}, packageNoColumn ${chosen.packageNo}, packageTrackingColumn ${chosen.tracking}`,
      );
    });

  sage
    .command('sandbox')
    .description(
      'create (or with --reset recreate) the embedded Sage 500 sandbox with its demo company (SOA, USD) and German company (SDE, EUR), and summarise the configured company',
    )
    .option('--reset', 'drop everything and reseed both companies')
    .action(async (opts: { reset?: boolean }, cmd: Command) => {
      const settings = ctx.config(cmd).sage500;
      const { sql } = await import('kysely');
      const sandbox = await (
        await gateways()
      ).openSandboxGateway({ ...settings, warehouseSimulator: { ...settings.warehouseSimulator, enabled: false } });
      try {
        if (opts.reset) await sandbox.reset();
        // The configured company's rows (the sandbox holds the demo company SOA and the German company SDE).
        const co = settings.companyId;
        const count = async (table: string) =>
          Number(
            (table === 'tglBatch'
              ? await sql<{
                  n: number;
                }>`SELECT count(*) AS n FROM tglBatch b JOIN tciBatchLog l ON l.BatchKey = b.BatchKey WHERE l.SourceCompanyID = ${co}`.execute(
                  sandbox.db,
                )
              : await sql<{
                  n: number;
                }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE CompanyID = ${co}`.execute(sandbox.db)
            ).rows[0]!.n,
          );
        const tables = ['timItem', 'timWarehouse', 'tarCustomer', 'tsoSalesOrder', 'tsoShipment', 'tglBatch'];
        const counts = await Promise.all(tables.map(count));
        const companies = await sandbox.db
          .selectFrom('tsmCompany')
          .select(['CompanyID', 'CompanyName', 'CurrID'])
          .orderBy('CompanyID')
          .execute();
        ctx.stdout(
          `Sage 500 sandbox ${settings.sandboxPath}${opts.reset ? ' (reset)' : ''}, company ${settings.companyId}`,
        );
        ctx.stdout(tables.map((t, i) => `  ${t}: ${counts[i]}`).join('\n'));
        ctx.stdout(`  companies: ${companies.map((c) => `${c.CompanyID} (${c.CompanyName}, ${c.CurrID})`).join(', ')}`);
      } finally {
        await sandbox.close();
      }
    });

  const show = sage.command('show').description('read-only views of Sage 500 records');
  show
    .command('order <tranNo>')
    .description('show a sales order by TranNo (or by AmazonOrderId with --amazon)')
    .option('--amazon', 'the argument is an AmazonOrderId')
    .action(async (id: string, opts: { amazon?: boolean }, cmd: Command) => {
      const settings = ctx.config(cmd).sage500;
      const gateway = await (
        await gateways()
      ).openSage500Gateway({ ...settings, warehouseSimulator: { ...settings.warehouseSimulator, enabled: false } });
      try {
        const order = await gateway.findSalesOrder(opts.amazon ? { amazonOrderId: id } : { tranNo: id });
        if (!order)
          throw new SellbridgeError(
            'SB_SAGE_ORDER_NOT_FOUND',
            `no sales order ${id} in company ${settings.companyId}`,
            { context: { id } },
          );
        ctx.stdout(
          `${order.tranId}  TranNo ${order.tranNo}  ${order.status}  customer ${order.customerId}  ${order.orderDate.slice(0, 10)}${order.amazonOrderId ? `  Amazon ${order.amazonOrderId}` : ''}`,
        );
        for (const l of order.lines) {
          ctx.stdout(
            `  ${String(l.lineNo).padStart(3)}  ${l.itemId.padEnd(30)} ${String(l.quantity).padStart(6)} x ${moneyToDecimal(l.unitPrice)} ${l.unitPrice.currency}  ${l.warehouseId}${l.amazonOrderItemId ? `  item ${l.amazonOrderItemId}` : ''}`,
          );
        }
      } finally {
        await gateway.close();
      }
    });
}

/** Asks on the terminal; without one (a script, a pipe) the answer is no, and --yes is the way to say yes. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** The read-only §8 catalog queries against SQL Server, printed as rows. */
async function printCatalogQueries(
  settings: { url?: string | undefined; connectTimeoutMs: number; requestTimeoutMs: number },
  queries: readonly { title: string; sql: string }[],
  out: (text: string) => void,
): Promise<void> {
  const { createMssqlConnector } = await import('../../connectors/sage500/mssql-connector.ts');
  const connector = await createMssqlConnector({
    url: settings.url!,
    connectTimeoutMs: settings.connectTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
  });
  try {
    for (const q of queries) {
      out(`\n== ${q.title}`);
      try {
        const { rows } = await connector.pooled.query(q.sql, []);
        out(
          rows.length === 0 ? '(nothing found)' : rows.map((r) => Object.values(r).map(String).join('\t')).join('\n'),
        );
      } catch (err) {
        out(`(query failed: ${err instanceof Error ? err.message : String(err)})`);
      }
    }
  } finally {
    await connector.close();
  }
}

/**
 * Sets keys of the `sage500` section in the YAML configuration file, keeping the rest of the file (comments
 * included); creates the file when it does not exist.
 */
async function writeSage500Settings(file: string, values: Readonly<Record<string, string>>): Promise<void> {
  const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : '');
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  for (const [key, value] of Object.entries(values)) doc.setIn(['sage500', key], value);
  writeFileSync(file, doc.toString());
}
