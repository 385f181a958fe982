import { Command, CommanderError, Option } from 'commander';
import { isSellbridgeError } from '../core/errors.ts';
import { ConfigError } from '../config/load.ts';
import { createCliContext, type CliContext } from './context.ts';
import { registerConfigCommands } from './commands/config.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerSimulatorCommands } from './commands/simulator.ts';
import { registerAmazonCommands } from './commands/amazon.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerJobsCommands } from './commands/jobs.ts';
import { registerDlqCommands } from './commands/dlq.ts';
import { registerSage500Commands } from './commands/sage500.ts';
import { registerConnectionsCommands } from './commands/connections.ts';
import { registerOnboardingCommands } from './commands/onboarding.ts';
import { registerOrdersCommands } from './commands/orders.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerSettlementsCommands } from './commands/settlements.ts';
import { registerInventoryCommands } from './commands/inventory.ts';
import { registerPricesCommands } from './commands/prices.ts';
import { registerKeysCommands } from './commands/keys.ts';
import { registerTokensCommands } from './commands/tokens.ts';
import { registerUsersCommands } from './commands/users.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerServiceCommands } from './commands/service.ts';
import { registerAgentCommands } from './commands/agent.ts';
import { versionLine } from '../runtime/version.ts';

/** Exit codes: 0 success, 1 failure while working, 2 bad usage or bad configuration. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('sellbridge')
    .addOption(new Option('-V, --version', 'print the version, the commit and the Node version'))
    .description('Connects Sage 500 ERP with Amazon Seller Central: orders, shipments, inventory, prices, settlements.')
    .option('-c, --config <file>', 'YAML config file (default: ./sellbridge.yaml when present)')
    .option(
      '--set <path=value>',
      'override one setting, e.g. --set jobs.concurrency=8 (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addOption(new Option('--store <url>', 'shortcut for --set store.url=<url>'))
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => ctx.stdout(s.trimEnd()), writeErr: (s) => ctx.stderr(s.trimEnd()) })
    .exitOverride()
    .addHelpText(
      'after',
      `
Configuration is read in this order, later wins: defaults, sellbridge.yaml, SELLBRIDGE_* environment
variables (e.g. SELLBRIDGE_STORE_URL), then flags. See docs/configuration.md.

Examples:
  sellbridge init                       write a commented sellbridge.yaml
  sellbridge config check               validate the configuration and list every problem
  sellbridge migrate                    create or upgrade the state database
  sellbridge --store postgres://127.0.0.1/test migrate`,
    );

  registerConfigCommands(program, ctx);
  registerMigrateCommand(program, ctx);
  registerSimulatorCommands(program, ctx);
  registerAmazonCommands(program, ctx);
  registerRunCommand(program, ctx);
  registerJobsCommands(program, ctx);
  registerDlqCommands(program, ctx);
  registerSage500Commands(program, ctx);
  registerConnectionsCommands(program, ctx);
  registerOnboardingCommands(program, ctx); // connections authorize, amazon subscribe
  registerOrdersCommands(program, ctx);
  registerDemoCommand(program, ctx);
  registerSettlementsCommands(program, ctx);
  registerInventoryCommands(program, ctx);
  registerPricesCommands(program, ctx);
  registerKeysCommands(program, ctx);
  registerTokensCommands(program, ctx);
  registerUsersCommands(program, ctx);
  registerDoctorCommand(program, ctx);
  registerBackupCommands(program, ctx);
  registerServiceCommands(program, ctx);
  registerAgentCommands(program, ctx);
  // the version line names the commit and Node, so a support request says which build runs.
  program.on('option:version', () => {
    ctx.stdout(versionLine());
    throw new CommanderError(0, 'commander.version', versionLine());
  });
  return program;
}

/** Runs the CLI; returns the process exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: readonly string[], ctx: CliContext = createCliContext(process.env)): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    return reportError(err, ctx);
  }
}

export function reportError(err: unknown, ctx: CliContext): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here with code 0.
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof ConfigError) {
    ctx.stderr(`error ${err.code}: ${err.message}`);
    return EXIT_USAGE;
  }
  if (isSellbridgeError(err)) {
    ctx.stderr(`error ${err.code}: ${err.message}`);
    return err.kind === 'config' || err.kind === 'validation' ? EXIT_USAGE : EXIT_FAILURE;
  }
  ctx.stderr(`error: ${err instanceof Error ? err.message : String(err)}`);
  return EXIT_FAILURE;
}
