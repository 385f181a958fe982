import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import type { CliContext } from '../context.ts';

interface DemoCommandOptions {
  orders: string;
  keep?: boolean;
  json?: boolean;
  dir?: string;
  seed: string;
  serve?: boolean;
}

/**
 * `sellbridge demo`: the whole order-to-fulfillment path on one machine, no accounts needed: the SP-API simulator,
 * the Sage 500 sandbox and the engine on fresh SQLite files; prints progress and a summary table.
 */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description(
      'play a few dozen Amazon orders of two sellers (US and German: two connections) through Sellbridge into two Sage 500 sandbox companies and back (simulator, no accounts needed)',
    )
    .option(
      '--orders <n>',
      "the US seller's orders (at least 6): one with an unknown SKU, one cancelled by the buyer, the rest shipped; the German seller places a third as many (at least 2), all shipped",
      '30',
    )
    .option(
      '--keep',
      'keep the files (store, Sage sandbox, config, log) in ./data/demo-<timestamp>/ instead of a temp dir removed at the end',
    )
    .option('--dir <dir>', 'put the files here instead (kept)')
    .option('--json', 'print the result as JSON only (no progress)')
    .option('--seed <n>', 'seed of the simulated marketplace (same seed, same orders)', '2026')
    .option(
      '--serve',
      'after the summary, keep the engine and the dashboard running (prints the URL and a one-time admin token) until Ctrl+C',
    )
    .addHelpText(
      'after',
      `
What happens:
  1. orders arrive at the simulated Amazon; ORDER_CHANGE notifications reach Sellbridge through SQS
  2. each order becomes a Sage 500 sales order exactly once; the unknown SKU goes to the dead-letter queue
     with its reason and suggested Sage items
  3. the buyer cancels one order: its Sage order is cancelled
  4. the sandbox warehouse ships the rest (every third in two parts); each package is confirmed to Amazon once
  Rate limits are on (time-scaled), so you also see requests wait for their tokens.

The demo ignores sellbridge.yaml and SELLBRIDGE_* variables: it writes its own config next to its files.
Exit code 0 when the summary matches the scenario, 1 otherwise.

Examples:
  sellbridge demo
  sellbridge demo --orders 100 --keep
  sellbridge demo --serve               then open the printed dashboard URL and sign in with the printed token
  sellbridge demo --json`,
    )
    .action(async (opts: DemoCommandOptions) => {
      const orders = Number(opts.orders);
      if (!Number.isInteger(orders) || orders < 6 || orders > 5000)
        throw new SellbridgeError(
          'SB_CLI_USAGE',
          `--orders got ${JSON.stringify(opts.orders)}; give a whole number from 6 to 5000`,
        );
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed))
        throw new SellbridgeError('SB_CLI_USAGE', `--seed got ${JSON.stringify(opts.seed)}; give a whole number`);
      const keep = Boolean(opts.keep || opts.dir);
      const dir = opts.dir
        ? resolve(opts.dir)
        : opts.keep
          ? resolve('data', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`)
          : mkdtempSync(join(tmpdir(), 'sellbridge-demo-'));
      const { runDemo } = await import('../../demo/run-demo.ts'); // loaded only when run
      const { createProgressPrinter, formatSummary } = await import('../../demo/report.ts');
      const printer = createProgressPrinter((t) => process.stdout.write(t), Boolean(process.stdout.isTTY));
      try {
        const serve = async ({
          result,
          dashboardUrl,
          adminToken,
        }: {
          result: Parameters<typeof formatSummary>[0];
          dashboardUrl: string | undefined;
          adminToken: string;
        }) => {
          printer.end();
          ctx.stdout(formatSummary(result));
          ctx.stdout(
            dashboardUrl
              ? `The engine keeps running. Dashboard: ${dashboardUrl}\nSign in with this admin token (valid until you stop the demo): ${adminToken}\nPress Ctrl+C to stop.`
              : 'The engine keeps running (this build serves no dashboard). Press Ctrl+C to stop.',
          );
          await new Promise<void>((done) => {
            process.once('SIGINT', () => done());
            process.once('SIGTERM', () => done());
          });
        };
        const result = await runDemo({
          orders,
          dir,
          seed,
          ...(opts.json ? {} : { onProgress: printer.onProgress }),
          ...(opts.serve && !opts.json ? { serve } : {}),
        });
        printer.end();
        if (opts.serve && !opts.json) {
          ctx.stdout(keep ? `Files kept in ${dir}.` : `Files were in ${dir} (removed; --keep keeps them).`);
        } else if (opts.json) {
          ctx.stdout(JSON.stringify({ ...result, kept: keep }, null, 2));
        } else {
          ctx.stdout(formatSummary(result));
          ctx.stdout(
            keep
              ? `Files kept in ${dir} (store sellbridge.db, Sage sandbox sage500-sandbox.db, sellbridge.yaml, sellbridge.log).\nLook around: sellbridge -c ${join(dir, 'sellbridge.yaml')} dlq list   (or: jobs list; sage500 show order --amazon <AmazonOrderId>)`
              : `Files were in ${dir} (removed; --keep keeps them).`,
          );
        }
        if (result.mismatches.length > 0) process.exitCode = 1;
      } finally {
        printer.end();
        if (!keep) rmSync(dir, { recursive: true, force: true });
      }
    });
}
