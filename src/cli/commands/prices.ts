import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { runListingSyncCommand, type SyncOptions } from './inventory.ts';

/** `sellbridge prices sync [--dry-run]` (issue 7): prices from the Sage price sheet per marketplace, behind the guard rails. */
export function registerPricesCommands(program: Command, ctx: CliContext): void {
  const prices = program
    .command('prices')
    .description('price sync to Amazon listings from the configured Sage price sheet and currency per marketplace')
    .addHelpText(
      'after',
      `
Examples:
  sellbridge prices sync --dry-run      each price change (from, to, why) and what is held for approval; nothing sent
  sellbridge prices sync --wait         send and follow the feeds until Amazon finished

A price outside inventory.minPriceMinor/maxPriceMinor, or changing by more than inventory.maxPriceChangePercent,
is not sent: it waits in the dead-letter queue (SB_LIST_PRICE_HELD). \`sellbridge dlq replay <id>\` approves it.`,
    );
  prices
    .command('sync')
    .description('send price changes (sheet price, markup, rounding vs the last price sent) to Amazon')
    .option('--dry-run', 'show each change and what is held; send nothing')
    .option('--all', 'with --dry-run: list every SKU, not only the changed ones')
    .option('--wait', 'submit and follow the feeds here until Amazon finished (otherwise the worker does)')
    .option('--connection <id>', 'connection id (default: inventory.connectionId)')
    .option('--json', 'print JSON')
    .action(async (opts: SyncOptions, cmd: Command) => runListingSyncCommand(ctx, cmd, 'price', opts));
}
