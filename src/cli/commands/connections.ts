import type { Command } from 'commander';
import type { CliContext } from '../context.ts';

/** `sellbridge connections ...`: the Amazon seller <-> Sage company pairs this configuration serves. */
export function registerConnectionsCommands(program: Command, ctx: CliContext): void {
  const connections = program
    .command('connections')
    .description('connections (one Amazon seller account <-> one Sage 500 company, with its order mapping)');

  connections
    .command('check [id]')
    .description(
      "compare the connection's order mapping (orders.customers, warehouseId, shipMethods, chargeLines, fba in sellbridge.yaml) with its Sage company: customers exist, are active and bill in the configured currency; warehouses and ship methods exist (Sage keeps no active flag for them); charge items exist and are active; GL accounts exist and are active. One line per problem with its setting path and what Sage has; exit code 1 on any error (`sellbridge run` runs it at start). Read-only",
    )
    .addHelpText(
      'after',
      `
Examples:
  sellbridge connections check              the connection of this configuration (orders.connectionId, default "default")
  sellbridge connections check default      the same, named`,
    )
    .action(async (id: string | undefined, _opts: unknown, cmd: Command) => {
      const config = ctx.config(cmd);
      const { checkConnection } = await import('../../bootstrap/connection-check.ts');
      const report = await checkConnection(config, id ?? config.orders.connectionId);
      if (report.lines.length) ctx.stdout(report.lines.join('\n'));
      ctx.stdout(report.summary);
      process.exitCode = report.check.ok ? 0 : 1;
    });
}
