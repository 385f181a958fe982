import type { Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import { moneyToDecimal } from '../../core/model/money.ts';
import type { CliContext } from '../context.ts';

// Heavy modules (mssql, kysely, the sandbox) load only when a command runs, so `sellbridge --help` stays quick.
const gateways = () => import('../../connectors/sage500/create-gateway.ts');

/** `sellbridge sage500 ...`: extension tables, catalog discovery, the sandbox, and a read-only order view. */
export function registerSage500Commands(program: Command, ctx: CliContext): void {
  const sage = program.command('sage500').description('Sage 500: extension tables, discovery, sandbox, order lookup');

  sage
    .command('install-extensions')
    .description('create Sellbridge\'s extension tables (tsoSalesOrder_AMZ, tsoSOLine_AMZ, tsoShipment_AMZ) when missing; idempotent')
    .option('--print', 'print the T-SQL for a DBA instead of running it')
    .action(async (opts: { print?: boolean }, cmd: Command) => {
      if (opts.print) {
        const { extensionDdl } = await import('../../connectors/sage500/sql/extensions-ddl.ts');
        ctx.stdout(`-- Sellbridge extension objects for Sage 500; every statement is idempotent.\n${extensionDdl().join('\nGO\n')}\nGO`);
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
    .command('discover')
    .description('run the read-only catalog queries (package/tracking tables, API procedures and their parameters, staging tables, enum texts)')
    .option('--print', 'print the queries instead of running them')
    .action(async (opts: { print?: boolean }, cmd: Command) => {
      const { DISCOVERY_QUERIES } = await import('../../connectors/sage500/sql/discover.ts');
      if (opts.print) {
        ctx.stdout(DISCOVERY_QUERIES.map((q) => `-- ${q.title}\n${q.sql};`).join('\n\n'));
        return;
      }
      const settings = ctx.config(cmd).sage500;
      if (settings.kind !== 'sqlserver' || !settings.url) {
        throw new SellbridgeError('SB_CLI_USAGE', 'discover reads a real Sage 500 database: set sage500.kind=sqlserver and sage500.url (or use --print)');
      }
      const { createMssqlConnector } = await import('../../connectors/sage500/mssql-connector.ts');
      const connector = await createMssqlConnector({ url: settings.url, connectTimeoutMs: settings.connectTimeoutMs, requestTimeoutMs: settings.requestTimeoutMs });
      try {
        for (const q of DISCOVERY_QUERIES) {
          ctx.stdout(`\n== ${q.title}`);
          try {
            const { rows } = await connector.pooled.query(q.sql, []);
            ctx.stdout(rows.length === 0 ? '(nothing found)' : rows.map((r) => Object.values(r).map(String).join('\t')).join('\n'));
          } catch (err) {
            ctx.stdout(`(query failed: ${err instanceof Error ? err.message : String(err)})`);
          }
        }
      } finally {
        await connector.close();
      }
    });

  sage
    .command('sandbox')
    .description('create (or with --reset recreate) the embedded Sage 500 sandbox with its demo company, and summarise it')
    .option('--reset', 'drop everything and reseed the demo company')
    .action(async (opts: { reset?: boolean }, cmd: Command) => {
      const settings = ctx.config(cmd).sage500;
      const { sql } = await import('kysely');
      const sandbox = await (await gateways()).openSandboxGateway({ ...settings, warehouseSimulator: { ...settings.warehouseSimulator, enabled: false } });
      try {
        if (opts.reset) await sandbox.reset();
        const count = async (table: string) => Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(sandbox.db)).rows[0]!.n);
        const tables = ['timItem', 'timWarehouse', 'tarCustomer', 'tsoSalesOrder', 'tsoShipment', 'tglBatch'];
        const counts = await Promise.all(tables.map(count));
        ctx.stdout(`Sage 500 sandbox ${settings.sandboxPath}${opts.reset ? ' (reset)' : ''}, company ${settings.companyId}`);
        ctx.stdout(tables.map((t, i) => `  ${t}: ${counts[i]}`).join('\n'));
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
      const gateway = await (await gateways()).openSage500Gateway({ ...settings, warehouseSimulator: { ...settings.warehouseSimulator, enabled: false } });
      try {
        const order = await gateway.findSalesOrder(opts.amazon ? { amazonOrderId: id } : { tranNo: id });
        if (!order) throw new SellbridgeError('SB_SAGE_ORDER_NOT_FOUND', `no sales order ${id} in company ${settings.companyId}`, { context: { id } });
        ctx.stdout(`${order.tranId}  TranNo ${order.tranNo}  ${order.status}  customer ${order.customerId}  ${order.orderDate.slice(0, 10)}${order.amazonOrderId ? `  Amazon ${order.amazonOrderId}` : ''}`);
        for (const l of order.lines) {
          ctx.stdout(`  ${String(l.lineNo).padStart(3)}  ${l.itemId.padEnd(30)} ${String(l.quantity).padStart(6)} x ${moneyToDecimal(l.unitPrice)} ${l.unitPrice.currency}  ${l.warehouseId}${l.amazonOrderItemId ? `  item ${l.amazonOrderItemId}` : ''}`);
        }
      } finally {
        await gateway.close();
      }
    });
}
