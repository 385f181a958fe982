import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import type { ConnectionInput, ConnectionView, Runtime } from '../../bootstrap/index.ts';

const defaultActor = () => `cli:${userInfo().username}`;

/** `sellbridge connections ...`: the Amazon seller <-> Sage company pairs this configuration serves. */
export function registerConnectionsCommands(program: Command, ctx: CliContext): void {
  const connections = program
    .command('connections')
    .description('connections (one Amazon seller account <-> one Sage 500 company, with its order mapping)');

  connections
    .command('check [id]')
    .description(
      "compare the connection's order mapping (orders.customers, warehouseId, shipMethods, chargeLines, fba in sellbridge.yaml, with the edits saved through the admin API or dashboard laid over them) with its Sage company: customers exist, are active and bill in the configured currency; warehouses and ship methods exist (Sage keeps no active flag for them, the FBA warehouse is looked up when FBA orders are booked); charge items exist and are active; GL accounts exist and are active; a TranNo prefix saved as an order-policies edit fits Sage's TranNo, and no earlier connection of sellbridge.yaml uses the connection's prefix in the same Sage company (each keeps its own TranNo counter). The sync side too, with its saved edits: the inventory warehouses (inventory.warehouseIds) and price sheets' warehouses (inventory.prices) when the inventory sync is enabled or they are set, and the settlement GL accounts (bank / clearing, per currency, rules, suspense, receivable or cash-application clearing) when settlements are enabled or their accounts are set. One line per problem with its setting path and what Sage has; exit code 1 on any error (`sellbridge run` runs it at start). Read-only",
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
      const { checkConnection, configuredConnectionIds } = await import('../../bootstrap/connection-check.ts');
      // Without an id: every connection of the configuration (one, `default`, without a connections: list).
      let ok = true;
      for (const one of id !== undefined ? [id] : configuredConnectionIds(config)) {
        const report = await checkConnection(config, one);
        if (report.lines.length) ctx.stdout(report.lines.join('\n'));
        ctx.stdout(report.summary);
        ok &&= report.check.ok;
      }
      process.exitCode = ok ? 0 : 1;
    });

  const withRuntime = async <T>(cmd: Command, work: (rt: Runtime) => Promise<T>): Promise<T> =>
    (await import('../runtime.ts')).withClientRuntime(ctx.config(cmd), work);
  const show = async (views: readonly ConnectionView[], json: boolean | undefined) => {
    if (json) return ctx.stdout(JSON.stringify(views, null, 2));
    const { formatTable } = await import('../format.ts');
    ctx.stdout(
      formatTable(
        views.map((v) => ({ ...v, marketplaces: v.marketplaceIds.join(',') })),
        ['id', 'origin', 'state', 'sellerId', 'region', 'marketplaces', 'sageCompanyId', 'reason'],
        80,
      ),
    );
  };

  connections
    .command('list')
    .description(
      'the connections of this configuration and those added while running (the store keeps them): origin (config or api), state (active, paused, failed) and why it waits',
    )
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withRuntime(cmd, async (rt) => show(await rt.connections.list(), opts.json)),
    );

  connections
    .command('add <file>')
    .description(
      'add a connection while the engine runs, from a JSON or YAML file with id and the amazon, sage500, orders, inventory and settlements blocks of a sellbridge.yaml entry (no secrets: a connection of another seller gets its refresh token from `sellbridge connections authorize <id>`). Validated (schema, then the mapping, inventory warehouses and settlement accounts against its Sage company) and refused with every problem named, nothing stored; a running worker starts it within a few seconds',
    )
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .addHelpText(
      'after',
      `
Example file (de.yaml):
  id: de
  amazon: { sellerId: A2EXAMPLE, region: eu, marketplaceIds: [A1PA6795UKMFR9] }
  sage500: { kind: sqlserver, companyId: SDE }
  orders:
    customers:
      A1PA6795UKMFR9: { customerId: AMAZON-DE, currency: EUR }
  inventory: { warehouseIds: [LEJ] }
  settlements: { bankClearingAccount: 1051-00 }`,
    )
    .action(async (file: string, opts: { actor: string }, cmd: Command) => {
      const { parse } = await import('yaml');
      const input = parse(readFileSync(file, 'utf8')) as ConnectionInput;
      await withRuntime(cmd, async (rt) => show([await rt.connections.add(input, opts.actor)], false));
    });

  connections
    .command('pause <id>')
    .description("stop a connection's schedules; its jobs wait (with the reason) until it is resumed")
    .option('--reason <text>', 'why, shown on its waiting jobs and in connections list')
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .action(async (id: string, opts: { reason?: string; actor: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => show([await rt.connections.pause(id, opts.reason ?? null, opts.actor)], false)),
    );

  connections
    .command('resume <id>')
    .description('start a paused connection again; its waiting jobs run')
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .action(async (id: string, opts: { actor: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => show([await rt.connections.resume(id, opts.actor)], false)),
    );

  connections
    .command('remove <id>')
    .description(
      'remove a connection added while running (a sellbridge.yaml one is removed from the file); its pending jobs wait',
    )
    .option('--actor <name>', 'who does this, for the audit log', defaultActor())
    .action(async (id: string, opts: { actor: string }, cmd: Command) =>
      withRuntime(cmd, async (rt) => {
        await rt.connections.remove(id, opts.actor);
        ctx.stdout(`connection ${id} removed`);
      }),
    );
}
