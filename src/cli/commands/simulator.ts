import type { Command } from 'commander';
import { SellbridgeError } from '../../core/errors.ts';
import type { CliContext } from '../context.ts';

interface SimulatorCommandOptions {
  port: string;
  host: string;
  seed: string;
  orders: string;
  timeScale: string;
  limits: boolean;
  skus?: string;
  settlement?: boolean;
  live?: boolean;
}

function number(name: string, value: string, check: (n: number) => boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n))
    throw new SellbridgeError('SB_CLI_USAGE', `--${name} got ${JSON.stringify(value)}, which is not valid`);
  return n;
}

/**
 * `sellbridge simulator`: starts the SP-API simulator alone (LWA, Orders, Feeds, Reports, Listings, FBA
 * Inventory, Notifications with an SQS-compatible endpoint) and prints its URL; runs until Ctrl+C.
 */
export function registerSimulatorCommands(program: Command, ctx: CliContext): void {
  program
    .command('simulator')
    .description('start the SP-API simulator alone (sandbox: fake orders, no Amazon account needed) and print its URL')
    .option('-p, --port <port>', 'TCP port (0 = a free port)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed for generated orders, ids and faults (same seed, same data)', '1')
    .option('--orders <n>', 'orders to generate at start', '20')
    .option('--time-scale <x>', 'simulated seconds per real second (rate limits, processing delays)', '1')
    .option('--no-limits', 'do not enforce usage plans (no 429 from empty buckets)')
    .option('--skus <list>', 'comma-separated SKUs to draw order lines from (e.g. the Sage sandbox item ids)')
    .option('--settlement', 'also generate a settlement report (Flat File V2) from the generated orders')
    .option(
      '--live',
      'keep the data moving: a new order every simulated minute, order life-cycle steps every two (time-scaled)',
    )
    .addHelpText(
      'after',
      `
Point the Amazon connector at it: amazon.endpoint=<url> (or <url>/{region} for the regional endpoint of
amazon.region: <url>/na, <url>/eu, <url>/fe), amazon.lwaEndpoint=<url>/auth/o2/token,
refresh token Atzr|sim-refresh-token (any is accepted), SQS endpoint <url>.

Example:
  sellbridge simulator --port 8787 --orders 50 --time-scale 60 --skus WIDGET-1,WIDGET-2`,
    )
    .action(async (opts: SimulatorCommandOptions) => {
      const port = number('port', opts.port, (n) => Number.isInteger(n) && n >= 0 && n < 65536);
      const orders = number('orders', opts.orders, (n) => Number.isInteger(n) && n >= 0 && n <= 100_000);
      const timeScale = number('time-scale', opts.timeScale, (n) => n > 0);
      const seed = /^\d+$/.test(opts.seed) ? Number(opts.seed) : opts.seed;
      const skus = opts.skus
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const { createAmazonSimulator } = await import('../../simulator/amazon/index.ts'); // loaded only when run
      const sim = await createAmazonSimulator({
        port,
        host: opts.host,
        seed,
        orders,
        timeScale,
        limits: opts.limits,
        ...(skus?.length ? { scenario: { skus } } : {}),
      });
      const seller = sim.control.sellers[0]!;
      if (opts.settlement) sim.control.generateSettlementReport();
      if (opts.live) sim.control.startTraffic({ newOrderEveryMs: 60_000, advanceEveryMs: 120_000 });
      ctx.stdout(`SP-API simulator listening on ${sim.url}`);
      ctx.stdout(
        `  LWA token endpoint: ${sim.url}/auth/o2/token   refresh token: ${seller.refreshToken}   seller: ${seller.sellerId}`,
      );
      ctx.stdout(
        `  regional SP-API endpoints: ${sim.endpoints.na} (NA), ${sim.endpoints.eu} (EU), ${sim.endpoints.fe} (FE); amazon.endpoint=${sim.url}/{region} picks the one of amazon.region`,
      );
      ctx.stdout(
        `  SQS endpoint: ${sim.url}   notifications queue URL: ${sim.control.sqsQueueUrl('sellbridge-notifications')}`,
      );
      ctx.stdout(
        `  ${orders} orders (seed ${String(seed)}), time scale ${timeScale}, usage plans ${opts.limits ? 'enforced' : 'off'}; Ctrl+C stops it`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await sim.close();
      ctx.stdout('simulator stopped');
    });
}
